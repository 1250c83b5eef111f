import { app, type InvocationContext, type Timer } from '@azure/functions';
import { getServices } from '../../shared/services.js';
import { checkRequests } from '../../shared/sync/requests/check-requests.js';

/**
 * Every 5 minutes: member requests a destination accepted and processes later (Google
 * Customer Match) are asked about when due (2 minutes after sending, then less often, at
 * most hourly); outcomes go to the run record, and a failed request's members are sent again.
 */
app.timer('destinationRequests', {
  schedule: '0 */5 * * * *',
  handler: async (_timer: Timer, context: InvocationContext) => {
    const { checked, final, failed, returned } = await checkRequests(getServices(), new Date());
    if (checked > 0) context.log(`destination requests: ${checked} checked, ${final} final, ${failed} failed, ${returned} member(s) to send again`);
  },
});

import { app, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { getServices } from '../../shared/services.js';
import { runScheduledRefresh } from '../../shared/pipeline/scheduled-refresh.js';
import { runStarter } from '../orchestrators/starter.js';

/**
 * Ticks every minute; whether a refresh is due is decided from the effective schedule
 * (PUT /api/schedule, else REFRESH_SCHEDULE), which can change without a restart.
 */
app.timer('scheduledRefresh', {
  schedule: '0 * * * * *',
  extraInputs: [df.input.durableClient()],
  handler: async (_timer: Timer, context: InvocationContext) => {
    const outcome = await runScheduledRefresh(getServices(), runStarter(df.getClient(context)), new Date());
    if (!outcome.due) return;
    context.log(`scheduled refresh for ${outcome.fireTime}: ${outcome.runs.length} export(s)`);
  },
});

import { app, type InvocationContext, type Timer } from '@azure/functions';
import { getServices } from '../../shared/services.js';
import { sweepInsights } from '../../shared/insights/schedule.js';

/** Every 30 minutes: audiences due a reading (every 4 hours for two days after a run, daily after) are read. */
app.timer('audienceInsights', {
  schedule: '0 */30 * * * *',
  handler: async (_timer: Timer, context: InvocationContext) => {
    const { exports, read, deferred, failed } = await sweepInsights(getServices(), new Date());
    if (exports > 0) context.log(`audience insights: ${read} read, ${deferred} deferred, ${failed} failed, over ${exports} export(s)`);
  },
});

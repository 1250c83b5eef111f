import { app, type InvocationContext, type Timer } from '@azure/functions';
import { getServices } from '../../shared/services.js';
import { purgeExpired } from '../../shared/privacy/retention.js';

/** Daily at 03:30 UTC: run records, rejected-rows reports and audience readings older than RETENTION_DAYS go. */
app.timer('retentionPurge', {
  schedule: '0 30 3 * * *',
  handler: async (_timer: Timer, context: InvocationContext) => {
    const { runs, reportBlobs, audienceReadings } = await purgeExpired(getServices(), new Date());
    context.log(`retention purge: ${runs} run record(s), ${reportBlobs} report part(s) and ${audienceReadings} audience reading(s) older than ${getServices().config.retentionDays} days deleted`);
  },
});

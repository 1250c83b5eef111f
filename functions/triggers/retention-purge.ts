import { app, type InvocationContext, type Timer } from '@azure/functions';
import { getServices } from '../../shared/services.js';
import { purgeExpired } from '../../shared/privacy/retention.js';

/** Daily at 03:30 UTC: run records and rejected-rows reports older than RETENTION_DAYS go. */
app.timer('retentionPurge', {
  schedule: '0 30 3 * * *',
  handler: async (_timer: Timer, context: InvocationContext) => {
    const { runs, reportBlobs } = await purgeExpired(getServices(), new Date());
    context.log(`retention purge: ${runs} run record(s) and ${reportBlobs} report part(s) older than ${getServices().config.retentionDays} days deleted`);
  },
});

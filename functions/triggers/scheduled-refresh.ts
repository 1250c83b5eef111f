import { app, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { getServices } from '../../shared/services.js';
import { runScheduledRefresh } from '../../shared/pipeline/runs/scheduled-refresh.js';
import { startUnclaimedFollowUps } from '../../shared/pipeline/runs/run-service.js';
import { runStarter } from '../orchestrators/starter.js';

/**
 * Ticks every minute; whether a refresh is due is decided from the effective schedule
 * (PUT /api/schedule, else REFRESH_SCHEDULE), which can change without a restart. Each tick
 * also starts follow-up runs that no ending run claimed.
 */
app.timer('scheduledRefresh', {
  schedule: '0 * * * * *',
  extraInputs: [df.input.durableClient()],
  handler: async (_timer: Timer, context: InvocationContext) => {
    const starter = runStarter(df.getClient(context));
    for (const started of await startUnclaimedFollowUps(getServices(), starter)) {
      if (started.started) context.log(`started follow-up run ${started.run.id} of export ${started.run.exportId}`);
    }
    const outcome = await runScheduledRefresh(getServices(), starter, new Date());
    if (!outcome.due) return;
    context.log(`scheduled refresh for ${outcome.fireTime}: ${outcome.runs.length} export(s)`);
  },
});

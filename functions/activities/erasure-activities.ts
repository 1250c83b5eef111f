import * as df from 'durable-functions';
import { getServices } from '../../shared/services.js';
import { eraseFromAudience, findErasureTargets, finishErasure, scrubReports } from '../../shared/privacy/erasure.js';
import type { ErasureTarget } from '../../shared/privacy/erasure-store.js';
import { erasureActivities } from '../orchestrators/names.js';

df.app.activity(erasureActivities.findTargets, {
  handler: ({ erasureId }: { erasureId: string }) => findErasureTargets(getServices(), erasureId),
});
df.app.activity(erasureActivities.eraseFromAudience, {
  handler: ({ erasureId, target }: { erasureId: string; target: ErasureTarget }) => eraseFromAudience(getServices(), erasureId, target),
});
df.app.activity(erasureActivities.recordFailures, {
  handler: async ({ erasureId, failed }: { erasureId: string; failed: ErasureTarget[] }) => {
    const keys = new Set(failed.map((t) => `${t.exportId}/${t.segment}`));
    await getServices().erasures.update(erasureId, (e) => ({
      ...e,
      destinations: e.destinations.map((d) =>
        keys.has(`${d.exportId}/${d.segment}`) ? { ...d, outcome: 'failed', reason: 'the destination kept failing; retried five times' } : d,
      ),
    }));
  },
});
df.app.activity(erasureActivities.scrubReports, {
  handler: ({ erasureId }: { erasureId: string }) => scrubReports(getServices(), erasureId),
});
df.app.activity(erasureActivities.finish, {
  // The orchestration's output is plain storage: the status only, not the record with its hash.
  handler: async ({ erasureId, reportsScrubbed, now }: { erasureId: string; reportsScrubbed: number; now: string }) => ({
    status: (await finishErasure(getServices(), erasureId, reportsScrubbed, now)).status,
  }),
});

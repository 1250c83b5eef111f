import * as df from 'durable-functions';
import { getServices } from '../../shared/services.js';
import type { SegmentRun } from '../../shared/domain/run.js';
import { readAudienceInsights } from '../../shared/insights/read.js';
import { activities } from '../orchestrators/names.js';

// At a run's end, its sends done: what the destination made of each audience. Never throws (insights must not fail a run).
df.app.activity(activities.readAudienceInsights, {
  handler: ({ exportId, runId, segments }: { exportId: string; runId: string; segments: SegmentRun[] }) =>
    readAudienceInsights(getServices(), { exportId, trigger: 'after-run', run: { id: runId, segments } }),
});

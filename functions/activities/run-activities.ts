import * as df from 'durable-functions';
import { getServices } from '../../shared/services.js';
import {
  beginRun,
  ensureAudienceStep,
  finishRunStep,
  prepareSegmentStep,
  recordProgressStep,
  reportSliceStep,
  type EnsureAudienceInput,
  type FinishInput,
  type PrepareStepInput,
  type ProgressInput,
  type ReportSliceInput,
  type RunInput,
} from '../../shared/pipeline/run-steps.js';
import { claimFollowUp } from '../../shared/pipeline/runs/run-service.js';
import { commitLedger, type CommitInput } from '../../shared/sync/commit.js';
import { planChanges, type PlanInput } from '../../shared/sync/plan.js';
import { sendChanges, type SendInput } from '../../shared/sync/send.js';
import { activities } from '../orchestrators/names.js';
import { timed } from './timed.js';

// The orchestrator passes its own replay-safe clock (`now`) where a step stamps times.
df.app.activity(activities.beginRun, {
  handler: ({ input, now }: { input: RunInput; now: string }) => beginRun(getServices(), input, now),
});
df.app.activity(activities.prepareSegment, {
  handler: timed('prepare', (i: PrepareStepInput) => i, (input) => prepareSegmentStep(getServices(), input)),
});
df.app.activity(activities.ensureAudience, {
  handler: timed('ensure-audience', (i: EnsureAudienceInput) => i, (input) => ensureAudienceStep(getServices(), input)),
});
df.app.activity(activities.planChanges, {
  handler: timed('plan', (i: PlanInput) => i, (input) => planChanges(getServices(), input)),
});
df.app.activity(activities.sendChanges, {
  handler: timed('send', (i: SendInput) => i, (input) => sendChanges(getServices(), input)),
});
df.app.activity(activities.commitLedger, {
  handler: timed('commit', (i: CommitInput) => i, (input) => commitLedger(getServices(), input)),
});
df.app.activity(activities.reportSlice, {
  handler: timed('report', (i: ReportSliceInput) => i, (input) => reportSliceStep(getServices(), input)),
});
df.app.activity(activities.recordProgress, {
  handler: (input: ProgressInput) => recordProgressStep(getServices(), input),
});
df.app.activity(activities.finishRun, {
  handler: timed('finish', (i: { input: FinishInput }) => i.input, ({ input, now }: { input: FinishInput; now: string }) => finishRunStep(getServices(), input, now), false),
});
df.app.activity(activities.claimFollowUp, {
  // Returns null, not undefined, for "none": activity results travel as JSON.
  handler: async ({ exportId, now }: { exportId: string; now: string }) => (await claimFollowUp(getServices(), exportId, new Date(now))) ?? null,
});

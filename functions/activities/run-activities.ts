import * as df from 'durable-functions';
import { getServices } from '../../shared/services.js';
import {
  beginRun,
  ensureAudienceStep,
  finishRunStep,
  prepareSegmentStep,
  recordProgressStep,
  reportSliceStep,
  uploadWorkFileStep,
  type EnsureAudienceInput,
  type FinishInput,
  type PrepareStepInput,
  type ProgressInput,
  type ReportSliceInput,
  type RunInput,
  type UploadInput,
} from '../../shared/pipeline/run-steps.js';
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
df.app.activity(activities.uploadWorkFile, {
  handler: timed('upload', (i: UploadInput) => i, (input) => uploadWorkFileStep(getServices(), input)),
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

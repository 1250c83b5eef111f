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

// The orchestrator passes its own replay-safe clock (`now`) where a step stamps times.
df.app.activity(activities.beginRun, {
  handler: ({ input, now }: { input: RunInput; now: string }) => beginRun(getServices(), input, now),
});
df.app.activity(activities.prepareSegment, {
  handler: (input: PrepareStepInput) => prepareSegmentStep(getServices(), input),
});
df.app.activity(activities.ensureAudience, {
  handler: (input: EnsureAudienceInput) => ensureAudienceStep(getServices(), input),
});
df.app.activity(activities.uploadWorkFile, {
  handler: (input: UploadInput) => uploadWorkFileStep(getServices(), input),
});
df.app.activity(activities.reportSlice, {
  handler: (input: ReportSliceInput) => reportSliceStep(getServices(), input),
});
df.app.activity(activities.recordProgress, {
  handler: (input: ProgressInput) => recordProgressStep(getServices(), input),
});
df.app.activity(activities.finishRun, {
  handler: ({ input, now }: { input: FinishInput; now: string }) => finishRunStep(getServices(), input, now),
});

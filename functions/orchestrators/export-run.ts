import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import type { SegmentRun } from '../../shared/domain/run.js';
import { applyLimits, planUploads, type WorkFileSlice } from '../../shared/pipeline/limits.js';
import { runStatus, segmentStatus } from '../../shared/pipeline/outcome.js';
import type {
  BeginResult,
  EnsureAudienceResult,
  FinishInput,
  PrepareStepResult,
  RunInput,
  RunPlan,
  UploadInput,
  UploadResultSummary,
} from '../../shared/pipeline/run-steps.js';
import { addDelivery, applyDecision, failBeforeUpload, startTally } from '../../shared/pipeline/tally.js';
import { activities, EXPORT_RUN_ORCHESTRATION } from './names.js';

/**
 * One run of one export: prepare every segment (fan-out), apply the destination's limits,
 * make sure each audience exists, upload the work files with a bounded number in flight
 * (fan-out/fan-in), then record the outcome. Everything here must replay identically:
 * no clocks but currentUtcDateTime, no I/O but activities.
 */
const retry = new df.RetryOptions(1_000, 4);
retry.backoffCoefficient = 2;
retry.maxRetryIntervalInMilliseconds = 30_000;

interface UploadItem {
  segmentIndex: number;
  slice: WorkFileSlice;
}

const exportRun: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<RunInput>();
  const now = () => context.df.currentUtcDateTime.toISOString();
  const begin = (yield context.df.callActivityWithRetry(activities.beginRun, retry, { input, now: now() })) as BeginResult;
  if ('failed' in begin) return { status: 'failed', reason: begin.failed };
  const { plan } = begin;
  let tallies: SegmentRun[] = [];
  try {
    tallies = yield* runSegments(context, plan);
    const status = runStatus(tallies);
    yield* finish(context, { runId: plan.runId, exportId: plan.exportId, status, segments: tallies }, now);
    return { status };
  } catch (error) {
    // Activities failed beyond their retries (storage outage, a bug): the run still ends with a record.
    const reason = `internal-error: ${error instanceof Error ? error.message : String(error)}`.slice(0, 1_000);
    const segments = tallies.length > 0 ? tallies : plan.segments.map((segment) => startTally({ segment, segmentIndex: 0, failed: reason }));
    yield* finish(context, { runId: plan.runId, exportId: plan.exportId, status: 'failed', reason, segments }, now);
    return { status: 'failed', reason };
  }
};

function* runSegments(context: OrchestrationContext, plan: RunPlan): Generator<Task, SegmentRun[], any> {
  const { runId, exportId } = plan;
  const progress = (stage: string, done: number, total: number) =>
    context.df.setCustomStatus({ runId, stage, workFilesDone: done, workFilesTotal: total });

  progress('preparing', 0, 0);
  const prepared = (yield context.df.Task.all(
    plan.segments.map((segment, segmentIndex) =>
      context.df.callActivityWithRetry(activities.prepareSegment, retry, { runId, exportId, segment, segmentIndex }),
    ),
  )) as PrepareStepResult[];

  let tallies = prepared.map(startTally);
  const decisions = applyLimits(
    plan.limits,
    prepared.map((p) => ('failed' in p ? 0 : p.valid)),
    plan.truncate,
  );
  tallies = tallies.map((tally, i) => applyDecision(tally, decisions[i]!));

  // Over-limit rows of truncated segments go to the report before anything is sent.
  const uploads: UploadItem[][] = prepared.map(() => []);
  const reports: Task[] = [];
  prepared.forEach((p, segmentIndex) => {
    const decision = decisions[segmentIndex]!;
    if ('failed' in p || decision.action !== 'send' || tallies[segmentIndex]!.status !== 'running') return;
    const plannedSlices = planUploads(p.workFiles, decision.send);
    uploads[segmentIndex] = plannedSlices.upload.map((slice) => ({ segmentIndex, slice }));
    for (const slice of plannedSlices.overLimit) {
      reports.push(
        context.df.callActivityWithRetry(activities.reportSlice, retry, {
          runId, segment: p.segment, segmentIndex, slice, reason: 'over-limit', part: 'over-limit',
        }),
      );
    }
  });
  if (reports.length > 0) yield context.df.Task.all(reports);

  progress('creating-audiences', 0, 0);
  const sending = tallies.map((t, i) => (t.status === 'running' ? i : -1)).filter((i) => i >= 0);
  // Task.all refuses an empty list: when no segment is left to send, there is nothing to wait for.
  const audienceTasks = sending.map((segmentIndex) => {
    const first = uploads[segmentIndex]![0];
    return context.df.callActivityWithRetry(activities.ensureAudience, retry, {
      runId,
      exportId,
      segment: plan.segments[segmentIndex]!,
      segmentIndex,
      ...(plan.audienceCreationNeedsMembers && first ? { firstWorkFile: first.slice } : {}),
    });
  });
  const audiences = (audienceTasks.length > 0 ? yield context.df.Task.all(audienceTasks) : []) as EnsureAudienceResult[];

  const audienceIds: string[] = [];
  sending.forEach((segmentIndex, k) => {
    const audience = audiences[k]!;
    if ('failed' in audience) {
      tallies[segmentIndex] = failBeforeUpload(tallies[segmentIndex]!, audience.failed);
      uploads[segmentIndex] = [];
      return;
    }
    audienceIds[segmentIndex] = audience.audienceId;
    tallies[segmentIndex] = { ...tallies[segmentIndex]!, audienceId: audience.audienceId };
    if (audience.membersIncluded) {
      // The audience was created with the first work file: it is delivered already.
      const [first, ...rest] = uploads[segmentIndex]!;
      tallies[segmentIndex] = addDelivery(tallies[segmentIndex]!, {
        sent: first?.slice.records ?? 0,
        accepted: audience.accepted,
        rejected: audience.rejected,
      });
      uploads[segmentIndex] = rest;
    }
  });

  // Fan out the uploads across all segments in windows of maxUploadsInFlight, fan in each window.
  // Windows, not a sliding Task.any: a task yielded once must never join a second compound
  // task (the SDK would schedule its activity again and a completed child would go unnoticed).
  const queue = uploads.flat();
  const total = queue.length;
  const failedUploads = tallies.map(() => 0);
  const plannedUploads = uploads.map((u) => u.length);
  let done = 0;
  let lastReportedDecile = -1;
  progress('uploading', 0, total);
  for (let start = 0; start < queue.length; start += plan.maxUploadsInFlight) {
    const window = queue.slice(start, start + plan.maxUploadsInFlight).map((item) => ({
      item,
      task: context.df.callActivityWithRetry(activities.uploadWorkFile, retry, {
        runId,
        exportId,
        segment: plan.segments[item.segmentIndex]!,
        segmentIndex: item.segmentIndex,
        audienceId: audienceIds[item.segmentIndex]!,
        slice: item.slice,
        batchSize: plan.limits.batchSize,
      } satisfies UploadInput),
    }));
    yield* settleAll(context, window.map((w) => w.task));
    for (const { item, task } of window) {
      const result = task.isCompleted ? (task.result as UploadResultSummary) : { failed: errorMessage(task.result) };
      if ('failed' in result) {
        // Failed for good: every row of the file goes to the report, nothing is dropped silently.
        yield context.df.callActivityWithRetry(activities.reportSlice, retry, {
          runId,
          segment: plan.segments[item.segmentIndex]!,
          segmentIndex: item.segmentIndex,
          slice: item.slice,
          reason: `upload-failed: ${result.failed}`,
          part: 'upload-failed',
        });
        failedUploads[item.segmentIndex]!++;
        tallies[item.segmentIndex] = addDelivery(tallies[item.segmentIndex]!, {
          sent: item.slice.records,
          accepted: 0,
          rejected: item.slice.records,
        });
      } else {
        tallies[item.segmentIndex] = addDelivery(tallies[item.segmentIndex]!, result);
      }
    }
    done += window.length;
    progress('uploading', done, total);
    const decile = Math.floor((done * 10) / total);
    if (decile !== lastReportedDecile) {
      lastReportedDecile = decile;
      yield context.df.callActivity(activities.recordProgress, { runId, exportId, stage: 'uploading', workFilesDone: done, workFilesTotal: total });
    }
  }

  return tallies.map((tally, i) => {
    if (tally.status !== 'running') return tally;
    const status = segmentStatus(plannedUploads[i]!, failedUploads[i]!);
    const reason =
      failedUploads[i]! > 0 ? `upload-failed: ${failedUploads[i]} of ${plannedUploads[i]} work files failed; their rows are in the report` : tally.reason;
    return { ...tally, status, ...(reason ? { reason } : {}) };
  });
}

function* finish(context: OrchestrationContext, input: FinishInput, now: () => string): Generator<Task, void, any> {
  context.df.setCustomStatus({ runId: input.runId, stage: 'finished', status: input.status });
  yield context.df.callActivityWithRetry(activities.finishRun, retry, { input, now: now() });
}

/**
 * Waits until every task has an outcome, success or failure. Task.all fails fast on the
 * first failure while the others still run; those are then awaited one by one (a task
 * already scheduled is not scheduled again when yielded alone).
 */
function* settleAll(context: OrchestrationContext, tasks: Task[]): Generator<Task, void, any> {
  try {
    yield context.df.Task.all(tasks);
  } catch {
    for (const task of tasks) {
      if (task.isCompleted || task.isFaulted) continue;
      try {
        yield task;
      } catch {
        // Its failure is read from the task by the caller.
      }
    }
  }
}

/** The failure's first line: the SDK appends the activity's stack trace, which has no place in a report. */
function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim().slice(0, 500);
}

df.app.orchestration(EXPORT_RUN_ORCHESTRATION, exportRun);

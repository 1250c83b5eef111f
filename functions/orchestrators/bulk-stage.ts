import * as df from 'durable-functions';
import type { OrchestrationContext, Task } from 'durable-functions';
import type { SegmentRun } from '../../shared/domain/run.js';
import { addDelivery, addRemovals } from '../../shared/pipeline/counts/tally.js';
import type { WorkFileSlice } from '../../shared/pipeline/run-files/work-files.js';
import type { RunPlan } from '../../shared/pipeline/run-steps.js';
import { bulkPollMs, MAX_BULK_JOB_MS, type BulkCheckInput, type BulkCheckResult, type BulkSendInput, type BulkStartResult } from '../../shared/sync/bulk-send.js';
import type { PlannedChanges } from '../../shared/sync/plan.js';
import type { SendFailure } from '../../shared/sync/send.js';
import { activities } from './names.js';
import { settleAll } from './settle.js';

/**
 * The bulk stage of a run, between planning and sending: a segment whose adds (or removes)
 * number more than the destination's bulk threshold sends them as one bulk job (Microsoft
 * Advertising's Bulk service) instead of thousands of batches. A short activity starts the
 * job (the upload); then short activities check its status, with durable timers between
 * them, so no activity holds a slot to wait. What a job delivered leaves the segment's
 * planned changes; a job that fails for good leaves them there, and the send stage sends
 * them in batches as it would have without bulk.
 */

/** The part of the orchestrator's run this stage reads and updates. */
export interface BulkStageRun {
  context: OrchestrationContext;
  plan: RunPlan;
  states: BulkStageSegment[];
  progress(stage: string, done?: number, total?: number): void;
}

interface BulkStageSegment {
  index: number;
  name: string;
  tally: SegmentRun;
  audience?: { id: string };
  changes?: PlannedChanges;
}

const retry = new df.RetryOptions(1_000, 4);
retry.backoffCoefficient = 2;
retry.maxRetryIntervalInMilliseconds = 30_000;

/** The service takes 5 to 6 concurrent uploads per customer: the stage keeps at most this many jobs going. */
const JOBS_AT_ONCE = 5;
/** Starts of a job (a new upload each), and failed status checks in a row, before the batches take over. */
const ATTEMPTS = 5;
/** The longest Retry-After honoured (the bulk quota asks up to 15 minutes). */
const MAX_WAIT_MS = 15 * 60_000;
const backoffMs = (attempt: number) => Math.min(60_000, 2_000 * 2 ** (attempt - 1));

interface Job {
  state: BulkStageSegment;
  input: BulkSendInput;
  jobId?: string;
  /** Starts so far. */
  attempt: number;
  /** Status checks that failed in a row. */
  checkFailures: number;
  startedAt: number;
}

export function* sendInBulk(run: BulkStageRun): Generator<Task, void, any> {
  const threshold = run.plan.bulkThreshold;
  if (threshold === undefined) return;
  const jobs: Job[] = [];
  const now = () => run.context.df.currentUtcDateTime.getTime();
  for (const state of run.states) {
    const { changes, audience } = state;
    if (!changes || !audience || state.tally.status !== 'running') continue;
    const job = (kind: 'add' | 'remove', slices: WorkFileSlice[], replace: boolean): Job => ({
      state,
      input: {
        runId: run.plan.runId,
        exportId: run.plan.exportId,
        segment: state.name,
        segmentIndex: state.index,
        audienceId: audience.id,
        kind,
        slices,
        ...(replace ? { replace: true } : {}),
      },
      attempt: 0,
      checkFailures: 0,
      startedAt: now(),
    });
    if (records(changes.adds) > threshold) jobs.push(job('add', changes.adds, changes.replaceFirst));
    if (records(changes.removes) > threshold) jobs.push(job('remove', changes.removes, false));
  }
  if (jobs.length === 0) return;
  run.progress('sending', 0, jobs.length);
  let finished = 0;
  for (let start = 0; start < jobs.length; start += JOBS_AT_ONCE) {
    yield* runJobs(run, jobs.slice(start, start + JOBS_AT_ONCE));
    finished = Math.min(jobs.length, start + JOBS_AT_ONCE);
    run.progress('sending', finished, jobs.length);
  }
}

/** Starts the jobs, then checks them until each is done or given up, one round of activities at a time. */
function* runJobs(run: BulkStageRun, jobs: Job[]): Generator<Task, void, any> {
  const { context } = run;
  let active = jobs;
  for (let round = 0; active.length > 0; round++) {
    const tasks = active.map((job) =>
      job.jobId === undefined
        ? context.df.callActivityWithRetry(activities.startBulkSend, retry, job.input)
        : context.df.callActivityWithRetry(activities.checkBulkSend, retry, { ...job.input, jobId: job.jobId } satisfies BulkCheckInput),
    );
    yield* settleAll(context, tasks);
    const next: Job[] = [];
    let wait = bulkPollMs(round);
    for (const [k, task] of tasks.entries()) {
      const job = active[k]!;
      const crashed: SendFailure | undefined = task.isCompleted ? undefined : { reason: `transient: ${firstLine(task.result)}`, retryable: false };
      if (job.jobId === undefined) {
        const started = crashed ? { failed: crashed } : (task.result as BulkStartResult);
        job.attempt++;
        if ('jobId' in started) {
          job.jobId = started.jobId;
          job.startedAt = context.df.currentUtcDateTime.getTime();
          next.push(job);
        } else if (started.failed.retryable && job.attempt < ATTEMPTS) {
          wait = Math.max(wait, Math.min(MAX_WAIT_MS, started.failed.retryAfterMs ?? backoffMs(job.attempt)));
          next.push(job);
        }
        // Otherwise the batches take over.
        continue;
      }
      const checked: BulkCheckResult = crashed ? { state: 'failed', failed: crashed, jobFailed: false } : (task.result as BulkCheckResult);
      if (checked.state === 'done') {
        settleJob(job, checked);
      } else if (checked.state === 'pending') {
        job.checkFailures = 0;
        if (context.df.currentUtcDateTime.getTime() - job.startedAt < MAX_BULK_JOB_MS) next.push(job);
      } else if (checked.jobFailed) {
        // The job changed nothing to count on: a new upload, if it may help.
        if (checked.failed.retryable && job.attempt < ATTEMPTS) {
          job.jobId = undefined;
          wait = Math.max(wait, backoffMs(job.attempt));
          next.push(job);
        }
      } else if (checked.failed.retryable && ++job.checkFailures < ATTEMPTS) {
        wait = Math.max(wait, Math.min(MAX_WAIT_MS, checked.failed.retryAfterMs ?? backoffMs(job.checkFailures)));
        next.push(job);
      }
    }
    active = next;
    if (active.length > 0) yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + wait));
  }
}

/** The job's outcome counts as the batches' would, and its slices are no longer the send stage's to send. */
function settleJob(job: Job, outcome: { done: number; accepted: number; rejected: number }): void {
  const { state, input } = job;
  if (input.kind === 'add') {
    state.tally = addDelivery(state.tally, { sent: outcome.done, accepted: outcome.accepted, rejected: outcome.rejected });
    state.changes = { ...state.changes!, adds: [], replaceFirst: false };
  } else {
    state.tally = addRemovals(state.tally, { failed: outcome.rejected });
    state.changes = { ...state.changes!, removes: [] };
  }
}

/** An activity's failure, without the stack trace the SDK appends. */
const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim().slice(0, 300);

const records = (slices: WorkFileSlice[]) => slices.reduce((sum, slice) => sum + slice.records, 0);


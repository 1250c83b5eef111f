import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import type { SegmentRun } from '../../shared/domain/run.js';
import { applyLimits, earlySendRule, planUploads } from '../../shared/pipeline/limits.js';
import { runStatus } from '../../shared/pipeline/counts/outcome.js';
import type { BeginResult, EnsureAudienceResult, FinishInput, PrepareStepResult, ProgressInput, RunInput, RunPlan } from '../../shared/pipeline/run-steps.js';
import { addDelivery, addRemovals, applyDecision, failBeforeSend, settle, startTally, withLedger, withPlan } from '../../shared/pipeline/counts/tally.js';
import { sliceRest, undelivered, type WorkFileSlice } from '../../shared/pipeline/run-files/work-files.js';
import type { CommitInput, CommittedLedger } from '../../shared/sync/commit.js';
import type { PlanInput, PlannedChanges } from '../../shared/sync/plan.js';
import type { SendFailure, SendInput, SendResult } from '../../shared/sync/send.js';
import { ACTIVITY_PATIENCE_MS } from '../../shared/destinations/common/pacing.js';
import { sendInBulk } from './bulk-stage.js';
import { sendInSessions } from './session-stage.js';
import { activities, EXPORT_RUN_ORCHESTRATION } from './names.js';
import { SEND_ROUNDS_PER_EXECUTION } from './history-budget.js';
import { settleAll } from './settle.js';

/**
 * One run of one export, as stages over one state record per segment: prepare every
 * segment (fan-out), apply the destination's limits, make sure each audience exists, plan
 * the changes against the membership ledger, send them with a bounded number in flight,
 * commit what the destination confirmed to the ledger, then record the outcome.
 * Everything here must replay identically: no clocks but currentUtcDateTime, no I/O but
 * activities and timers.
 */

/** For activities that crash (storage outage, a lost worker): the SDK tries them again. */
const retry = new df.RetryOptions(1_000, 4);
retry.backoffCoefficient = 2;
retry.maxRetryIntervalInMilliseconds = 30_000;

/** Destination failures get this many attempts per slice (or audience) in a run, waiting in durable timers between them. */
const DESTINATION_ATTEMPTS = 5;
/** The longest Retry-After honoured (Microsoft Advertising's bulk quota asks up to 15 minutes). */
const MAX_WAIT_MS = 15 * 60_000;
const backoffMs = (attempt: number) => Math.min(60_000, 2_000 * 2 ** (attempt - 1));
const waitFor = (failure: SendFailure, attempt: number) => Math.min(MAX_WAIT_MS, failure.retryAfterMs ?? backoffMs(attempt));
/**
 * A step refused for the rate comes back this much before its turn: the turn is kept for it,
 * and a step early waits out the rest inside its activity (at most its patience), while one
 * late leaves its turn unused. The timer, the episode and the activity's dispatch take time.
 */
const turnWait = (failure: SendFailure, attempt: number) => Math.max(0, waitFor(failure, attempt) - (failure.pending ? 0 : ACTIVITY_PATIENCE_MS));

interface SegmentState {
  index: number;
  name: string;
  tally: SegmentRun;
  /** Work files of valid members, from preparation. */
  workFiles: WorkFileSlice[];
  /** What the limits let through, in file order. */
  membership: WorkFileSlice[];
  audience?: { id: string; created: boolean };
  /** The audience check beside preparation was told to wait for its turn at the rate: the orchestration time (ms) to come back. */
  audienceTurnAt?: number;
  /** Parts of the membership delivered already, each its file's first `records`: at the audience's creation, or while preparing. */
  delivered: WorkFileSlice[];
  /** A batch sent while preparing replaced the audience's membership. */
  replaced: boolean;
  /** Work files the destination failed while preparing sent them, by name: the send stage takes their rest as a second attempt. */
  failedEarly: Map<string, SendFailure>;
  changes?: PlannedChanges;
  /** Rows sent that failed for good (in the report as upload-failed). */
  failedRows: number;
}

const running = (state: SegmentState) => state.tally.status === 'running';

/** What every per-segment activity is told first: which run, export and segment. */
const segmentRef = (run: Run, state: SegmentState) => ({ runId: run.plan.runId, exportId: run.plan.exportId, segment: state.name, segmentIndex: state.index });

interface Run {
  context: OrchestrationContext;
  /** What started the run (without a resume point). */
  input: RunInput;
  plan: RunPlan;
  states: SegmentState[];
  now(): string;
  progress(stage: string, done?: number, total?: number): void;
  /**
   * The send stage's last progress record, written beside the ledger commit rather than on a
   * round trip of its own (a small refresh sends in one window, so that was every run's).
   */
  lastSendProgress?: ProgressInput;
}

export const exportRun: OrchestrationHandler = function* (context: OrchestrationContext) {
  const { resume, ...input } = context.df.getInput<ExportRunInput>();
  let run: Run;
  if (resume) run = resumedRun(context, input, resume);
  else {
    const begin = (yield context.df.callActivityWithRetry(activities.beginRun, retry, { input, now: context.df.currentUtcDateTime.toISOString() })) as BeginResult;
    if ('failed' in begin) return continueWith(context, yield* claimFollowUp(context, input), { status: 'failed', reason: begin.failed });
    run = newRun(context, input, begin.plan);
  }
  const { plan, now } = run;
  let final: FinishInput;
  try {
    if (!resume) {
      yield* prepare(run);
      yield* limits(run);
      yield* audiences(run);
      yield* planChanges(run);
      yield* sendInBulk(run);
      yield* sendInSessions(run);
    }
    if (!(yield* sendChanges(run, resume))) return { status: 'running', continuedAsNew: 'sending' };
    yield* commitLedgers(run);
    const segments = run.states.map((state) => settle(state.tally, state.failedRows));
    final = { runId: plan.runId, exportId: plan.exportId, status: runStatus(segments), segments };
  } catch (error) {
    // An activity failed beyond its retries (storage outage, a bug): the run still ends with
    // a record, every count gathered so far kept. The ledger is as the last commit left it.
    const reason = `internal-error: ${errorMessage(error)}`;
    const segments = run.states.map((state) => (running(state) || state.tally.status === 'pending' ? failBeforeSend(state.tally, reason) : state.tally));
    final = { runId: plan.runId, exportId: plan.exportId, status: 'failed', reason, segments };
  }
  // The reading and the claim side by side: neither waits for the other, and the claim still
  // comes before the record is final (once a client sees the run end, the instance ends too).
  const insights = context.df.callActivity(activities.readAudienceInsights, { exportId: plan.exportId, runId: plan.runId, segments: final.segments });
  const claim = context.df.callActivityWithRetry(activities.claimFollowUp, retry, { exportId: input.exportId, now: now() });
  yield* settleAll(context, [insights, claim]);
  if (claim.isFaulted) throw claim.result;
  const next = claim.result as RunInput | null;
  yield* finish(run, final);
  return continueWith(context, next, { status: final.status, ...(final.reason ? { reason: final.reason } : {}) });
};

function newRun(context: OrchestrationContext, input: RunInput, plan: RunPlan): Run {
  const states = plan.segments.map((name, index): SegmentState => ({
    index,
    name,
    tally: startTally({ segment: name, segmentIndex: index, failed: 'not prepared' }),
    workFiles: [],
    membership: [],
    delivered: [],
    replaced: false,
    failedEarly: new Map(),
    failedRows: 0,
  }));
  return {
    context,
    input,
    plan,
    states,
    now: () => context.df.currentUtcDateTime.toISOString(),
    progress: (stage, done = 0, total = 0) => context.df.setCustomStatus({ runId: plan.runId, stage, workFilesDone: done, workFilesTotal: total }),
  };
}

/** The run as its previous execution left it, at the send stage. */
function resumedRun(context: OrchestrationContext, input: RunInput, resume: SendResume): Run {
  const run = newRun(context, input, resume.plan);
  // The early failures only shaped the send queue, which the resume point carries.
  run.states = resume.states.map((state) => ({ ...state, failedEarly: new Map() }));
  if (resume.lastSendProgress) run.lastSendProgress = resume.lastSendProgress;
  return run;
}

/**
 * Prepares every segment. Where the destination creates audiences empty, each segment may
 * also send its work files as they are written, within the limits' early-send rule; what it
 * sent comes back per work file, and the stages below send only the rest. A segment whose
 * ledger tracks members (a refresh) has its audience checked meanwhile (`RunPlan.tracked`).
 */
function* prepare(run: Run): Generator<Task, void, any> {
  const { plan } = run;
  run.progress('preparing');
  const tasks = run.states.map((state) => {
    // A tracked segment never sends while preparing (its members are not all adds): the rule
    // would only make preparation ask the ledger again what begin-run read.
    const rule = plan.sendWhilePreparing && !plan.tracked?.[state.index] ? earlySendRule(plan.limits, state.index, plan.truncate) : undefined;
    return run.context.df.callActivityWithRetry(activities.prepareSegment, retry, { ...segmentRef(run, state), ...(rule ? { sendWhilePreparing: rule } : {}) });
  });
  const checks = run.states
    .filter((state) => plan.tracked?.[state.index])
    .map((state) => ({ state, task: run.context.df.callActivityWithRetry(activities.ensureAudience, retry, segmentRef(run, state)) }));
  yield* settleAll(run.context, [...tasks, ...checks.map((check) => check.task)]);
  const audienceChecked = new Map(checks.map(({ state, task }) => [state, task]));
  tasks.forEach((task, i) => {
    const state = run.states[i]!;
    const prepared: PrepareStepResult = task.isCompleted
      ? (task.result as PrepareStepResult)
      : { segment: state.name, segmentIndex: state.index, failed: `prepare-failed: ${errorMessage(task.result)}` };
    state.tally = startTally(prepared);
    if ('failed' in prepared) return;
    const check = audienceChecked.get(state);
    if (check) takeAudienceCheck(run, state, check);
    state.workFiles = prepared.workFiles;
    const sent = prepared.sentWhilePreparing;
    if (!sent) return;
    state.audience = { id: sent.audienceId, created: sent.created };
    state.tally = { ...state.tally, audienceId: sent.audienceId, ...(sent.notice ? { reason: sent.notice } : {}) };
    state.replaced = sent.replaced;
    for (const file of sent.files) {
      if (file.failed) state.failedEarly.set(file.name, file.failed);
      state.delivered.push({ name: file.name, records: file.done });
      state.tally = addDelivery(state.tally, { sent: file.done, accepted: file.accepted, rejected: file.rejected });
    }
  });
}

/**
 * What the audience check beside preparation found. A check refused for the rate keeps its
 * turn, and the audiences stage comes back at it; one that failed is simply made again there,
 * with all its attempts.
 */
function takeAudienceCheck(run: Run, state: SegmentState, task: Task): void {
  const result = resultOr<EnsureAudienceResult>(task, (failed) => ({ failed }));
  if ('failed' in result) {
    if (result.failed.paced) state.audienceTurnAt = run.context.df.currentUtcDateTime.getTime() + turnWait(result.failed, 1);
    return;
  }
  state.audience = { id: result.audienceId, created: result.created };
  state.tally = { ...state.tally, audienceId: result.audienceId, ...(result.notice ? { reason: result.notice } : {}) };
}

/**
 * The destination's limits apply to the segment's membership (not to the number of
 * changes). Rows that will not be sent are listed in the report with the reason: over the
 * limit, or the whole segment when it is skipped or failed for its size.
 */
function* limits(run: Run): Generator<Task, void, any> {
  const { plan, context } = run;
  const decisions = applyLimits(plan.limits, run.states.map((s) => (running(s) ? s.tally.valid : 0)), plan.truncate);
  const reports: Task[] = [];
  const report = (state: SegmentState, slice: WorkFileSlice, reason: string, part: string) =>
    reports.push(
      context.df.callActivityWithRetry(activities.reportSlice, retry, { runId: plan.runId, segment: state.name, segmentIndex: state.index, slice, reason, part }),
    );
  run.states.forEach((state, i) => {
    if (!running(state)) {
      // A file that failed after rows were read: its valid rows are listed too.
      if (state.tally.reason) for (const slice of state.workFiles) report(state, slice, state.tally.reason, 'not-sent');
      return;
    }
    const decision = decisions[i]!;
    state.tally = applyDecision(state.tally, decision);
    if (decision.action === 'send') {
      const { upload, overLimit } = planUploads(state.workFiles, decision.send);
      state.membership = upload;
      for (const slice of overLimit) report(state, slice, 'over-limit', 'over-limit');
    } else {
      for (const slice of state.workFiles) report(state, slice, decision.reason, decision.reason);
    }
  });
  if (reports.length > 0) yield context.df.Task.all(reports);
}

function* audiences(run: Run): Generator<Task, void, any> {
  const { plan, context } = run;
  run.progress('creating-audiences');
  let pending = run.states.filter((state) => running(state) && !state.audience).map((state) => ({ state, attempt: 1 }));
  // A check beside preparation that was refused for the rate: its kept turn comes first.
  const turn = Math.max(0, ...pending.map(({ state }) => state.audienceTurnAt ?? 0));
  yield* sleep(context, turn - context.df.currentUtcDateTime.getTime());
  while (pending.length > 0) {
    const tasks = pending.map(({ state }) =>
      context.df.callActivityWithRetry(activities.ensureAudience, retry, {
        ...segmentRef(run, state),
        ...(plan.audienceCreationNeedsMembers && state.membership[0] ? { firstWorkFile: state.membership[0] } : {}),
      }),
    );
    yield* settleAll(context, tasks);
    const again: typeof pending = [];
    let wait = 0;
    for (const [k, task] of tasks.entries()) {
      const { state, attempt } = pending[k]!;
      const result = resultOr<EnsureAudienceResult>(task, (failed) => ({ failed }));
      if (!('failed' in result)) {
        const delivered = result.membersIncluded ? state.membership[0] : undefined;
        state.audience = { id: result.audienceId, created: result.created };
        state.tally = { ...state.tally, audienceId: result.audienceId, ...(result.notice ? { reason: result.notice } : {}) };
        if (delivered) state.delivered.push(delivered);
        if (delivered) state.tally = addDelivery(state.tally, { sent: delivered.records, accepted: result.accepted, rejected: result.rejected });
      } else if (result.failed.paced || (result.failed.retryable && attempt < DESTINATION_ATTEMPTS)) {
        // Waiting for a turn at the rate is no attempt.
        again.push({ state, attempt: result.failed.paced ? attempt : attempt + 1 });
        wait = Math.max(wait, result.failed.paced ? turnWait(result.failed, attempt) : waitFor(result.failed, attempt));
      } else {
        yield* failSegment(run, state, `audience-failed: ${result.failed.reason}`);
      }
    }
    if (again.length > 0) yield* sleep(context, wait);
    pending = again;
  }
}

function* planChanges(run: Run): Generator<Task, void, any> {
  const { plan, context } = run;
  run.progress('planning');
  const planned = run.states.filter((state) => running(state) && state.audience);
  const tasks = planned.map((state) =>
    context.df.callActivityWithRetry(activities.planChanges, retry, {
      ...segmentRef(run, state),
      audienceId: state.audience!.id,
      audienceCreated: state.audience!.created,
      membership: state.membership,
      delivered: state.delivered,
      replaced: state.replaced,
      full: plan.full,
      now: run.now(),
    } satisfies PlanInput),
  );
  yield* settleAll(context, tasks);
  for (const [k, task] of tasks.entries()) {
    const state = planned[k]!;
    if (task.isCompleted) {
      state.changes = task.result as PlannedChanges;
      state.tally = withPlan(state.tally, state.changes);
    } else {
      yield* failSegment(run, state, `plan-failed: ${errorMessage(task.result)}`);
    }
  }
}

/** Sent so far (slices done) of all to send, and the last tenth recorded. */
interface SendProgress {
  done: number;
  total: number;
  lastDecile: number;
}

/** Where a run's send stage stopped, carried as the input of its next execution (continue-as-new). */
export interface SendResume {
  plan: RunPlan;
  states: Omit<SegmentState, 'failedEarly'>[];
  /** What is left to send, phase by phase, each item naming its segment by index. */
  phases: (Omit<SendItem, 'state'> & { segmentIndex: number })[][];
  progress: SendProgress;
  lastSendProgress?: ProgressInput;
}

/** A run's input: how it started, and in a later execution where it goes on. */
export type ExportRunInput = RunInput & { resume?: SendResume };

interface SendItem {
  state: SegmentState;
  kind: SendInput['kind'];
  slice: WorkFileSlice;
  replaceFirst: boolean;
  attempt: number;
  /** Not to be sent before this orchestration time (ms): its turn at the rate, or the end of a Retry-After or backoff. */
  notBefore?: number;
  /** The replace waits for this removal to be processed (Google's remove-all): checked again at notBefore. */
  pending?: SendFailure['pending'];
}

/**
 * Sends every segment's adds and removes, up to `maxUploadsInFlight` slices at a time (fan
 * out a window, fan in, next window: a task yielded once must never join a second compound
 * task, or the SDK schedules it again). Activities never wait long for the destination's
 * rate: one sends what its turns allow and returns with the time of its next turn (paced),
 * and the slice goes again then, after a durable timer, from where it stopped; so exports to
 * other destinations, or other accounts, are never queued behind a slow one. A slice that
 * fails goes again after its Retry-After (or backoff), and after the last attempt its rest
 * is reported. A batch that replaces the membership goes before everything else of its
 * segment.
 */
function* sendChanges(run: Run, resume?: SendResume): Generator<Task, boolean, any> {
  const phases = resume ? resume.phases.map((items) => items.map(({ segmentIndex, ...item }) => ({ ...item, state: run.states[segmentIndex]! }))) : yield* queueChanges(run);
  const progress = resume?.progress ?? { done: 0, total: phases.reduce((n, items) => n + items.length, 0), lastDecile: -1 };
  run.progress('sending', progress.done, progress.total);
  const budget = { rounds: SEND_ROUNDS_PER_EXECUTION };
  // Phase by phase: a batch that replaces the membership goes before everything else.
  for (const items of phases) {
    if (yield* sendAll(run, items, progress, budget)) continue;
    run.context.df.continueAsNew({ ...run.input, resume: resumePoint(run, phases, progress) } satisfies ExportRunInput);
    return false;
  }
  return true;
}

/** What the next execution needs to go on sending: the plan, every segment's state and what is left to send. */
function resumePoint(run: Run, phases: SendItem[][], progress: SendProgress): SendResume {
  return {
    plan: run.plan,
    states: run.states.map(({ failedEarly: _shapedTheQueue, ...state }) => state),
    phases: phases.filter((items) => items.length > 0).map((items) => items.map(({ state, ...item }) => ({ ...item, segmentIndex: state.index }))),
    progress,
    ...(run.lastSendProgress ? { lastSendProgress: run.lastSendProgress } : {}),
  };
}

/** Every segment's planned slices as send items: the batches that replace a membership first, then the rest. */
function* queueChanges(run: Run): Generator<Task, SendItem[][], any> {
  const first: SendItem[] = [];
  const rest: SendItem[] = [];
  const failedForGood: { item: SendItem; failure: SendFailure }[] = [];
  // What failed while preparing had its first attempt there (a refused turn at the rate is
  // none): its Retry-After (or backoff) comes first.
  const notBefore = run.context.df.currentUtcDateTime.getTime();
  for (const state of run.states) {
    if (!state.changes || !running(state)) continue;
    state.changes.adds.forEach((slice, i) => {
      const replaceFirst = i === 0 && state.changes!.replaceFirst;
      const failure = state.failedEarly.get(slice.name);
      const item: SendItem = { state, kind: 'add', slice, replaceFirst, attempt: failure && !failure.paced ? 2 : 1 };
      if (failure?.retryable) item.notBefore = notBefore + waitFor(failure, 1);
      if (replaceFirst && failure?.pending) item.pending = failure.pending;
      if (failure && !failure.retryable) failedForGood.push({ item, failure });
      else (replaceFirst ? first : rest).push(item);
    });
    for (const slice of state.changes.removes) rest.push({ state, kind: 'remove', slice, replaceFirst: false, attempt: 1 });
  }
  for (const { item, failure } of failedForGood) yield* giveUp(run, item, item.slice, failure.reason);
  return [first, rest];
}

/**
 * Sends the queue's items until it is empty (true), or until the execution's rounds are
 * used up (false; what is left stays in `queue`, nothing in flight).
 */
function* sendAll(run: Run, queue: SendItem[], progress: SendProgress, budget: { rounds: number }): Generator<Task, boolean, any> {
  const { plan, context } = run;
  while (queue.length > 0) {
    if (budget.rounds-- <= 0) return false;
    const window = takeDue(queue, context.df.currentUtcDateTime.getTime(), plan.maxUploadsInFlight);
    if (window.length === 0) {
      yield* sleep(context, Math.min(...queue.map((item) => item.notBefore ?? 0)) - context.df.currentUtcDateTime.getTime());
      continue;
    }
    const tasks = window.map((item) =>
      context.df.callActivityWithRetry(activities.sendChanges, retry, {
        ...segmentRef(run, item.state),
        audienceId: item.state.audience!.id,
        kind: item.kind,
        slice: item.slice,
        batchSize: item.kind === 'remove' ? (plan.limits.removeBatchSize ?? plan.limits.batchSize) : plan.limits.batchSize,
        ...(item.replaceFirst ? { replaceFirst: true } : {}),
        ...(item.replaceFirst && item.pending ? { pendingRemoval: item.pending } : {}),
      } satisfies SendInput),
    );
    yield* settleAll(context, tasks);
    const now = context.df.currentUtcDateTime.getTime();
    const again: SendItem[] = [];
    for (const [k, task] of tasks.entries()) {
      const item = window[k]!;
      const result = resultOr<SendResult>(task, (failed) => ({ done: 0, accepted: 0, rejected: 0, failed }));
      const { state } = item;
      if (item.kind === 'add') state.tally = addDelivery(state.tally, { sent: result.done, accepted: result.accepted, rejected: result.rejected });
      else state.tally = addRemovals(state.tally, { failed: result.rejected });
      if (!result.failed) {
        progress.done++;
        continue;
      }
      const remaining = sliceRest(item.slice, result.done);
      const replaceFirst = item.replaceFirst && result.done === 0;
      if (result.failed.paced) {
        // A replace whose removal is processing comes back to check it (`pending`), not to start another.
        again.push({ ...item, slice: remaining, replaceFirst, notBefore: now + turnWait(result.failed, item.attempt), ...(result.failed.pending ? { pending: result.failed.pending } : {}) });
      } else if (result.failed.retryable && item.attempt < DESTINATION_ATTEMPTS) {
        again.push({ ...item, slice: remaining, replaceFirst, attempt: item.attempt + 1, notBefore: now + waitFor(result.failed, item.attempt) });
      } else {
        progress.done++;
        yield* giveUp(run, item, remaining, result.failed.reason);
      }
    }
    // Back at the front: a slice that waits keeps its place (and the batch that replaces stays first).
    queue.unshift(...again);
    run.progress('sending', progress.done, progress.total);
    const decile = progress.total === 0 ? 10 : Math.floor((progress.done * 10) / progress.total);
    if (decile !== progress.lastDecile) {
      progress.lastDecile = decile;
      const record: ProgressInput = { runId: plan.runId, exportId: plan.exportId, stage: 'sending', workFilesDone: progress.done, workFilesTotal: progress.total };
      if (queue.length === 0) run.lastSendProgress = record;
      else yield context.df.callActivity(activities.recordProgress, record);
    }
  }
  return true;
}

/** Takes out of the queue, in order, up to `max` items that may go at `now`. */
function takeDue(queue: SendItem[], now: number, max: number): SendItem[] {
  const due: SendItem[] = [];
  for (let i = 0; i < queue.length && due.length < max; ) {
    if ((queue[i]!.notBefore ?? 0) <= now) due.push(...queue.splice(i, 1));
    else i++;
  }
  return due;
}

/** A slice failed for good: its rows not delivered are reported (adds) or owed for the next run (removals, kept in the ledger). */
function* giveUp(run: Run, item: SendItem, remaining: WorkFileSlice, reason: string): Generator<Task, void, any> {
  const { state } = item;
  // The destination's own words (a flagged audience, refused terms) become the segment's reason, once.
  const cause = `${item.kind === 'remove' ? 'remove-failed' : 'upload-failed'}: ${reason}`;
  if (!state.tally.reason?.includes(cause)) state.tally = { ...state.tally, reason: [state.tally.reason, cause].filter(Boolean).join('; ') };
  if (item.kind === 'remove') {
    state.tally = addRemovals(state.tally, { failed: remaining.records });
    return;
  }
  yield run.context.df.callActivityWithRetry(activities.reportSlice, retry, {
    runId: run.plan.runId, segment: state.name, segmentIndex: state.index, slice: remaining, reason: `upload-failed: ${reason}`, part: 'upload-failed',
  });
  state.failedRows += remaining.records;
  state.tally = addDelivery(state.tally, { sent: remaining.records, accepted: 0, rejected: remaining.records });
}

function* commitLedgers(run: Run): Generator<Task, void, any> {
  const { context } = run;
  run.progress('committing');
  const planned = run.states.filter((state) => state.changes);
  const tasks = planned.map((state) =>
    context.df.callActivityWithRetry(activities.commitLedger, retry, {
      ...segmentRef(run, state),
      audienceId: state.audience!.id,
      now: run.now(),
    } satisfies CommitInput),
  );
  // Progress is for people watching: its record failing must not fail the commit beside it.
  const progress = run.lastSendProgress ? [context.df.callActivity(activities.recordProgress, run.lastSendProgress)] : [];
  yield* settleAll(context, [...tasks, ...progress]);
  tasks.forEach((task, k) => {
    const state = planned[k]!;
    if (task.isCompleted) state.tally = withLedger(state.tally, task.result as CommittedLedger);
    else state.tally = { ...state.tally, reason: [state.tally.reason, `ledger-not-updated: ${errorMessage(task.result)}`].filter(Boolean).join('; ') };
  });
}

/** The segment fails before (the rest of) its members were sent: every member not sent is in the report with the reason. */
function* failSegment(run: Run, state: SegmentState, reason: string): Generator<Task, void, any> {
  const unsent = undelivered(state.membership, state.delivered);
  if (unsent.length > 0) {
    yield run.context.df.Task.all(
      unsent.map((slice) =>
        run.context.df.callActivityWithRetry(activities.reportSlice, retry, {
          runId: run.plan.runId, segment: state.name, segmentIndex: state.index, slice, reason, part: 'not-sent',
        }),
      ),
    );
  }
  state.tally = failBeforeSend(state.tally, reason);
}

function* finish(run: Run, input: FinishInput): Generator<Task, void, any> {
  run.context.df.setCustomStatus({ runId: input.runId, stage: 'finished', status: input.status });
  yield run.context.df.callActivityWithRetry(activities.finishRun, retry, { input, now: run.now() });
}

/**
 * A segment file that landed while this run was active asked for a follow-up: it runs as
 * this instance's next generation (continue-as-new keeps the instance id, so no other run
 * can start in between) and reads the newest file.
 */
function* claimFollowUp(context: OrchestrationContext, input: RunInput): Generator<Task, RunInput | null, any> {
  return (yield context.df.callActivityWithRetry(activities.claimFollowUp, retry, {
    exportId: input.exportId,
    now: context.df.currentUtcDateTime.toISOString(),
  })) as RunInput | null;
}

function continueWith(context: OrchestrationContext, next: RunInput | null, outcome: { status: string; reason?: string }): unknown {
  if (next) {
    context.df.continueAsNew(next);
    return { ...outcome, followUpRunId: next.runId };
  }
  return outcome;
}

function* sleep(context: OrchestrationContext, ms: number): Generator<Task, void, any> {
  if (ms <= 0) return;
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + ms));
}


/**
 * A destination step's result, or, when its activity failed beyond the SDK's retries (a
 * crash, not a destination's answer), a failure the stage reports without retrying.
 */
function resultOr<T>(task: Task, failedWith: (failure: SendFailure) => T): T {
  return task.isCompleted ? (task.result as T) : failedWith({ reason: `transient: ${errorMessage(task.result)}`, retryable: false });
}

/** The failure's first line: the SDK appends the activity's stack trace, which has no place in a report. */
function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n')[0]!.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

df.app.orchestration(EXPORT_RUN_ORCHESTRATION, exportRun);

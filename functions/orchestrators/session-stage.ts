import * as df from 'durable-functions';
import type { OrchestrationContext, Task } from 'durable-functions';
import type { SegmentRun } from '../../shared/domain/run.js';
import { addDelivery } from '../../shared/pipeline/counts/tally.js';
import type { RunPlan } from '../../shared/pipeline/run-steps.js';
import type { PlannedChanges } from '../../shared/sync/plan.js';
import type { SendFailure } from '../../shared/sync/send.js';
import type { SessionCursor, SessionSendInput, SessionSendResult } from '../../shared/sync/session-send.js';
import { activities } from './names.js';
import { settleAll } from './settle.js';

/**
 * The session stage of a run, between planning and sending: a full sync planned as one
 * replace session (`PlannedChanges.session`, Meta's `usersreplace`) sends all of the
 * segment's adds, in order, in one session the service swaps in when it ends. Short
 * activities send as far as the rate allows and hand back the session's cursor; the
 * orchestration keeps the cursor and calls again (after a durable timer when paced or
 * throttled). A session that cannot go on is started again from its first record; one that
 * fails every start leaves the audience as it was, its rows reported and its reason the
 * segment's. What a session delivered leaves the planned changes, so the send stage sends
 * only the rest.
 */

/** The part of the orchestrator's run this stage reads and updates. */
export interface SessionStageRun {
  context: OrchestrationContext;
  plan: RunPlan;
  states: SessionStageSegment[];
  progress(stage: string, done?: number, total?: number): void;
}

interface SessionStageSegment {
  index: number;
  name: string;
  tally: SegmentRun;
  audience?: { id: string };
  changes?: PlannedChanges;
  failedRows: number;
}

const retry = new df.RetryOptions(1_000, 4);
retry.backoffCoefficient = 2;
retry.maxRetryIntervalInMilliseconds = 30_000;

/** Failures in a row at one point of a session (throttled, a dropped answer) before it is started again. */
const ATTEMPTS = 5;
/** Starts of a session, the first included, before the segment's full sync is given up. */
const STARTS = 3;
/** The longest wait honoured (Meta's usage header may ask for minutes). */
const MAX_WAIT_MS = 15 * 60_000;
const backoffMs = (attempt: number) => Math.min(60_000, 2_000 * 2 ** (attempt - 1));

interface Session {
  state: SessionStageSegment;
  cursor?: SessionCursor;
  attempt: number;
  starts: number;
  notBefore: number;
}

export function* sendInSessions(run: SessionStageRun): Generator<Task, void, any> {
  const { context, plan } = run;
  const now = () => context.df.currentUtcDateTime.getTime();
  let pending: Session[] = run.states
    .filter((state) => state.tally.status === 'running' && state.audience && state.changes?.session && state.changes.adds.length > 0)
    .map((state) => ({ state, attempt: 1, starts: 1, notBefore: 0 }));
  const total = pending.length;
  if (total === 0) return;
  run.progress('sending', 0, total);
  while (pending.length > 0) {
    const due = pending.filter((session) => session.notBefore <= now()).slice(0, plan.maxUploadsInFlight);
    if (due.length === 0) {
      yield context.df.createTimer(new Date(Math.min(...pending.map((session) => session.notBefore))));
      continue;
    }
    const tasks = due.map(({ state, cursor }) =>
      context.df.callActivityWithRetry(activities.sendSession, retry, {
        runId: plan.runId,
        exportId: plan.exportId,
        segment: state.name,
        segmentIndex: state.index,
        audienceId: state.audience!.id,
        slices: state.changes!.adds,
        batchSize: plan.limits.batchSize,
        ...(cursor ? { cursor } : {}),
      } satisfies SessionSendInput),
    );
    yield* settleAll(context, tasks);
    const ended = new Set<Session>();
    for (const [k, task] of tasks.entries()) {
      const session = due[k]!;
      const result: SessionSendResult | undefined = task.isCompleted ? (task.result as SessionSendResult) : undefined;
      // A crashed activity may have sent requests nobody counted: the session cannot go on.
      const failed: SendFailure | undefined = result ? result.failed : { reason: `transient: ${firstLine(task.result)}`, retryable: false };
      if (result?.complete) {
        const { cursor } = result;
        session.state.tally = addDelivery(session.state.tally, { sent: cursor.sent, accepted: cursor.accepted, rejected: cursor.rejected });
        session.state.changes = { ...session.state.changes!, adds: [], session: false };
        ended.add(session);
        continue;
      }
      const moved = result !== undefined && result.cursor.sent > (session.cursor?.sent ?? 0);
      if (result && !failed) {
        session.cursor = result.cursor;
        session.attempt = 1;
      } else if (result && failed!.paced) {
        session.cursor = result.cursor;
        session.notBefore = now() + Math.min(MAX_WAIT_MS, failed!.retryAfterMs ?? 1_000);
      } else if (result && failed!.retryable && (moved || session.attempt < ATTEMPTS)) {
        session.attempt = moved ? 1 : session.attempt + 1;
        session.cursor = result.cursor;
        session.notBefore = now() + Math.min(MAX_WAIT_MS, failed!.retryAfterMs ?? backoffMs(session.attempt));
      } else if (session.starts < STARTS) {
        // From the first record, under a new id: the service forgets the broken session.
        session.starts++;
        session.attempt = 1;
        session.cursor = undefined;
        session.notBefore = now() + backoffMs(session.starts);
      } else {
        yield* giveUp(run, session.state, failed!.reason);
        ended.add(session);
      }
    }
    pending = pending.filter((session) => !ended.has(session));
    run.progress('sending', total - pending.length, total);
  }
}

/**
 * Every start of the session failed: the audience holds what it held (the service swaps
 * only at the end), the ledger owes removals of what it tracked (planChanges wrote that),
 * and every row of the session is reported with the reason, which is also the segment's.
 */
function* giveUp(run: SessionStageRun, state: SessionStageSegment, reason: string): Generator<Task, void, any> {
  const slices = state.changes!.adds;
  const cause = `replace-session-failed: ${reason}`;
  yield run.context.df.Task.all(
    slices.map((slice) =>
      run.context.df.callActivityWithRetry(activities.reportSlice, retry, {
        runId: run.plan.runId, segment: state.name, segmentIndex: state.index, slice, reason: `upload-failed: ${cause}`, part: 'upload-failed',
      }),
    ),
  );
  const rows = slices.reduce((sum, slice) => sum + slice.records, 0);
  state.failedRows += rows;
  state.tally = { ...addDelivery(state.tally, { sent: rows, accepted: 0, rejected: rows }), reason: [state.tally.reason, cause].filter(Boolean).join('; ') };
  state.changes = { ...state.changes!, adds: [], session: false };
}

/** An activity's failure, without the stack trace the SDK appends. */
const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim().slice(0, 300);

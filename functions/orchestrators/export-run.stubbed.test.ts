import * as df from 'durable-functions';
import type { OrchestrationContext } from 'durable-functions';
import { describe, expect, it } from 'vitest';
import { microsoftAdvertisingLimits } from '../../shared/destinations/microsoft-advertising/definition.js';
import type { SegmentRun } from '../../shared/domain/run.js';
import { reconciliationErrors } from '../../shared/pipeline/counts/outcome.js';
import type { BeginResult, FinishInput, PrepareStepResult, RunPlan } from '../../shared/pipeline/run-steps.js';
import type { PlannedChanges } from '../../shared/sync/plan.js';
import type { SendInput, SendResult } from '../../shared/sync/send.js';
import { exportRun } from './export-run.js';
import { SEND_ROUNDS_PER_EXECUTION } from './history-budget.js';
import { activities } from './names.js';
import { ACTIVITY_PATIENCE_MS } from '../../shared/destinations/common/pacing.js';

/**
 * The orchestrator as a plain function, the way the SDK's own testing helpers suggest: a
 * `DummyOrchestrationContext` whose `df` is a stub, activity results in, the activities and
 * timers it schedules out. No storage and no driver: the decisions alone, fast. The
 * durable-driver tests beside this one run the same orchestrator for real.
 */

interface Scheduled {
  name: string;
  input: any;
  isCompleted: boolean;
  isFaulted: boolean;
  result?: unknown;
}

type Activities = Partial<Record<string, (input: any, call: number) => unknown>>;

const NOW = new Date('2026-12-01T06:00:00Z');

/**
 * Runs the orchestrator to its end. An execution that continues as new with a resume point
 * is followed by the next one, on its input as the history would carry it (JSON); a
 * continue-as-new without one (a follow-up run) ends the call.
 */
function run(input: unknown, answers: Activities): { calls: Scheduled[]; timers: Date[]; output: unknown; rounds: string[][]; resumed: any[] } {
  const calls: Scheduled[] = [];
  /** What each yield waited for: one name, or the names of a Task.all. */
  const rounds: string[][] = [];
  const timers: Date[] = [];
  const counts = new Map<string, number>();
  const schedule = (name: string, activityInput: unknown): Scheduled => {
    const task: Scheduled = { name, input: activityInput, isCompleted: false, isFaulted: false };
    calls.push(task);
    return task;
  };
  const context = new df.DummyOrchestrationContext('exportRun', 'invocation', () => undefined) as unknown as OrchestrationContext;
  // The orchestration's clock, as the engine keeps it: it moves on when a timer fires.
  let current = input;
  let continued: unknown;
  const resumed: any[] = [];
  const stub = {
    getInput: () => current,
    currentUtcDateTime: NOW,
    setCustomStatus: () => undefined,
    continueAsNew: (next: unknown) => void (continued = next),
    callActivityWithRetry: (name: string, _retry: unknown, activityInput: unknown) => schedule(name, activityInput),
    callActivity: (name: string, activityInput: unknown) => schedule(name, activityInput),
    createTimer: (at: Date) => {
      timers.push(at);
      return { name: 'timer', input: at, isCompleted: false, isFaulted: false };
    },
    Task: { all: (tasks: Scheduled[]) => ({ all: tasks }) },
  };
  (context as { df: unknown }).df = stub;
  const complete = (task: Scheduled) => {
    if (task.name === 'timer') {
      if (timers.length > 1_000) throw new Error('the orchestration keeps setting timers: its clock does not reach what it waits for');
      stub.currentUtcDateTime = new Date(Math.max(stub.currentUtcDateTime.getTime(), (task.input as Date).getTime()));
      return (task.isCompleted = true), undefined;
    }
    const call = (counts.get(task.name) ?? 0) + 1;
    counts.set(task.name, call);
    const answer = answers[task.name];
    task.result = answer ? answer(task.input, call) : undefined;
    task.isCompleted = true;
    return task.result;
  };

  for (;;) {
    const generator = exportRun(context) as Generator<unknown, unknown, unknown>;
    let step = generator.next();
    while (!step.done) {
      const yielded = step.value as Scheduled | { all: Scheduled[] };
      rounds.push('all' in yielded ? yielded.all.map((t) => t.name) : [yielded.name]);
      step = 'all' in yielded ? generator.next(yielded.all.map(complete)) : generator.next(complete(yielded));
    }
    const next = continued as { resume?: unknown } | undefined;
    continued = undefined;
    if (!next?.resume) return { calls, timers, output: step.value, rounds, resumed };
    current = JSON.parse(JSON.stringify(next));
    resumed.push(current);
  }
}

const plan = (over: Partial<RunPlan> = {}): BeginResult => ({
  plan: {
    runId: 'run-1',
    exportId: 'export-1',
    destinationType: 'microsoft-advertising',
    segments: ['buyers'],
    limits: microsoftAdvertisingLimits,
    truncate: false,
    audienceCreationNeedsMembers: false,
    maxUploadsInFlight: 8,
    full: false,
    sendWhilePreparing: false,
    ...over,
  },
});

const prepared = (valid: number, files: number[]): PrepareStepResult => ({
  segment: 'buyers',
  segmentIndex: 0,
  blobName: 'buyers/b.csv',
  columns: ['email'],
  read: valid + 7,
  valid,
  invalid: 5,
  duplicate: 2,
  suppressed: 0,
  workFiles: files.map((records, k) => ({ name: `run-1/000/0000${k + 1}.ndjson`, records })),
});

/** A refresh: 50 members held and still in, 20 left, 100 joined. */
const refreshPlan: PlannedChanges = {
  full: false,
  ledgerBefore: 70,
  unchanged: 50,
  adds: [{ name: 'run-1/000/adds-00001.ndjson', records: 100 }],
  addCount: 100,
  removes: [{ name: 'run-1/000/removes-00001.txt', records: 20 }],
  removeCount: 20,
  notRemoved: 0,
  replaceFirst: false,
};

const succeed = (input: SendInput): SendResult => ({ done: input.slice.records, accepted: input.slice.records, rejected: 0 });

const refresh: Activities = {
  [activities.beginRun]: () => plan(),
  [activities.prepareSegment]: () => prepared(150, [100, 50]),
  [activities.ensureAudience]: () => ({ audienceId: 'aud-1', created: false, membersIncluded: false, accepted: 0, rejected: 0 }),
  [activities.planChanges]: () => refreshPlan,
  [activities.sendChanges]: succeed,
  [activities.commitLedger]: () => ({ ledgerBefore: 70, ledgerAfter: 150, added: 100, removed: 20 }),
  [activities.claimFollowUp]: () => null,
};

const finished = (calls: Scheduled[]) => (calls.find((c) => c.name === activities.finishRun)!.input as { input: FinishInput }).input;

describe('export-run orchestrator, stubbed context', () => {
  it('runs the stages in order and records a refresh whose counts reconcile', () => {
    const { calls, output, rounds } = run({ runId: 'run-1', exportId: 'export-1', trigger: 'segment-refresh' }, refresh);

    // Each round trip to the activities costs a refresh time: the send stage's last progress
    // record goes with the commit, and the audience reading with the follow-up's claim.
    expect(rounds).toEqual([
      [activities.beginRun],
      [activities.prepareSegment],
      [activities.ensureAudience],
      [activities.planChanges],
      [activities.sendChanges, activities.sendChanges],
      [activities.commitLedger, activities.recordProgress],
      [activities.readAudienceInsights, activities.claimFollowUp],
      [activities.finishRun],
    ]);
    expect(calls.find((c) => c.name === activities.recordProgress)!.input).toMatchObject({ stage: 'sending', workFilesDone: 2, workFilesTotal: 2 });
    const sends = calls.filter((c) => c.name === activities.sendChanges).map((c) => (c.input as SendInput).kind);
    expect(sends.sort()).toEqual(['add', 'remove']);
    const segment = finished(calls).segments[0] as SegmentRun;
    expect(segment).toMatchObject({ status: 'succeeded', valid: 150, unchanged: 50, sent: 100, accepted: 100 });
    expect(segment.sync).toMatchObject({ added: 100, removed: 20, ledgerBefore: 70, ledgerAfter: 150 });
    expect(reconciliationErrors(segment)).toEqual([]);
    expect(output).toEqual({ status: 'succeeded' });
  });

  it('checks the audience of a segment its ledger tracks beside preparation, a round trip less', () => {
    const { calls, rounds } = run(
      { runId: 'run-1', exportId: 'export-1', trigger: 'segment-refresh' },
      { ...refresh, [activities.beginRun]: () => plan({ tracked: [true], sendWhilePreparing: true }) },
    );

    // Nothing to send while preparing, so preparation is not asked to look at the ledger again.
    expect(calls.find((c) => c.name === activities.prepareSegment)!.input.sendWhilePreparing).toBeUndefined();
    expect(rounds.slice(0, 3)).toEqual([[activities.beginRun], [activities.prepareSegment, activities.ensureAudience], [activities.planChanges]]);
    expect(calls.filter((c) => c.name === activities.ensureAudience)).toHaveLength(1);
    expect(calls.find((c) => c.name === activities.planChanges)!.input).toMatchObject({ audienceId: 'aud-1', audienceCreated: false });
    const segment = finished(calls).segments[0] as SegmentRun;
    expect(segment).toMatchObject({ status: 'succeeded', audienceId: 'aud-1', sent: 100 });
    expect(reconciliationErrors(segment)).toEqual([]);
  });

  it('comes back for the turn a check beside preparation was refused, and makes a failed check again', () => {
    const paced = { failed: { reason: 'waiting for the rate', retryable: true, retryAfterMs: 2_000, paced: true } };
    const audience = { audienceId: 'aud-1', created: false, membersIncluded: false, accepted: 0, rejected: 0 };
    const refusedFirst = run(
      { runId: 'run-1', exportId: 'export-1', trigger: 'segment-refresh' },
      { ...refresh, [activities.beginRun]: () => plan({ tracked: [true] }), [activities.ensureAudience]: (_input, call) => (call === 1 ? paced : audience) },
    );
    expect(refusedFirst.timers).toEqual([new Date(NOW.getTime() + 2_000 - ACTIVITY_PATIENCE_MS)]);
    expect(refusedFirst.rounds.slice(1, 5)).toEqual([[activities.prepareSegment, activities.ensureAudience], ['timer'], [activities.ensureAudience], [activities.planChanges]]);
    expect(finished(refusedFirst.calls).segments[0]).toMatchObject({ status: 'succeeded', audienceId: 'aud-1' });

    const failedFirst = run(
      { runId: 'run-1', exportId: 'export-1', trigger: 'segment-refresh' },
      {
        ...refresh,
        [activities.beginRun]: () => plan({ tracked: [true] }),
        [activities.ensureAudience]: (_input, call) => (call === 1 ? { failed: { reason: 'transient: socket hang up', retryable: true } } : audience),
      },
    );
    expect(failedFirst.timers).toEqual([]);
    expect(failedFirst.calls.filter((c) => c.name === activities.ensureAudience)).toHaveLength(2);
    expect(finished(failedFirst.calls).segments[0]).toMatchObject({ status: 'succeeded', audienceId: 'aud-1' });
  });

  it('takes nothing from the audience check of a segment that failed preparation', () => {
    const { calls } = run(
      { runId: 'run-1', exportId: 'export-1', trigger: 'segment-refresh' },
      {
        ...refresh,
        [activities.beginRun]: () => plan({ tracked: [true] }),
        [activities.prepareSegment]: () => ({ segment: 'buyers', segmentIndex: 0, failed: 'segment-file-not-found' }),
      },
    );
    expect(calls.filter((c) => c.name === activities.ensureAudience)).toHaveLength(1);
    expect(finished(calls).segments[0]).toMatchObject({ status: 'failed' });
    expect((finished(calls).segments[0] as SegmentRun).audienceId).toBeUndefined();
  });

  it('sends nothing for a segment over the limit, and lists its rows with the reason', () => {
    const max = microsoftAdvertisingLimits.maxPerSegment!;
    const { calls } = run({ runId: 'run-1', exportId: 'export-1', trigger: 'on-demand' }, { ...refresh, [activities.prepareSegment]: () => prepared(max + 1, [max, 1]) });

    expect(calls.map((c) => c.name)).not.toContain(activities.ensureAudience);
    expect(calls.map((c) => c.name)).not.toContain(activities.sendChanges);
    const reported = calls.filter((c) => c.name === activities.reportSlice).map((c) => c.input as { reason: string; slice: { records: number } });
    expect(reported.map((r) => r.reason)).toEqual(['segment-too-large', 'segment-too-large']);
    expect(reported.reduce((sum, r) => sum + r.slice.records, 0)).toBe(max + 1);
    expect(reconciliationErrors(finished(calls).segments[0] as SegmentRun)).toEqual([]);
  });

  it('waits out a long Retry-After in a durable timer and sends the rest of the slice from where it stopped', () => {
    const { calls, timers } = run(
      { runId: 'run-1', exportId: 'export-1', trigger: 'on-demand' },
      {
        ...refresh,
        [activities.planChanges]: () => ({ ...refreshPlan, removes: [], removeCount: 0, ledgerBefore: 50, unchanged: 50 }),
        [activities.sendChanges]: (input: SendInput, call) =>
          call === 1 ? { done: 40, accepted: 40, rejected: 0, failed: { reason: 'throttled', retryable: true, retryAfterMs: 200_000 } } : succeed(input),
        [activities.commitLedger]: () => ({ ledgerBefore: 50, ledgerAfter: 150, added: 100, removed: 0 }),
      },
    );

    expect(timers).toEqual([new Date(NOW.getTime() + 200_000)]);
    const slices = calls.filter((c) => c.name === activities.sendChanges).map((c) => (c.input as SendInput).slice);
    expect(slices).toEqual([
      { name: 'run-1/000/adds-00001.ndjson', records: 100 },
      { name: 'run-1/000/adds-00001.ndjson', records: 60, skip: 40 },
    ]);
    const segment = finished(calls).segments[0] as SegmentRun;
    expect(segment).toMatchObject({ status: 'succeeded', sent: 100, accepted: 100 });
    expect(reconciliationErrors(segment)).toEqual([]);
  });

  it('comes back for a turn kept at the rate its patience early, sends the rest from there, and counts no attempt', () => {
    const refusals = 7;
    const { calls, timers } = run(
      { runId: 'run-1', exportId: 'export-1', trigger: 'on-demand' },
      {
        ...refresh,
        [activities.planChanges]: () => ({ ...refreshPlan, removes: [], removeCount: 0, ledgerBefore: 50, unchanged: 50 }),
        // More refusals in a row than a slice has attempts: a turn at the rate is no failure.
        [activities.sendChanges]: (input: SendInput, call) =>
          call <= refusals
            ? { done: 10, accepted: 10, rejected: 0, failed: { reason: 'waiting for the rate', retryable: true, retryAfterMs: 1_000, paced: true } }
            : succeed(input),
        [activities.commitLedger]: () => ({ ledgerBefore: 50, ledgerAfter: 150, added: 100, removed: 0 }),
      },
    );

    // Each timer fires 1,000 ms less the activity's patience after the refusal.
    expect(timers.map((at, k) => at.getTime() - (k === 0 ? NOW.getTime() : timers[k - 1]!.getTime()))).toEqual(
      Array.from({ length: refusals }, () => 1_000 - ACTIVITY_PATIENCE_MS),
    );
    const sends = calls.filter((c) => c.name === activities.sendChanges).map((c) => (c.input as SendInput).slice);
    expect(sends.at(-1)).toEqual({ name: 'run-1/000/adds-00001.ndjson', records: 30, skip: 70 });
    expect(finished(calls).segments[0]).toMatchObject({ status: 'succeeded', sent: 100, accepted: 100 });
  });

  it('continues as new every so many paced rounds, carrying what is left to send, so no history grows with the whole run', () => {
    // A segment paced for 60 rounds: one record a round, of one slice of 60.
    const rounds = 60;
    const bigPlan: PlannedChanges = { ...refreshPlan, adds: [{ name: 'run-1/000/adds-00001.ndjson', records: rounds }], addCount: rounds, removes: [{ name: 'run-1/000/removes-00001.ndjson', records: 5 }], removeCount: 5, ledgerBefore: 95, unchanged: 90 };
    const { calls, resumed, output } = run(
      { runId: 'run-1', exportId: 'export-1', trigger: 'on-demand' },
      {
        ...refresh,
        [activities.planChanges]: () => bigPlan,
        [activities.sendChanges]: (input: SendInput) =>
          input.kind === 'add' && input.slice.records > 1
            ? { done: 1, accepted: 1, rejected: 0, failed: { reason: 'waiting for the rate', retryable: true, retryAfterMs: 1_000, paced: true } }
            : succeed(input),
        [activities.commitLedger]: () => ({ ledgerBefore: 95, ledgerAfter: 150, added: 60, removed: 5 }),
      },
    );

    // A round is a window sent or a wait for one: two per paced send here (send, timer).
    expect(resumed.length).toBe(Math.ceil((2 * rounds - 1) / SEND_ROUNDS_PER_EXECUTION) - 1);
    for (const next of resumed) {
      // Still the run's input (what the starter reads to tell which run is active), with the resume point.
      expect(next).toMatchObject({ runId: 'run-1', exportId: 'export-1', trigger: 'on-demand', resume: { plan: { runId: 'run-1' } } });
      expect(next.resume.phases.flat().every((item: { segmentIndex: number }) => item.segmentIndex === 0)).toBe(true);
    }
    // What each execution left is where the next went on: one record further each send.
    const adds = calls.filter((c) => c.name === activities.sendChanges && c.input.kind === 'add').map((c) => (c.input as SendInput).slice);
    expect(adds).toEqual(Array.from({ length: rounds }, (_, k) => ({ name: 'run-1/000/adds-00001.ndjson', records: rounds - k, ...(k > 0 ? { skip: k } : {}) })));
    expect(calls.filter((c) => c.name === activities.sendChanges && c.input.kind === 'remove')).toHaveLength(1);
    // The stages before sending ran once, the commit and the record once, after the last send.
    for (const once of [activities.beginRun, activities.prepareSegment, activities.planChanges, activities.commitLedger, activities.finishRun]) {
      expect(calls.filter((c) => c.name === once), once).toHaveLength(1);
    }
    expect(calls.findIndex((c) => c.name === activities.commitLedger)).toBeGreaterThan(calls.findLastIndex((c) => c.name === activities.sendChanges));
    const segment = finished(calls).segments[0] as SegmentRun;
    expect(segment).toMatchObject({ status: 'succeeded', sent: rounds, accepted: rounds });
    expect(reconciliationErrors(segment)).toEqual([]);
    expect(output).toMatchObject({ status: 'succeeded' });
  });

  it('sends only the rest of what preparation sent, and never looks the audience up again', () => {
    // A full sync from nothing tracked: preparation sent the first file whole and 30 of the
    // second (then the destination failed); the rest of the second goes through the send stage.
    const fullPlan: PlannedChanges = { full: true, ledgerBefore: 0, unchanged: 0, adds: [{ name: 'run-1/000/00002.ndjson', records: 20, skip: 30 }], addCount: 20, removes: [], removeCount: 0, notRemoved: 0, replaceFirst: false };
    const { calls } = run(
      { runId: 'run-1', exportId: 'export-1', trigger: 'on-demand' },
      {
        ...refresh,
        [activities.beginRun]: () => plan({ sendWhilePreparing: true }),
        [activities.prepareSegment]: () => ({
          ...prepared(150, [100, 50]),
          sentWhilePreparing: {
            audienceId: 'aud-1',
            created: true,
            replaced: true,
            files: [
              { name: 'run-1/000/00001.ndjson', done: 100, accepted: 98, rejected: 2 },
              { name: 'run-1/000/00002.ndjson', done: 30, accepted: 30, rejected: 0 },
            ],
            stopped: 'not sent while preparing: transient: socket hang up',
          },
        }),
        [activities.planChanges]: () => fullPlan,
        [activities.commitLedger]: () => ({ ledgerBefore: 0, ledgerAfter: 148, added: 148, removed: 0 }),
      },
    );

    const prepareInput = calls.find((c) => c.name === activities.prepareSegment)!.input;
    expect(prepareInput.sendWhilePreparing).toEqual({ cap: microsoftAdvertisingLimits.maxPerSegment, min: 1, truncate: false });
    expect(calls.map((c) => c.name)).not.toContain(activities.ensureAudience);
    const planInput = calls.find((c) => c.name === activities.planChanges)!.input;
    expect(planInput).toMatchObject({
      audienceId: 'aud-1',
      audienceCreated: true,
      replaced: true,
      delivered: [
        { name: 'run-1/000/00001.ndjson', records: 100 },
        { name: 'run-1/000/00002.ndjson', records: 30 },
      ],
    });
    expect(calls.filter((c) => c.name === activities.sendChanges).map((c) => (c.input as SendInput).slice)).toEqual([fullPlan.adds[0]]);
    const segment = finished(calls).segments[0] as SegmentRun;
    expect(segment).toMatchObject({ status: 'succeeded', valid: 150, sent: 150, accepted: 148, rejected: 2, audienceId: 'aud-1' });
    expect(reconciliationErrors(segment)).toEqual([]);
  });
});

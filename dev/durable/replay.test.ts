import { describe, expect, it } from 'vitest';
import { EventType, type HistoryEvent } from './history.js';
import { ActionType, NonDeterminismError, ReplayDivergenceError, replayActions, retryDelayMs, type SdkAction } from './replay.js';

// Action objects shaped like the SDK's (durable-functions actions/*), and history events
// shaped like the extension's: the walk must number and match them as DurableTask.Core does.
const activity = (name: string, input?: unknown): SdkAction => ({ actionType: ActionType.CallActivity, functionName: name, input });
const retrying = (name: string, maxNumberOfAttempts: number): SdkAction => ({
  actionType: ActionType.CallActivityWithRetry,
  functionName: name,
  retryOptions: { firstRetryIntervalInMilliseconds: 1_000, maxNumberOfAttempts, backoffCoefficient: 2 },
});
const all = (...children: SdkAction[]): SdkAction => ({ actionType: ActionType.WhenAll, compoundActions: children });

const t0 = Date.parse('2024-05-01T00:00:00Z');
let clock = 0;
const base = () => ({ EventId: -1, Timestamp: new Date(t0 + clock++ * 1_000).toISOString(), IsPlayed: true });
const started = (): HistoryEvent[] => [
  { ...base(), EventType: EventType.OrchestratorStarted },
  { ...base(), EventType: EventType.ExecutionStarted, Name: 'o', Version: '', OrchestrationInstance: { InstanceId: 'i', ExecutionId: 'e' } },
];
const episode = (): HistoryEvent => ({ ...base(), EventType: EventType.OrchestratorStarted });
const scheduled = (id: number, name: string): HistoryEvent => ({ ...base(), EventType: EventType.TaskScheduled, EventId: id, Name: name });
const completed = (id: number, result: unknown): HistoryEvent => ({ ...base(), EventType: EventType.TaskCompleted, TaskScheduledId: id, Result: JSON.stringify(result) });
const failed = (id: number): HistoryEvent => ({ ...base(), EventType: EventType.TaskFailed, TaskScheduledId: id, Reason: 'boom', Details: '' });
const timerCreated = (id: number): HistoryEvent => ({ ...base(), EventType: EventType.TimerCreated, EventId: id, FireAt: new Date(t0).toISOString() });
const timerFired = (id: number): HistoryEvent => ({ ...base(), EventType: EventType.TimerFired, TimerId: id, FireAt: new Date(t0).toISOString() });

describe('replayActions', () => {
  it('follows a failed attempt with a retry timer, then a new attempt, each with the next number', () => {
    const history = [...started(), scheduled(0, 'x'), episode(), failed(0)];
    const afterFailure = replayActions(history, [retrying('x', 3)]);
    expect(afterFailure.newWork).toHaveLength(1);
    expect(afterFailure.newWork[0]).toMatchObject({ kind: 'timer', id: 1 });
    const failedAt = Date.parse(history.at(-2)!.Timestamp);
    expect((afterFailure.newWork[0] as { fireAt: Date }).fireAt.getTime()).toBe(failedAt + 1_000);

    const afterTimer = replayActions([...history, timerCreated(1), episode(), timerFired(1)], [retrying('x', 3)]);
    expect(afterTimer.newWork).toEqual([{ kind: 'activity', id: 2, name: 'x', input: undefined }]);
  });

  it('backs off by the coefficient and stops at the cap', () => {
    const options = { firstRetryIntervalInMilliseconds: 1_000, maxNumberOfAttempts: 5, backoffCoefficient: 2, maxRetryIntervalInMilliseconds: 3_000 };
    expect([1, 2, 3].map((n) => retryDelayMs(options, n))).toEqual([1_000, 2_000, 3_000]);
  });

  it('detects a recorded task the replay never asks for', () => {
    const history = [...started(), scheduled(0, 'a'), scheduled(1, 'b')];
    expect(() => replayActions(history, [activity('a')])).toThrow(/named 'b' with sequence ID 1.*hasn't \(yet\?\) scheduled/);
  });

  it('waits for every task of a Task.all before the next action, even after one failed', () => {
    const history = [...started(), scheduled(0, 'a'), scheduled(1, 'b'), episode(), failed(0)];
    const actions = [all(activity('a'), activity('b')), activity('c')];
    const waiting = replayActions(history, actions);
    expect(waiting.newWork).toEqual([]);
    expect(waiting.settled).toBe(false);
    const done = replayActions([...history, episode(), completed(1, 'ok')], actions);
    expect(done.newWork).toEqual([{ kind: 'activity', id: 2, name: 'c', input: undefined }]);
  });

  it('refuses to go on when the SDK ran ahead of a Task.all whose other tasks still retry', () => {
    // `a` gives up after one attempt (its retry timer fires with no attempts left); the SDK's
    // Task.all fails and the code schedules `c`, but `b` is still retrying: the extension would
    // number `b`'s retry timer 3 while the SDK gave 3 to `c`.
    const history = [...started(), scheduled(0, 'a'), scheduled(1, 'b'), episode(), failed(0), timerCreated(2), episode(), timerFired(2), failed(1)];
    expect(() => replayActions(history, [all(retrying('a', 1), retrying('b', 3)), activity('c')])).toThrow(ReplayDivergenceError);
  });
});

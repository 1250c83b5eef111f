import { RestError, TableClient, odata } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startAzurite, type RunningAzurite } from '../azurite.js';
import type { LogEntry } from '../host/invoke.js';
import { loadFunctionApp, type FunctionRegistry } from '../host/registry.js';
import { DurableDriver } from './driver.js';
import { EventType, type HistoryEvent } from './history.js';
import { TaskHubStore } from './store.js';

// The fixture app registers its functions when first imported, so only loadFunctionApp may import it.
let fixture: typeof import('./fixtures/app.js');
let azurite: RunningAzurite;
let registry: FunctionRegistry;
let driver: DurableDriver;
const log = (_: LogEntry) => undefined;

beforeAll(async () => {
  azurite = await startAzurite();
  registry = await loadFunctionApp(() => import('./fixtures/app.js'));
  fixture = await import('./fixtures/app.js');
  // Timers and retry back-off wait a ten-thousandth of their duration.
  driver = await DurableDriver.create({ registry, connectionString: azurite.connectionString, taskHub: 'DriverTests', timeScale: 0.0001, log });
  await driver.start();
});

afterAll(async () => {
  await driver?.stop();
  await azurite?.stop();
});

/** The instance's rows in the history table, of every execution. */
async function historyRows(instanceId: string): Promise<number> {
  const table = TableClient.fromConnectionString(azurite.connectionString, 'DriverTestsHistory', { allowInsecureConnection: true });
  let count = 0;
  for await (const _ of table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${instanceId}`, select: ['RowKey'] } })) count++;
  return count;
}

const run = async (name: string, input?: unknown) => driver.waitForCompletion(await driver.startNew(name, { input }));
const ofType = (history: HistoryEvent[], type: number) => history.filter((e) => e.EventType === type);

describe('DurableDriver', () => {
  it('fans out hundreds of activities, fans the results back in, and replays to the same output', async () => {
    const status = await run('fanOut', 300);
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 300 * 301, customStatus: { scheduled: 300 } });
    const history = await driver.history(status.instanceId);
    expect(ofType(history, EventType.TaskScheduled).map((e) => e.EventId)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(ofType(history, EventType.TaskCompleted)).toHaveLength(300);
    expect(await driver.replay(status.instanceId)).toMatchObject({ isDone: true, output: status.output, newWork: [] });
  });

  it('retries a failing activity with the retry timers the SDK expects between attempts', async () => {
    const status = await run('retrying', { key: 'retry-1', failTimes: 2 });
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: { key: 'retry-1', attempt: 3 } });
    const tasks: number[] = [EventType.TaskScheduled, EventType.TaskFailed, EventType.TaskCompleted, EventType.TimerCreated, EventType.TimerFired];
    const sequence = (await driver.history(status.instanceId))
      .filter((e) => tasks.includes(e.EventType))
      .map((e) => [e.EventType, 'TaskScheduledId' in e ? e.TaskScheduledId : 'TimerId' in e ? e.TimerId : e.EventId]);
    const { TaskScheduled: S, TaskFailed: F, TaskCompleted: C, TimerCreated: T, TimerFired: TF } = EventType;
    expect(sequence).toEqual([[S, 0], [F, 0], [T, 1], [TF, 1], [S, 2], [F, 2], [T, 3], [TF, 3], [S, 4], [C, 4]]);
  });

  it('hands a permanent failure to the orchestrator once the retries are used up', async () => {
    const status = await run('catchesFailure');
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: { caught: true, message: expect.stringContaining('permanently broken') } });
    expect(ofType(await driver.history(status.instanceId), EventType.TaskFailed)).toHaveLength(3);
  });

  it('fails an instance whose code no longer matches its history', async () => {
    fixture.closeGate();
    const id = await driver.startNew('changesCode');
    await waitFor(async () => fixture.calls.get('waits') === 1);
    fixture.codeVersion.step = 'triple';
    try {
      fixture.gate.open();
      const status = await driver.waitForCompletion(id);
      expect(status.runtimeStatus).toBe('Failed');
      expect(status.output).toMatch(/Non-deterministic workflow detected.*'double'.*sequence ID 0.*'triple'/s);
    } finally {
      fixture.codeVersion.step = 'double';
    }
  });

  it('records an orchestrator that throws as failed, with its custom status', async () => {
    const status = await run('breaks');
    expect(status).toMatchObject({ runtimeStatus: 'Failed', output: expect.stringContaining('the orchestrator broke'), customStatus: 'about to break' });
  });

  it('starts a new generation on continueAsNew, and deletes the history rows of the earlier generations', async () => {
    const status = await run('countsUp', 0);
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 3, input: 3 });
    const current = (await driver.history(status.instanceId)).length;
    await vi.waitFor(async () => expect(await historyRows(status.instanceId)).toBe(current), { timeout: 10_000, interval: 100 });
  });

  it('refuses a task re-yielded in a new Task.all, which Azure would schedule twice', async () => {
    expect(await run('reusesTasks')).toMatchObject({ runtimeStatus: 'Failed', output: expect.stringMatching(/ReplayDivergenceError.*#574/s) });
  });

  it('lets exactly one of two simultaneous starts of an instance id win, and starts a finished one again', async () => {
    for (let round = 0; round < 2; round++) {
      const start = () => driver.startNew('fanOut', { instanceId: 'raced', input: 2 });
      const attempts = await Promise.allSettled([start(), start()]);
      expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
      expect(attempts.find((a) => a.status === 'rejected')).toMatchObject({ reason: { status: 409 } });
      expect(await driver.waitForCompletion('raced')).toMatchObject({ runtimeStatus: 'Completed', output: 6 });
    }
    // The first execution's history rows are deleted in the background of the second start.
    const current = (await driver.history('raced')).length;
    await vi.waitFor(async () => expect(await historyRows('raced')).toBe(current), { timeout: 10_000, interval: 100 });
  });

  it('carries on from storage when a commit whose answer was lost reached it after all', async () => {
    // A frozen or failing-over service applies a write after the client gave up on it; the
    // driver's copy of the row (its ETag) is then stale, and every later commit collides.
    const put = TaskHubStore.prototype.putInstance;
    const lost = new Map([['lost-first-episode', 2], ['lost-later-episode', 3]]);
    const puts = new Map<string, number>();
    const spy = vi.spyOn(TaskHubStore.prototype, 'putInstance').mockImplementation(async function (this: TaskHubStore, record, etag) {
      const nth = (puts.get(record.instanceId) ?? 0) + 1;
      puts.set(record.instanceId, nth);
      const written = await put.call(this, record, etag);
      if (lost.get(record.instanceId) === nth) throw new RestError('no answer within 10000 ms', { code: 'ETIMEDOUT' });
      return written;
    });
    try {
      for (const instanceId of lost.keys()) {
        await driver.startNew('fanOut', { instanceId, input: 5 });
        const status = await driver.waitForCompletion(instanceId, 20_000);
        expect(status, instanceId).toMatchObject({ runtimeStatus: 'Completed', output: 30 });
        const history = await driver.history(instanceId);
        // Each activity was scheduled and answered once: nothing of the lost commit was done twice.
        expect(ofType(history, EventType.TaskScheduled), instanceId).toHaveLength(5);
        expect(ofType(history, EventType.TaskCompleted), instanceId).toHaveLength(5);
        expect(ofType(history, EventType.ExecutionStarted), instanceId).toHaveLength(1);
        expect(await driver.replay(instanceId)).toMatchObject({ isDone: true, output: 30, newWork: [] });
        expect(puts.get(instanceId), `${instanceId}: the lost commit was followed by others`).toBeGreaterThan(lost.get(instanceId)!);
      }
    } finally {
      spy.mockRestore();
    }
  });

  it('fails an activity that outlives functionTimeout, so a hung one never keeps its slot', async () => {
    // One activity slot: without the timeout the second call would wait for ever.
    const bounded = await DurableDriver.create({
      registry, connectionString: azurite.connectionString, taskHub: 'DriverTimeouts', timeScale: 0.0001, log,
      maxConcurrentActivities: 1, activityTimeoutMs: 300,
    });
    await bounded.start();
    try {
      const before = fixture.calls.get('hangs') ?? 0;
      const status = await bounded.waitForCompletion(await bounded.startNew('outlivesHang'), 20_000);
      expect(status).toMatchObject({
        runtimeStatus: 'Completed',
        output: { failure: expect.stringContaining('Timeout value of 00:00:00.300 was exceeded by function: Functions.hangs'), after: 42 },
      });
      // The retry policy decided: two attempts, each ended by the timeout.
      expect((fixture.calls.get('hangs') ?? 0) - before).toBe(2);
      expect(ofType(await bounded.history(status.instanceId), EventType.TaskFailed)).toHaveLength(2);
    } finally {
      await bounded.stop();
    }
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

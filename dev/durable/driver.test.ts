import { HttpRequest, type HttpResponse } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../azurite.js';
import { invokeFunction, type LogEntry } from '../host/invoke.js';
import { loadFunctionApp, type FunctionRegistry } from '../host/registry.js';
import { DurableDriver } from './driver.js';
import { EventType } from './history.js';

// The fixture app registers its functions when first imported, so only loadFunctionApp may import it.
type Fixture = typeof import('./fixtures/app.js');
let calls: Fixture['calls'];
let codeVersion: Fixture['codeVersion'];
let gate: Fixture['gate'];
let azurite: RunningAzurite;
let registry: FunctionRegistry;
let driver: DurableDriver;
const logs: LogEntry[] = [];
const log = (entry: LogEntry) => logs.push(entry);

beforeAll(async () => {
  azurite = await startAzurite();
  registry = await loadFunctionApp(() => import('./fixtures/app.js'));
  ({ calls, codeVersion, gate } = await import('./fixtures/app.js'));
  // Timers and retry back-off wait a ten-thousandth of their duration.
  driver = await DurableDriver.create({ registry, connectionString: azurite.connectionString, taskHub: 'DriverTests', timeScale: 0.0001, log });
  await driver.start();
});

afterAll(async () => {
  await driver?.stop();
  await azurite?.stop();
});

type HistoryRow = { EventType: number; EventId: number; Name?: string; TaskScheduledId?: number; TimerId?: number };

describe('DurableDriver', () => {
  it('fans out hundreds of activities and fans the results back in', async () => {
    const id = await driver.startNew('fanOut', { input: 300 });
    const status = await driver.waitForCompletion(id);
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toBe(300 * 301);
    expect(status.customStatus).toEqual({ scheduled: 300 });
    const history = (await driver.history(id)) as HistoryRow[];
    const scheduled = history.filter((e) => e.EventType === EventType.TaskScheduled);
    expect(scheduled.map((e) => e.EventId)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(history.filter((e) => e.EventType === EventType.TaskCompleted)).toHaveLength(300);
  });

  it('replays a finished instance to the same output with nothing left to schedule', async () => {
    const id = await driver.startNew('fanOut', { input: 20 });
    const status = await driver.waitForCompletion(id);
    const check = await driver.replay(id);
    expect(check).toMatchObject({ isDone: true, output: status.output, newWork: [] });
  });

  it('retries a failing activity with the retry timers the SDK expects between attempts', async () => {
    const id = await driver.startNew('retrying', { input: { key: 'retry-1', failTimes: 2 } });
    const status = await driver.waitForCompletion(id);
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: { key: 'retry-1', attempt: 3 } });
    const history = (await driver.history(id)) as HistoryRow[];
    const sequence = history
      .filter((e) => [EventType.TaskScheduled, EventType.TaskFailed, EventType.TaskCompleted, EventType.TimerCreated, EventType.TimerFired].includes(e.EventType as never))
      .map((e) => [e.EventType, e.EventId >= 0 ? e.EventId : (e.TaskScheduledId ?? e.TimerId)]);
    expect(sequence).toEqual([
      [EventType.TaskScheduled, 0],
      [EventType.TaskFailed, 0],
      [EventType.TimerCreated, 1],
      [EventType.TimerFired, 1],
      [EventType.TaskScheduled, 2],
      [EventType.TaskFailed, 2],
      [EventType.TimerCreated, 3],
      [EventType.TimerFired, 3],
      [EventType.TaskScheduled, 4],
      [EventType.TaskCompleted, 4],
    ]);
    expect(calls.get('retry-1')).toBe(3);
  });

  it('hands a permanent failure to the orchestrator once the retries are used up', async () => {
    const id = await driver.startNew('catchesFailure');
    const status = await driver.waitForCompletion(id);
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toMatchObject({ caught: true });
    expect((status.output as { message: string }).message).toContain('permanently broken');
    const history = (await driver.history(id)) as HistoryRow[];
    expect(history.filter((e) => e.EventType === EventType.TaskFailed)).toHaveLength(3);
  });

  it('fires durable timers and moves the orchestration clock with them', async () => {
    const id = await driver.startNew('sleeps');
    const status = await driver.waitForCompletion(id);
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toBeGreaterThanOrEqual(60 * 60 * 1_000);
  });

  it('delivers raised events and keeps the custom status', async () => {
    const id = await driver.startNew('approval');
    await waitFor(async () => (await driver.getStatus(id))?.customStatus === 'waiting for approval');
    await driver.raiseEvent(id, 'approve', { by: 'ada' });
    const status = await driver.waitForCompletion(id);
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: { by: 'ada' }, customStatus: 'approved' });
  });

  it('keeps an event raised before the orchestrator waits for it', async () => {
    const id = await driver.startNew('approval');
    await driver.raiseEvent(id, 'approve', 'early');
    expect((await driver.waitForCompletion(id)).output).toBe('early');
  });

  it('lets an event win a race against a timer and cancels the timer', async () => {
    const id = await driver.startNew('eventOrTimeout');
    await waitFor(async () => (await driver.getStatus(id))?.runtimeStatus === 'Running');
    await driver.raiseEvent(id, 'ping', 42);
    expect((await driver.waitForCompletion(id)).output).toEqual({ ping: 42 });
  });

  it('terminates a running instance and refuses events afterwards', async () => {
    const id = await driver.startNew('approval');
    await waitFor(async () => (await driver.getStatus(id))?.runtimeStatus === 'Running');
    await driver.terminate(id, 'no longer needed');
    const status = await driver.waitForCompletion(id);
    expect(status).toMatchObject({ runtimeStatus: 'Terminated', output: 'no longer needed' });
    await expect(driver.raiseEvent(id, 'approve', 1)).rejects.toThrow(/Terminated/);
  });

  it('fails an instance whose code no longer matches its history', async () => {
    codeVersion.step = 'double';
    const id = await driver.startNew('changesCode');
    await waitFor(async () => ((await driver.history(id)) as HistoryRow[]).some((e) => e.EventType === EventType.TaskCompleted));
    codeVersion.step = 'triple';
    try {
      await driver.raiseEvent(id, 'go');
      const status = await driver.waitForCompletion(id);
      expect(status.runtimeStatus).toBe('Failed');
      expect(status.output).toMatch(/Non-deterministic workflow detected.*'double'.*sequence ID 0.*'triple'/s);
    } finally {
      codeVersion.step = 'double';
    }
  });

  it('records an orchestrator that throws as failed, with its custom status', async () => {
    const id = await driver.startNew('breaks');
    const status = await driver.waitForCompletion(id);
    expect(status.runtimeStatus).toBe('Failed');
    expect(status.output).toContain('the orchestrator broke');
    expect(status.customStatus).toBe('about to break');
  });

  it('starts a new generation on continueAsNew', async () => {
    const id = await driver.startNew('countsUp', { input: 0 });
    const status = await driver.waitForCompletion(id);
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 3, input: 3 });
  });

  it('refuses a task re-yielded in a new Task.any, which Azure would schedule twice', async () => {
    const id = await driver.startNew('reusesTasks');
    const status = await driver.waitForCompletion(id);
    expect(status.runtimeStatus).toBe('Failed');
    expect(status.output).toMatch(/ReplayDivergenceError.*#574/s);
  });

  it('refuses a second start of a running instance id and restarts a finished one', async () => {
    const id = await driver.startNew('approval', { instanceId: 'approval-fixed' });
    await expect(driver.startNew('approval', { instanceId: id })).rejects.toThrow(/already exists/);
    await driver.raiseEvent(id, 'approve', 'first');
    expect((await driver.waitForCompletion(id)).output).toBe('first');
    await driver.startNew('echoes', { instanceId: id });
    expect(await driver.waitForCompletion(id)).toMatchObject({ name: 'echoes', output: 'ab' });
  });

  it('lets exactly one of two simultaneous starts of the same instance id win, also when restarting a finished one', async () => {
    for (let round = 0; round < 2; round++) {
      const attempts = await Promise.allSettled([driver.startNew('echoes', { instanceId: 'raced' }), driver.startNew('echoes', { instanceId: 'raced' })]);
      expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
      expect(attempts.find((a) => a.status === 'rejected')).toMatchObject({ reason: { status: 409 } });
      expect(await driver.waitForCompletion('raced')).toMatchObject({ runtimeStatus: 'Completed', output: 'ab' });
    }
  });

  it('serves the real DurableClient: startNew, status URLs, raiseEvent, getStatus', async () => {
    const origin = new URL((driver.clientBinding() as { rpcBaseUrl: string }).rpcBaseUrl).origin;
    const request = new HttpRequest({
      method: 'POST',
      url: `${origin}/api/orchestrators/approval`,
      params: { name: 'approval' },
      body: { string: '"input"' },
      headers: { 'content-type': 'application/json' },
    });
    const { result: response } = await invokeFunction<HttpResponse>(registry, 'startOrchestration', request, { durable: driver, log });
    expect(response.status).toBe(202);
    const links = (await response.json()) as { id: string; statusQueryGetUri: string };
    expect(response.headers.get('location')).toBe(links.statusQueryGetUri);
    expect(links.statusQueryGetUri.startsWith(`${origin}/runtime/webhooks/durabletask/instances/${links.id}`)).toBe(true);

    await waitFor(async () => ((await (await fetch(links.statusQueryGetUri)).json()) as { customStatus?: unknown }).customStatus === 'waiting for approval');
    const approve = new HttpRequest({ method: 'POST', url: `${origin}/api/approve/${links.id}`, params: { instanceId: links.id }, body: { string: '"yes"' } });
    const approved = await invokeFunction<{ jsonBody: { runtimeStatus: string } }>(registry, 'approve', approve, { durable: driver, log });
    expect(['Running', 'Completed']).toContain(approved.result.jsonBody.runtimeStatus);

    await driver.waitForCompletion(links.id);
    const final = await fetch(links.statusQueryGetUri);
    expect(final.status).toBe(200);
    expect(await final.json()).toMatchObject({ instanceId: links.id, runtimeStatus: 'Completed', input: 'input', output: 'yes' });
    const missing = await fetch(links.statusQueryGetUri.replace(links.id, 'no-such-instance'));
    expect(missing.status).toBe(404);
  });
});

describe('DurableDriver after a crash', () => {
  it('resumes unfinished instances from storage and runs the interrupted activity again', async () => {
    const taskHub = 'CrashTests';
    const first = await DurableDriver.create({ registry, connectionString: azurite.connectionString, taskHub, log, stopTimeoutMs: 100 });
    await first.start();
    const stuck = gate('crash:2');
    const id = await first.startNew('threeSteps', { input: 'crash' });
    await waitFor(async () => calls.get('crash:2') === 1);
    // The process "dies" while step 2 runs: stop gives up on it and its result is lost.
    await first.stop();
    stuck.open();

    const second = await DurableDriver.create({ registry, connectionString: azurite.connectionString, taskHub, log });
    try {
      await second.start();
      const status = await second.waitForCompletion(id);
      expect(status).toMatchObject({ runtimeStatus: 'Completed', output: [1, 2, 3] });
      expect(calls.get('crash:1')).toBe(1);
      expect(calls.get('crash:2')).toBe(2);
      expect(calls.get('crash:3')).toBe(1);
    } finally {
      await second.stop();
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

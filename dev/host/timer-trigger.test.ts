import { RestError, TableClient } from '@azure/data-tables';
import type { Timer } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../azurite.js';
import type { LogEntry } from './invoke.js';
import { parseTimerSchedule } from './timer-schedule.js';
import { TimerTrigger } from './timer-trigger.js';

let azurite: RunningAzurite;
let table: TableClient;

beforeAll(async () => {
  azurite = await startAzurite();
  table = TableClient.fromConnectionString(azurite.connectionString, 'TimerStatusTests', { allowInsecureConnection: true });
  await table.createTable();
});
afterAll(async () => azurite?.stop());

describe('timer trigger', () => {
  it('fires once with isPastDue when the host was down at a scheduled time, then records the next tick', async () => {
    const yesterday = new Date(Date.now() - 24 * 60 * 60 * 1_000).toISOString();
    await table.upsertEntity({ partitionKey: 'timers', rowKey: 'nightly', Last: yesterday, Next: yesterday, LastUpdated: yesterday });
    const fired: Timer[] = [];
    const trigger = new TimerTrigger('nightly', parseTimerSchedule('0 0 3 * * *', 'UTC'), async (timer) => void fired.push(timer), table);
    await trigger.start();
    await trigger.stop();

    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ isPastDue: true, schedule: { adjustForDST: true }, scheduleStatus: { next: yesterday } });
    const status = await table.getEntity<{ Next: string; Last: string }>('timers', 'nightly');
    expect(Date.parse(status.Next)).toBeGreaterThan(Date.now());
    expect(status.Next).toMatch(/T03:00:00\.000Z$/);
    expect(Date.parse(status.Last)).toBeGreaterThan(Date.parse(yesterday));
  });

  it('does not fire at start when no tick was missed, unless runOnStartup is set', async () => {
    const quiet: Timer[] = [];
    const eager: Timer[] = [];
    const schedule = parseTimerSchedule('0 0 3 * * *', 'UTC');
    const first = new TimerTrigger('quiet', schedule, async (timer) => void quiet.push(timer), table);
    const second = new TimerTrigger('eager', schedule, async (timer) => void eager.push(timer), table, true);
    await first.start();
    await second.start();
    await Promise.all([first.stop(), second.stop()]);
    expect(quiet).toHaveLength(0);
    expect(eager).toHaveLength(1);
    expect(eager[0]!.isPastDue).toBe(false);
  });

  it('starts, and keeps its schedule, when storage refuses to read the schedule status', async () => {
    const statusTable = {
      getEntity: async () => Promise.reject(new RestError('The server is busy.', { statusCode: 503 })),
      upsertEntity: async () => undefined,
    } as unknown as TableClient;
    const fired: Timer[] = [];
    const logs: LogEntry[] = [];
    const trigger = new TimerTrigger('restarted', parseTimerSchedule('* * * * * *', 'UTC'), async (timer) => void fired.push(timer), statusTable, false, (e) => logs.push(e));
    try {
      await trigger.start();
      const deadline = Date.now() + 5_000;
      while (fired.length < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await trigger.stop();
    }
    expect(fired.length, 'the timer fired on its schedule').toBeGreaterThanOrEqual(1);
    expect(fired[0]!.isPastDue).toBe(false);
    expect(logs.find((e) => e.level === 'warning' && /could not read the schedule status.*The server is busy/.test(e.message))).toMatchObject({ functionName: 'restarted' });
  });

  it('keeps its schedule, and the host alive, while storage refuses the schedule status', async () => {
    // What storage answers to four in five requests in a brown-out, after the SDK's retries.
    let refuse = false;
    const statusTable = {
      getEntity: async () => Promise.reject(new RestError('The specified resource does not exist.', { statusCode: 404 })),
      upsertEntity: async () => (refuse ? Promise.reject(new RestError('The server is busy.', { statusCode: 503 })) : undefined),
    } as unknown as TableClient;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const fired: Timer[] = [];
    const logs: LogEntry[] = [];
    const trigger = new TimerTrigger('everySecond', parseTimerSchedule('* * * * * *', 'UTC'), async (timer) => void fired.push(timer), statusTable, false, (e) => logs.push(e));
    try {
      await trigger.start();
      refuse = true;
      const deadline = Date.now() + 10_000;
      while (fired.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await trigger.stop();
      process.off('unhandledRejection', onUnhandled);
    }
    // In the host process, an unhandled rejection is an exit: every request in flight is cut off.
    expect(unhandled, 'no rejection left unhandled').toEqual([]);
    expect(fired.length, 'the timer went on firing each second').toBeGreaterThanOrEqual(3);
    const refused = logs.filter((e) => e.level === 'warning' && /could not record the schedule status .*The server is busy/.test(e.message));
    expect(refused.length, 'each refused write is logged').toBeGreaterThanOrEqual(2);
    expect(refused[0]).toMatchObject({ functionName: 'everySecond' });
  });
});

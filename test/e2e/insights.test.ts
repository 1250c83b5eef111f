import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../shared/domain/run.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { sweepInsights } from '../../shared/insights/schedule.js';
import { insightStore } from '../../shared/insights/store.js';
import { getServices } from '../../shared/services.js';
import { devConnections } from '../../dev/simulators/credentials.js';
import { startApp, type RunningApp } from './app.js';

/**
 * Audience insights end to end on the simulators: each run ends with a reading of its
 * audiences beside the ledger, and a reading that disagrees with the ledger is said on the
 * audience and in the next run record, which syncs in full where that sets it right.
 */

let app: RunningApp;
beforeAll(async () => {
  app = await startApp();
}, 120_000);
afterAll(async () => {
  await app?.stop();
});

const people = (prefix: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}.${from + i}@example.com`);
const csv = (emails: string[]) => `email\n${emails.join('\n')}\n`;
const latest = (exportId: string, segment: string) => insightStore(getServices().storage).latest(exportId, segment);

async function runWith(exportId: string, blob: string, emails: string[], seen: Run[]): Promise<Run> {
  await app.dropFile(blob, csv(emails));
  const run = await app.waitForRun(exportId, new Set(seen.map((r) => r.id)));
  expect(run.status, run.reason).toBe('succeeded');
  seen.push(run);
  return run;
}

/**
 * The timer's pass, as it would come later: NextRoll's client keeps to 2 requests a second,
 * so the reading at a run's end finds no free turn and leaves the audience to the timer.
 */
async function timerPass(): Promise<void> {
  await sleep(1_100);
  const { read } = await sweepInsights(getServices(), new Date());
  expect(read).toBeGreaterThan(0);
}

describe('audience insights', () => {
  it('says, on the audience and in the next run, that an AdRoll account set to replace is appending (leavers never removed)', async () => {
    const segment = 'insights-adroll-replace';
    // The simulator appends by default; the export claims the account replaces.
    app.sims.adroll.segmentUpdates = 'append';
    const exportId = await app.createExport('adroll', [segment], { settings: { ...devConnections.adroll.settings, segmentUpdates: 'replace' } });
    const runs: Run[] = [];

    const a = await runWith(exportId, `${segment}/a.csv`, people(segment, 1, 300), runs);
    expect(a.audienceDrift).toBeUndefined();
    await timerPass();
    expect(await latest(exportId, segment)).toMatchObject({
      trigger: 'timer',
      tracked: 300,
      reported: { sizes: { emails: 300 }, size: 300, counts: 'members', estimate: false },
      state: 'not-reported',
      matchRate: 1,
    });
    expect((await latest(exportId, segment))!.drift).toBeUndefined();

    // B: 50 leave, 60 join. The replace sends 310; the account keeps the 50 leavers.
    const b = await runWith(exportId, `${segment}/b.csv`, people(segment, 51, 360), runs);
    expect(b.segments[0]!.sync).toMatchObject({ ledgerAfter: 310 });
    expect(app.sims.adroll.audience(segment)!.members).toHaveLength(360);
    await timerPass();
    const afterB = await latest(exportId, segment);
    expect(afterB).toMatchObject({ tracked: 310, reported: { size: 360 }, drift: { difference: 50, action: 'none' } });
    expect(afterB!.drift!.message).toContain('leavers are not being removed');

    // C: the run record names it; no full sync, which would append just the same.
    const c = await runWith(exportId, `${segment}/c.csv`, people(segment, 101, 400), runs);
    expect(c.audienceDrift).toEqual([expect.objectContaining({ segment, difference: 50, action: 'none', readAt: afterB!.readAt })]);
    expect(c.full).toBeUndefined();
    await timerPass();
    expect(await latest(exportId, segment)).toMatchObject({ tracked: 300, reported: { size: 400 }, drift: { difference: 100 } });
  }, 120_000);

  it("marks Autopilot's next run a full sync when its list holds members the app never sent", async () => {
    const segment = 'insights-autopilot';
    const exportId = await app.createExport('autopilot', [segment]);
    const members = people(segment, 1, 150);
    const runs: Run[] = [];

    const first = await runWith(exportId, `${segment}/a.csv`, members, runs);
    // Autopilot's 5 requests a second leave a turn free at the run's end: read there.
    expect(await latest(exportId, segment)).toMatchObject({
      trigger: 'after-run',
      tracked: 150,
      reported: { sizes: { total_contacts: 150 } },
      matchRate: 1,
      lastRun: { runId: first.id, added: 150 },
    });

    app.sims.autopilot.addMembers(segment, people('stranger', 1, 20));
    const unchanged = await runWith(exportId, `${segment}/b.csv`, members, runs);
    expect(unchanged.segments[0]!.sent).toBe(0);
    expect(await latest(exportId, segment)).toMatchObject({ tracked: 150, reported: { size: 170 }, drift: { difference: 20, action: 'full-sync' } });

    // The next run, on demand: it begins as a full sync without being asked to, and says why.
    const started = await app.api<{ run: Run }>('POST', `/exports/${exportId}/run`);
    expect(started.status, started.text).toBe(202);
    let begun: Run | undefined;
    for (let i = 0; i < 100 && !begun?.full; i++) {
      await sleep(100);
      begun = (await app.api<Run>('GET', `/runs/${started.body.run.id}`)).body;
    }
    expect(begun!.full).toBe(true);
    expect(begun!.audienceDrift).toEqual([expect.objectContaining({ segment, difference: 20, action: 'full-sync' })]);
  }, 120_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../shared/domain/run.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { readAudienceInsights } from '../../shared/insights/read.js';
import { sweepInsights } from '../../shared/insights/schedule.js';
import { verifySignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../shared/notifications/payloads.js';
import { EVENTS } from '../../shared/telemetry/events.js';
import { installInMemoryTelemetry, type RecordedTelemetry } from '../../shared/telemetry/testing.js';
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
let telemetry: RecordedTelemetry;
beforeAll(async () => {
  // Before the app loads, so its own telemetry setup finds this provider and keeps it.
  telemetry = installInMemoryTelemetry();
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

    // And it ends: the strangers are read from the list and removed, and the audience agrees with the ledger again.
    const full = await app.waitForRun(exportId, new Set(runs.map((r) => r.id)));
    expect(full.id).toBe(started.body.run.id);
    expect(full.status, full.reason).toBe('succeeded');
    expect(app.sims.autopilot.audience(segment)!.members).toHaveLength(150);
    expect(await latest(exportId, segment)).toMatchObject({ tracked: 150, reported: { size: 150 }, lastRun: { runId: full.id } });
    expect((await latest(exportId, segment))!.drift).toBeUndefined();
  }, 120_000);

  it('tells the webhooks and Azure Monitor once when a match rate falls below the threshold, and again only after it recovered', async () => {
    const segment = 'insights-alerts';
    const sink = app.sims.webhookSink;
    const exportId = await app.createExport('microsoft-advertising', [segment], { audienceAlerts: { matchRateBelow: 0.5 } });
    const key = 'a-signing-key-of-at-least-32-characters';
    for (const hook of [
      { name: 'ops', format: 'teams', outcomes: ['failed'], url: sink.webhookUrl('alerts-teams') },
      { name: 'pager', format: 'json', outcomes: ['failed'], url: sink.webhookUrl('alerts-json'), signingKey: key },
    ]) {
      const created = await app.api('POST', `/exports/${exportId}/webhooks`, hook);
      expect(created.status, created.text).toBe(201);
    }
    const sizes = app.sims.microsoftAdvertising.sizeReporting;
    /** A reading now, as the timer takes one; a read the shared limiter has no turn for is tried again. */
    const read = async () => {
      for (let i = 0; i < 50; i++) {
        const { read } = await readAudienceInsights(getServices(), { exportId, trigger: 'timer' });
        if (read === 1) return (await latest(exportId, segment))!;
        await sleep(200);
      }
      throw new Error('no reading taken');
    };
    const alerts = () => telemetry.events(EVENTS.audienceAlert).filter((e) => e.attributes.exportId === exportId);

    await runWith(exportId, `${segment}/a.csv`, people(segment, 1, 1_000), []);
    expect(await read()).toMatchObject({ state: 'ready', matchRate: 1 });
    sizes.matchRate = 0.4;
    const fell = await read();
    expect(fell.matchRate).toBeLessThan(0.5);
    expect(fell.alerts).toEqual([{ kind: 'match-rate-low', message: expect.stringContaining('below the export\'s threshold of 50 %') }]);
    for (let i = 0; i < 3; i++) expect((await read()).alerts).toBeUndefined(); // still below: nothing new
    await sleep(1_000); // deliveries are awaited by the read; give the sink a moment anyway
    expect(sink.received('alerts-teams')).toHaveLength(1);
    expect(sink.received('alerts-json')).toHaveLength(1);
    const [signed] = sink.received('alerts-json');
    expect(verifySignature(key, String(signed!.headers[TIMESTAMP_HEADER]), signed!.body, String(signed!.headers[SIGNATURE_HEADER]))).toBe(true);
    expect(JSON.parse(signed!.body)).toMatchObject({ event: 'audience.alert', alert: { kind: 'match-rate-low', exportId, segment, threshold: 0.5 } });
    expect(JSON.stringify(JSON.parse(sink.received('alerts-teams')[0]!.body))).toContain('match rate fell below its threshold');
    expect(alerts()).toHaveLength(1);
    expect(alerts()[0]!.attributes).toMatchObject({ segment, kind: 'match-rate-low', destination: 'microsoft-advertising' });

    // Back above, then below again: a second crossing, a second notification.
    sizes.matchRate = 1;
    expect((await read()).alerts).toBeUndefined();
    sizes.matchRate = 0.4;
    expect((await read()).alerts).toHaveLength(1);
    await sleep(500);
    expect(sink.received('alerts-teams')).toHaveLength(2);
    expect(alerts()).toHaveLength(2);
  }, 120_000);
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { devConnections } from '../../dev/simulators/index.js';
import type { Run } from '../../shared/domain/run.js';
import { startApp, type DestinationType, type RunningApp } from './app.js';

/**
 * A tenant refreshing at once, on the real orchestration, durable driver and connectors, with
 * every simulator enforcing its service's rate: eight exports share one Autopilot account (5
 * requests a second, 100 contacts a request) while one export goes to AdRoll and one to
 * Microsoft Advertising. The Autopilot runs need far more requests than the others and more
 * than there are activity slots; waiting for that account's rate must not hold the slots the
 * other destinations' runs need. Before pacing moved into the orchestration, the AdRoll and
 * Microsoft Advertising runs finished only after the Autopilot ones (about 20 s here).
 */

const AUTOPILOT_EXPORTS = 8;
const AUTOPILOT_ROWS = 1_000;
const FAST_ROWS = 2_000;

let app: RunningApp;
beforeAll(async () => {
  // Durable timers in real time: the waits for the rate are the thing measured. As many
  // activity slots as Autopilot runs: activities that waited for the rate would hold them all.
  app = await startApp({ rateLimits: 'on', timeScale: 1, activitySlots: AUTOPILOT_EXPORTS });
}, 120_000);
afterAll(async () => {
  await app?.stop();
});

async function connect(type: DestinationType): Promise<string> {
  const { credentials } = devConnections[type];
  const created = await app.api('POST', '/connections', { type, displayName: `tenant ${type}`, credentials, consent: true });
  if (created.status !== 201) throw new Error(`creating a connection answered ${created.status}: ${created.text}`);
  return created.body.id as string;
}

async function exportTo(type: DestinationType, connectionId: string, segment: string): Promise<string> {
  const created = await app.api('POST', '/exports', {
    name: `tenant ${segment}`,
    connectionId,
    segments: [segment],
    dataMatching: { email: 'email' },
    settings: devConnections[type].settings,
  });
  if (created.status !== 201) throw new Error(`creating an export answered ${created.status}: ${created.text}`);
  return created.body.id as string;
}

const file = (segment: string, rows: number) =>
  `email\n${Array.from({ length: rows }, (_, i) => `${segment}.${i + 1}@example.com`).join('\n')}\n`;

it('runs to fast destinations finish at their own pace while many runs wait on one slow account, which they share evenly', async () => {
  const autopilot = await connect('autopilot');
  const plan: { type: DestinationType; segment: string; rows: number; exportId?: string }[] = [
    ...Array.from({ length: AUTOPILOT_EXPORTS }, (_, i) => ({ type: 'autopilot' as const, segment: `tenant-ap-${i + 1}`, rows: AUTOPILOT_ROWS })),
    { type: 'adroll', segment: 'tenant-adroll', rows: FAST_ROWS },
    { type: 'microsoft-advertising', segment: 'tenant-msads', rows: FAST_ROWS },
  ];
  for (const item of plan) {
    item.exportId = await exportTo(item.type, item.type === 'autopilot' ? autopilot : await connect(item.type), item.segment);
  }

  const droppedAt = Date.now();
  await Promise.all(plan.map((item) => app.dropFile(`${item.segment}/export.csv`, file(item.segment, item.rows))));
  const runs: Run[] = [];
  for (const item of plan) runs.push(await app.waitForRun(item.exportId!));

  const seconds = (run: Run) => (Date.parse(run.finishedAt!) - droppedAt) / 1000;
  plan.forEach((item, i) => {
    const run = runs[i]!;
    expect(run.status, `${item.segment}: ${run.reason}`).toBe('succeeded');
    expect(run.segments[0]).toMatchObject({ read: item.rows, sent: item.rows, accepted: item.rows, rejected: 0 });
    expect(app.sims.byType[item.type].audience(item.segment)?.members).toHaveLength(item.rows);
  });

  const autopilotTimes = runs.slice(0, AUTOPILOT_EXPORTS).map(seconds);
  const slowest = Math.max(...autopilotTimes);
  const fast = { adroll: seconds(runs[AUTOPILOT_EXPORTS]!), msads: seconds(runs[AUTOPILOT_EXPORTS + 1]!) };
  const summary = JSON.stringify({ autopilot: autopilotTimes, ...fast });

  // The Autopilot account's floor: every request it took, at 5 a second.
  const autopilotRequests = app.sims.autopilot.requests.all((r) => !r.rateLimited).length;
  expect(slowest, summary).toBeGreaterThanOrEqual(autopilotRequests / 5 - 1);
  // The other two are not held behind it: each finishes in a small part of its time.
  expect(fast.adroll, summary).toBeLessThan(slowest * 0.4);
  expect(fast.msads, summary).toBeLessThan(slowest * 0.4);
  // One account, even shares: the first Autopilot run ends in the last stretch, not long before the others.
  expect(Math.min(...autopilotTimes), summary).toBeGreaterThan(slowest * 0.6);
  // Paced on our side: the services hardly ever had to refuse a request.
  for (const type of ['autopilot', 'adroll', 'microsoft-advertising'] as const) {
    const refused = app.sims.byType[type].requests.all((r) => r.rateLimited === true).length;
    expect(refused, `${type} refused ${refused} requests`).toBeLessThanOrEqual(2);
  }

  // A refresh of two of them side by side: Autopilot removes a contact from a list one call
  // at a time, so each leaver is a step of its own, paced like any batch.
  const refreshed = plan.slice(0, 2);
  const seen = new Set(runs.map((r) => r.id));
  await Promise.all(refreshed.map((item) => app.dropFile(`${item.segment}/refresh.csv`, file(item.segment, item.rows).replace(/\n(.*?\.[0-9]*[05]0@example\.com)/g, (_, email: string) => `\n${email.replace('@', '.new@')}`))));
  for (const item of refreshed) {
    const run = await app.waitForRun(item.exportId!, seen);
    expect(run.status, `${item.segment}: ${run.reason}`).toBe('succeeded');
    expect(run.segments[0]!.sync).toMatchObject({ added: 20, removed: 20 });
    const members = app.sims.autopilot.audience(item.segment)!.members;
    expect(members).toHaveLength(item.rows);
    expect(members.filter((m) => m.includes('.new@'))).toHaveLength(20);
  }
}, 240_000);

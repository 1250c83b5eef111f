import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../shared/domain/run.js';
import { reconciliationErrors } from '../../shared/pipeline/counts/outcome.js';
import type { LoggedRequest } from '../../dev/simulators/common/request-log.js';
import { startApp, type DestinationType, type RunningApp } from './app.js';

/**
 * Mirror sync end to end, per destination, on the simulators: the audience follows the
 * segment's newest file (members who leave are removed, newcomers added, nothing else
 * sent), follow-up runs pick up files that land mid-run, deleted audiences are re-created,
 * and a full sync removes members added behind the app's back.
 */

let app: RunningApp;
beforeAll(async () => {
  app = await startApp();
}, 120_000);
afterAll(async () => {
  await app?.stop();
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const people = (prefix: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}.${from + i}@example.com`);
/** A segment file of these members, with an invalid row so the counts have something to reconcile. */
const csv = (emails: string[]) => `email\n${emails.join('\n')}\nnot-an-email\n`;
const held = (type: DestinationType, emails: string[]) => emails.map((e) => (type === 'microsoft-advertising' ? sha256(e) : e)).sort();
/** A request that changes an audience: it carries members, or removes one. */
const isWrite = (r: LoggedRequest) => (r.batchSize ?? 0) > 0 || r.method === 'DELETE' || /\/list$|\/Audiences$|\/segments$/.test(r.path) && r.method === 'POST';

function expectReconciled(run: Run): void {
  for (const segment of run.segments) expect(reconciliationErrors(segment), segment.segment).toEqual([]);
}

async function runNow(exportId: string, body?: unknown): Promise<Run> {
  const runs = await app.api<{ items: Run[] }>('GET', `/exports/${exportId}/runs`);
  const started = await app.api('POST', `/exports/${exportId}/run`, body);
  expect(started.status, started.text).toBe(202);
  return app.waitForRun(exportId, new Set(runs.body.items.map((r) => r.id)));
}

const cases: { name: string; type: DestinationType; settings?: Record<string, string>; removes: boolean }[] = [
  { name: 'Microsoft Advertising', type: 'microsoft-advertising', removes: true },
  { name: 'Autopilot', type: 'autopilot', removes: true },
  { name: 'AdRoll (replace)', type: 'adroll', settings: { segmentUpdates: 'replace' }, removes: true },
  { name: 'RollWorks (append)', type: 'rollworks', removes: false },
];

describe.each(cases)('mirror sync to $name', ({ type, settings, removes }) => {
  it('follows the segment: leavers removed, newcomers added, an unchanged file sends nothing', async () => {
    const segment = `mirror-${type}-${settings ? 'replace' : 'default'}`;
    const sim = app.sims.byType[type];
    if (settings?.segmentUpdates === 'replace') app.sims.adroll.segmentUpdates = 'replace';
    try {
      const base = (await import('../../dev/simulators/index.js')).devConnections[type].settings;
      const exportId = await app.createExport(type, [segment], { settings: { ...base, ...settings } });
      const a = people(segment, 1, 300);
      const b = people(segment, 51, 360);

      await app.dropFile(`${segment}/a.csv`, csv(a));
      const first = await app.waitForRun(exportId);
      expect(first.status, first.reason).toBe('succeeded');
      expect([...sim.audience(segment)!.members].sort()).toEqual(held(type, a));
      expect(first.segments[0]!.sync).toMatchObject({ full: true, ledgerBefore: 0, added: 300, ledgerAfter: 300 });
      expectReconciled(first);

      await app.dropFile(`${segment}/b.csv`, csv(b));
      const second = await app.waitForRun(exportId, new Set([first.id]));
      expect(second.status, second.reason).toBe('succeeded');
      expectReconciled(second);
      if (removes) {
        expect([...sim.audience(segment)!.members].sort()).toEqual(held(type, b));
        expect(second.segments[0]!.sync).toMatchObject({ added: 60, removed: 50, ledgerBefore: 300, ledgerAfter: 310, removeFailed: 0 });
      } else {
        // The service cannot remove members: the leavers are named, never silently kept.
        expect([...sim.audience(segment)!.members].sort()).toEqual(held(type, [...new Set([...a, ...b])]));
        expect(second.segments[0]!.sync).toMatchObject({ notRemoved: 50, notRemovedReason: 'removal-unsupported', added: 60 });
        expect(second.segments[0]!.reason).toMatch(/removal-unsupported: 50 members/);
      }
      if (type === 'microsoft-advertising' || type === 'autopilot') {
        // Only the changes went out.
        expect(second.segments[0]).toMatchObject({ valid: 310, unchanged: 250, sent: 60, accepted: 60 });
      }

      const since = performance.timeOrigin + performance.now();
      const third = await runNow(exportId);
      expect(third.status, third.reason).toBe('succeeded');
      expect(third.segments[0]).toMatchObject({ valid: 310, sent: 0, unchanged: 310 });
      expect(sim.requests.all((r) => r.at >= since && isWrite(r))).toEqual([]);
      expectReconciled(third);
    } finally {
      app.sims.adroll.segmentUpdates = 'append';
    }
  });
});

describe('mirror sync when things change around a run', () => {
  it('delivers a file that lands during an active run with a follow-up run', async () => {
    const segment = 'catch-up';
    const exportId = await app.createExport('autopilot', [segment]);
    const a = people(segment, 1, 2_000);
    // Few leavers: Autopilot removes one contact a call, at 5 calls a second.
    const b = people(segment, 11, 6_000);
    // Slow answers keep the first run busy while the second file lands.
    app.sims.autopilot.inject({ kind: 'slow', delayMs: 100, count: 20, path: '/v1/contacts' });
    const since = performance.timeOrigin + performance.now();
    await app.dropFile(`${segment}/a.csv`, csv(a));
    // Once members arrive, the first run has read a.csv and is sending it.
    const deadline = Date.now() + 30_000;
    while (app.sims.autopilot.requests.all((r) => r.at >= since && r.path === '/v1/contacts').length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await app.dropFile(`${segment}/b.csv`, csv(b));

    const first = await app.waitForRun(exportId);
    expect(first.segments[0]!.file).toBe(`${segment}/a.csv`);
    const second = await app.waitForRun(exportId, new Set([first.id]));
    expect(second.trigger).toBe('segment-refresh');
    expect(second.status, second.reason).toBe('succeeded');
    expect(second.segments[0]!.file).toBe(`${segment}/b.csv`);
    expect([...app.sims.autopilot.audience(segment)!.members].sort()).toEqual(held('autopilot', b));
    expectReconciled(first);
    expectReconciled(second);
  });

  it('re-creates an audience deleted at the destination and fills it in full', async () => {
    const segment = 'deleted-audience';
    const exportId = await app.createExport('microsoft-advertising', [segment]);
    const members = people(segment, 1, 500);
    await app.dropFile(`${segment}/a.csv`, csv(members));
    const first = await app.waitForRun(exportId);
    expect(first.status, first.reason).toBe('succeeded');

    expect(app.sims.microsoftAdvertising.deleteAudience(segment)).toBe(true);
    const second = await runNow(exportId);
    expect(second.status, second.reason).toBe('succeeded');
    expect(second.segments[0]!.audienceId).not.toBe(first.segments[0]!.audienceId);
    expect(second.segments[0]!.sync).toMatchObject({ full: true, added: 500 });
    expect([...app.sims.microsoftAdvertising.audience(segment)!.members].sort()).toEqual(held('microsoft-advertising', members));
    expectReconciled(second);
  });

  it.each<DestinationType>(['microsoft-advertising', 'autopilot'])('removes members added outside the app on a full sync (%s)', async (type) => {
    const segment = `full-sync-${type}`;
    const exportId = await app.createExport(type, [segment]);
    const members = people(segment, 1, 400);
    await app.dropFile(`${segment}/a.csv`, csv(members));
    expect((await app.waitForRun(exportId)).status).toBe('succeeded');
    const strangers = people(`${segment}-stranger`, 1, 5);
    app.sims.byType[type].addMembers(segment, held(type, strangers));

    const incremental = await runNow(exportId);
    expect(incremental.segments[0]).toMatchObject({ sent: 0, unchanged: 400 });
    expect(app.sims.byType[type].audience(segment)!.members).toHaveLength(405);

    const full = await runNow(exportId, { full: true });
    expect(full.status, full.reason).toBe('succeeded');
    expect(full.full).toBe(true);
    expect(full.segments[0]!.sync).toMatchObject({ full: true });
    expect([...app.sims.byType[type].audience(segment)!.members].sort()).toEqual(held(type, members));
    expectReconciled(full);
  });

  it.each<DestinationType>(['microsoft-advertising', 'autopilot'])(
    'sends while preparing into an audience it did not fill, and leaves it holding exactly the segment (%s)',
    async (type) => {
      // Another export filled the audience; this one has no ledger there: every valid member is
      // an add, sent while preparing, and the full sync drops the others (Microsoft's first
      // batch replaces, Autopilot lists and removes).
      const segment = `shared-audience-${type}`;
      // Few: Autopilot removes a contact a request, at 5 requests a second.
      const before = people(`${segment}-before`, 1, 5);
      const other = await app.createExport(type, [segment], { runOnSegmentRefresh: false });
      await app.dropFile(`${segment}/a.csv`, csv(before));
      await waitForCatalog(segment, `${segment}/a.csv`);
      expect((await runNow(other)).status).toBe('succeeded');
      expect(app.sims.byType[type].audience(segment)!.members).toHaveLength(5);

      const exportId = await app.createExport(type, [segment], { runOnSegmentRefresh: false });
      const members = people(segment, 1, 1_200);
      await app.dropFile(`${segment}/b.csv`, csv(members));
      await waitForCatalog(segment, `${segment}/b.csv`);
      const run = await runNow(exportId);
      expect(run.status, run.reason).toBe('succeeded');
      expect(run.segments[0]).toMatchObject({ sent: 1_200, accepted: 1_200 });
      expect(run.segments[0]!.sync).toMatchObject({ full: true, added: 1_200, ledgerAfter: 1_200 });
      expect([...app.sims.byType[type].audience(segment)!.members].sort()).toEqual(held(type, members));
      expectReconciled(run);
    },
  );

  it('plans a run in a dry run without a write at the destination or to the ledger', async () => {
    const segment = 'dry-run';
    const exportId = await app.createExport('microsoft-advertising', [segment], { runOnSegmentRefresh: false });
    await app.dropFile(`${segment}/a.csv`, csv(people(segment, 1, 300)));
    await waitForCatalog(segment, `${segment}/a.csv`);
    expect((await runNow(exportId)).status).toBe('succeeded');
    const b = people(segment, 51, 360);
    await app.dropFile(`${segment}/b.csv`, csv(b));
    await waitForCatalog(segment, `${segment}/b.csv`);

    const since = performance.timeOrigin + performance.now();
    const preview = await app.api('POST', `/exports/${exportId}/preview`);
    expect(preview.status, preview.text).toBe(200);
    expect(preview.body.segments[0]).toMatchObject({ segment, outcome: 'send', read: 311, valid: 310, invalid: 1, adds: 60, removes: 50, unchanged: 250, full: false });
    // The first adds (members 301 on), as Customer Match receives them: SHA-256 hashes.
    expect(preview.body.segments[0].sample).toEqual(b.slice(250, 270).map(sha256));
    expect(app.sims.microsoftAdvertising.requests.all((r) => r.at >= since)).toEqual([]);

    // The ledger is as the last run left it: the real run makes exactly the planned changes.
    const next = await runNow(exportId);
    expect(next.segments[0]).toMatchObject({ unchanged: 250, sent: 60 });
    expect(next.segments[0]!.sync).toMatchObject({ removed: 50, added: 60 });
  });
});

async function waitForCatalog(segment: string, file: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const { body } = await app.api<{ items: { name: string; latestFile: string }[] }>('GET', '/segments');
    if (body.items.some((s) => s.name === segment && s.latestFile === file)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the catalog did not learn of ${file}`);
}

import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoggedRequest } from '../../dev/simulators/common/request-log.js';
import type { Run } from '../../shared/domain/run.js';
import { reconciliationErrors } from '../../shared/pipeline/counts/outcome.js';
import { startApp, type RunningApp } from './app.js';

/**
 * LinkedIn Matched Audiences end to end on its simulator: a segment lands as a DMP segment
 * holding exactly its valid members (SHA-256 of their emails), a refresh with 1 % churn sends
 * only the changes and removes the leavers, a full sync ends exact, and a segment LinkedIn
 * cannot serve (under 300 matched members) is said on the run's reading, the run succeeding.
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
/** A segment file of these members, with an invalid row and a duplicate for the counts to account for. */
const csv = (emails: string[]) => `email\n${emails.join('\n')}\nnot-an-email\n${emails[0]!.toUpperCase()}\n`;
const hashes = (emails: string[]) => emails.map(sha256).sort();
const held = (segment: string) => [...(app.sims.linkedin.audience(segment)?.members ?? [])].sort();
/** Elements sent to `/users` since the request log's `since`-th entry (adds and removes). */
const elementsSent = (since: number) =>
  app.sims.linkedin.requests
    .all()
    .slice(since)
    .filter((r: LoggedRequest) => r.path.endsWith('/users') && r.status === 200)
    .reduce((sum, r) => sum + (r.batchSize ?? 0), 0);

function expectReconciled(run: Run): void {
  expect(run.status, run.reason).toBe('succeeded');
  for (const segment of run.segments) expect(reconciliationErrors(segment), segment.segment).toEqual([]);
}

async function runNow(exportId: string, body?: unknown): Promise<Run> {
  const runs = await app.api<{ items: Run[] }>('GET', `/exports/${exportId}/runs`);
  const started = await app.api('POST', `/exports/${exportId}/run`, body);
  expect(started.status, started.text).toBe(202);
  return app.waitForRun(exportId, new Set(runs.body.items.map((r) => r.id)));
}

describe('LinkedIn Matched Audiences end to end', () => {
  it('lands a segment, follows a 1% churn with only the changes, and ends exact after a full sync', async () => {
    const segment = 'linkedin-b2b';
    const exportId = await app.createExport('linkedin', [segment]);
    const a = people(segment, 1, 1_000);

    await app.dropFile(`${segment}/a.csv`, csv(a));
    const first = await app.waitForRun(exportId);
    expectReconciled(first);
    expect(first.segments[0]).toMatchObject({ read: 1_002, valid: 1_000, invalid: 1, duplicate: 1 });
    expect(first.segments[0]!.sync).toMatchObject({ full: true, ledgerBefore: 0, added: 1_000, ledgerAfter: 1_000 });
    expect(held(segment)).toEqual(hashes(a));
    // Named after the segment, in the dev ad account, found again by its source segment id.
    const listed = (await (await fetch(`${app.sims.urls.linkedin.api.replace(/\/rest$/, '')}/__sim/audiences/${segment}`)).json()) as { members: { SHA256_EMAIL: string }[] };
    expect(listed.members.map((m) => m.SHA256_EMAIL).sort()).toEqual(hashes(a));

    // 1 % churn: ten leave, ten join. Only those twenty go out.
    const b = people(segment, 11, 1_010);
    const before = app.sims.linkedin.requests.all().length;
    await app.dropFile(`${segment}/b.csv`, csv(b));
    const second = await app.waitForRun(exportId, new Set([first.id]));
    expectReconciled(second);
    expect(second.segments[0]!.sync).toMatchObject({ full: false, added: 10, removed: 10, removeFailed: 0, ledgerBefore: 1_000, ledgerAfter: 1_000 });
    expect(elementsSent(before)).toBe(20);
    expect(held(segment)).toEqual(hashes(b));
    expect(app.sims.linkedin.audiences().filter((audience) => audience.name === segment)).toHaveLength(1);

    // A full sync on demand sends the whole segment again and removes what the ledger holds beyond it.
    const c = people(segment, 21, 1_020);
    await app.dropFile(`${segment}/c.csv`, csv(c));
    const third = await app.waitForRun(exportId, new Set([first.id, second.id]));
    expectReconciled(third);
    const full = await runNow(exportId, { full: true });
    expectReconciled(full);
    expect(full.full).toBe(true);
    expect(full.segments[0]!.sync).toMatchObject({ full: true, ledgerAfter: 1_000 });
    expect(held(segment)).toEqual(hashes(c));
  }, 180_000);

  it('says on the run reading that a segment under 300 matched members cannot serve, and the run succeeds', async () => {
    const segment = 'linkedin-small';
    const exportId = await app.createExport('linkedin', [segment]);
    const members = people(segment, 1, 120);
    await app.dropFile(`${segment}/a.csv`, csv(members));
    const run = await app.waitForRun(exportId);
    expectReconciled(run);
    expect(held(segment)).toEqual(hashes(members));

    // The reading taken at the run's end, tied to the run.
    let reading: Record<string, unknown> | null = null;
    for (let i = 0; i < 50 && !reading; i++) {
      const { body } = await app.api<{ audiences: { segment: string; latest: Record<string, unknown> | null }[] }>('GET', `/exports/${exportId}/audiences`);
      reading = body.audiences.find((a) => a.segment === segment)?.latest ?? null;
      if (!reading) await sleep(100);
    }
    expect(reading).toMatchObject({
      trigger: 'after-run',
      tracked: 120,
      state: 'too-small-to-serve',
      reported: { sizes: { audienceSize: 120, matchedCount: 120 }, size: 120, counts: 'matched' },
      lastRun: { runId: run.id, added: 120 },
    });
    expect(String(reading!.detail)).toMatch(/from 300/);
  }, 120_000);
});

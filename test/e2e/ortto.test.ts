import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../shared/domain/run.js';
import { reconciliationErrors } from '../../shared/pipeline/counts/outcome.js';
import { startApp, type RunningApp } from './app.js';

/**
 * Ortto end to end on its simulator: a segment lands and exactly its valid people carry the
 * segment's tag (with names and the phone in E.164); the run record says how to set up the
 * Ortto audience until it exists; a refresh with 1 % churn sends only the changes and untags
 * the leavers; a full sync untags people tagged behind the app's back.
 */

let app: RunningApp;
beforeAll(async () => {
  app = await startApp();
}, 120_000);
afterAll(async () => {
  await app?.stop();
});

const emails = (prefix: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => `${prefix}.${from + k}@example.com`);
/** A file of these people with names and a US phone each, plus an invalid address and a duplicate. */
const csv = (people: string[]) =>
  [
    'email,first,last,mobile',
    ...people.map((email, k) => `${email},First${k},Last${k},(415) 555-${String(1000 + (k % 9000)).padStart(4, '0')}`),
    'not-an-email,Broken,Row,',
    `${people[0]!.toUpperCase()},Dupe,Licate,`,
  ].join('\n') + '\n';

/** What the simulator serves over HTTP: the people holding the tag. */
async function held(segment: string): Promise<{ email: string; first?: string; last?: string; phone?: string }[]> {
  const response = await fetch(`${new URL(app.sims.ortto.url).origin}/__sim/audiences/${encodeURIComponent(segment)}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { members: { email: string }[] }).members;
}
const heldEmails = async (segment: string) => (await held(segment)).map((person) => person.email).sort();

function expectReconciled(run: Run): void {
  for (const segment of run.segments) expect(reconciliationErrors(segment), segment.segment).toEqual([]);
}

async function runNow(exportId: string, body?: unknown): Promise<Run> {
  const runs = await app.api<{ items: Run[] }>('GET', `/exports/${exportId}/runs`);
  const started = await app.api('POST', `/exports/${exportId}/run`, body);
  expect(started.status, started.text).toBe(202);
  return app.waitForRun(exportId, new Set(runs.body.items.map((r) => r.id)));
}

/** People merged (tagged or untagged) since the request log's index `from`. */
const mergedSince = (from: number) =>
  app.sims.ortto.requests
    .all()
    .slice(from)
    .filter((request) => request.path === '/v1/person/merge')
    .reduce((sum, request) => sum + (request.batchSize ?? 0), 0);

describe('export to Ortto', () => {
  const segment = 'ortto-members';
  let exportId: string;
  const first = emails(segment, 1, 1_000);

  it('lands a segment: exactly its valid people carry the tag, with names and the phone, and the run says how to set up the audience', async () => {
    exportId = await app.createExport('ortto', [segment], {
      dataMatching: { email: 'email', firstName: 'first', lastName: 'last', phone: 'mobile' },
      defaultCountry: 'US',
    });
    await app.dropFile(`${segment}/a.csv`, csv(first));
    const run = await app.waitForRun(exportId);

    expect(run.status, run.reason).toBe('succeeded');
    expect(run.segments[0]).toMatchObject({ read: 1_002, valid: 1_000, invalid: 1, duplicate: 1, accepted: 1_000 });
    expect(run.segments[0]!.reason).toContain(`Ortto has no audience named "${segment}"`);
    expect(run.segments[0]!.reason).toContain(`filter Tags is "${segment}"`);
    expectReconciled(run);
    expect(await heldEmails(segment)).toEqual([...first].sort());
    expect((await held(segment)).find((person) => person.email === first[1])).toEqual({
      email: first[1],
      first: 'First1',
      last: 'Last1',
      phone: '14155551001',
    });
    expect(app.sims.ortto.mergeModes().sync).toBe(0);
    expect(app.sims.ortto.requests.maxBatchSize((request) => request.path === '/v1/person/merge')).toBe(100);
  });

  it('sends only the changes of a refresh with 1 % churn, and untags the leavers', async () => {
    // The admin has set up the audience meanwhile: the run record stops asking.
    app.sims.ortto.createOrttoAudience(segment);
    const next = [...first.slice(10), ...emails(segment, 1_001, 1_010)];
    const before = app.sims.ortto.requests.all().length;
    await app.dropFile(`${segment}/b.csv`, csv(next));
    const runs = await app.api<{ items: Run[] }>('GET', `/exports/${exportId}/runs`);
    const run = await app.waitForRun(exportId, new Set(runs.body.items.map((r) => r.id)));

    expect(run.status, run.reason).toBe('succeeded');
    expect(run.segments[0]!.reason).toBeUndefined();
    expect(run.segments[0]!.sync).toMatchObject({ full: false, added: 10, removed: 10, ledgerBefore: 1_000, ledgerAfter: 1_000, removeFailed: 0 });
    expectReconciled(run);
    // Ten newcomers tagged and ten leavers untagged: twenty people, nobody else sent.
    expect(mergedSince(before)).toBe(20);
    expect(await heldEmails(segment)).toEqual([...next].sort());
    // A leaver keeps their Ortto record, without the tag.
    expect(app.sims.ortto.person(first[0]!)).toMatchObject({ tags: [] });
  });

  it('ends a full sync exact: people tagged behind the app are untagged', async () => {
    const current = [...first.slice(10), ...emails(segment, 1_001, 1_010)];
    const strangers = emails('stranger', 1, 25);
    app.sims.ortto.addMembers(segment, strangers);
    expect(await heldEmails(segment)).toHaveLength(1_025);

    const run = await runNow(exportId, { full: true });

    expect(run.status, run.reason).toBe('succeeded');
    expect(run.segments[0]!.sync).toMatchObject({ full: true, ledgerAfter: 1_000, removeFailed: 0 });
    expectReconciled(run);
    expect(await heldEmails(segment)).toEqual([...current].sort());
    expect(app.sims.ortto.person(strangers[0]!)).toMatchObject({ tags: [] });
  });
});

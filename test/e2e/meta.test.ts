import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../shared/domain/run.js';
import { reconciliationErrors } from '../../shared/pipeline/counts/outcome.js';
import { startApp, type RunningApp } from './app.js';

/**
 * Meta Custom Audiences end to end on its simulator: a segment with every identifier Meta
 * takes lands hashed as Meta normalizes it, a refresh sends only the changes, a full sync
 * swaps the membership through one usersreplace session, throttling mid-run is waited out,
 * and a flagged audience ends the segment with its reason and loses nothing.
 */

let app: RunningApp;
beforeAll(async () => {
  app = await startApp();
}, 120_000);
afterAll(async () => {
  await app?.stop();
});

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const dataMatching = { email: 'email', phone: 'phone', firstName: 'first_name', lastName: 'last_name', postalCode: 'zip', countryCode: 'country' };

interface Person {
  email: string;
  phone: string;
  first: string;
  last: string;
  zip: string;
  country: string;
}

/** People as a CRM writes them: mixed case, spaces, punctuation in names, phones with spaces. */
const person = (prefix: string, n: number): Person => ({
  email: `  ${prefix}.Person.${n}@Example.COM `,
  // The trunk 0 in brackets goes: Meta takes the digits with the country code, no leading zeros.
  phone: `+49 (0)151 ${20_000_000 + n}`,
  first: `Mary-Ann${n}`,
  last: `O'Brien`,
  zip: '10115',
  country: 'DE',
});
const people = (prefix: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => person(prefix, from + k));

/** A row of Meta's audience as the simulator lists it: each value normalized by Meta's rules, then SHA-256. */
const expectedRow = (p: Person) => ({
  EMAIL: sha(p.email.trim().toLowerCase()),
  PHONE: sha(p.phone.replace('(0)', '').replace(/\D/g, '')),
  FN: sha(p.first.replace(/[-']/g, '').toLowerCase()),
  LN: sha(p.last.replace(/[-']/g, '').toLowerCase()),
  ZIP: sha(p.zip),
  COUNTRY: sha(p.country.toLowerCase()),
});

/** The segment file, with two rows no match set covers (a bad email alone; names without postal code and country). */
const csv = (members: Person[]) =>
  [
    'email,phone,first_name,last_name,zip,country',
    ...members.map((p) => [p.email, p.phone, p.first, p.last, p.zip, p.country].map((v) => `"${v.replace(/"/g, '""')}"`).join(',')),
    'not-an-email,,,,,',
    ',,Lonely,Name,,',
  ].join('\n') + '\n';

const sortRows = (rows: Record<string, string>[]) => rows.map((row) => JSON.stringify(row, Object.keys(row).sort())).sort();
const audienceRows = (segment: string) => sortRows(app.sims.meta.rows(segment) ?? []);
const rowsOf = (members: Person[]) => sortRows(members.map(expectedRow));

function expectReconciled(run: Run): void {
  for (const segment of run.segments) expect(reconciliationErrors(segment), segment.segment).toEqual([]);
}

async function runNow(exportId: string, body?: unknown): Promise<Run> {
  const runs = await app.api<{ items: Run[] }>('GET', `/exports/${exportId}/runs`);
  const started = await app.api('POST', `/exports/${exportId}/run`, body);
  expect(started.status, started.text).toBe(202);
  return app.waitForRun(exportId, new Set(runs.body.items.map((r) => r.id)));
}

async function firstRun(segment: string, members: Person[]): Promise<{ exportId: string; run: Run }> {
  const exportId = await app.createExport('meta', [segment], { dataMatching, defaultCountry: 'DE' });
  await app.dropFile(`${segment}/a.csv`, csv(members));
  return { exportId, run: await app.waitForRun(exportId) };
}

const since = () => performance.timeOrigin + performance.now();
const requestsSince = (at: number, path: RegExp) => app.sims.meta.requests.all((r) => r.at >= at && path.test(r.path));

describe('Meta Custom Audiences end to end', () => {
  it('lands every identifier as Meta normalizes it, sends only the changes of a 1% churn, and swaps the audience in full through one session', async () => {
    const segment = 'meta-e2e';
    const members = people('a', 1, 600);
    const { exportId, run: first } = await firstRun(segment, members);
    expect(first.status, first.reason ?? first.segments[0]?.reason).toBe('succeeded');
    expect(first.segments[0]).toMatchObject({ valid: 600, invalid: 2, sent: 600, accepted: 600 });
    expect(audienceRows(segment)).toEqual(rowsOf(members));
    expectReconciled(first);

    // 1% churn: six leave, six join.
    const churned = [...members.slice(6), ...people('b', 1, 6)];
    const refreshAt = since();
    await app.dropFile(`${segment}/b.csv`, csv(churned));
    const refresh = await app.waitForRun(exportId, new Set([first.id]));
    expect(refresh.status, refresh.segments[0]?.reason).toBe('succeeded');
    expect(refresh.segments[0]).toMatchObject({ unchanged: 594, sent: 6, accepted: 6 });
    expect(refresh.segments[0]!.sync).toMatchObject({ added: 6, removed: 6, ledgerBefore: 600, ledgerAfter: 600 });
    const writes = requestsSince(refreshAt, /\/users(replace)?$/);
    expect(writes.reduce((sum, r) => sum + (r.batchSize ?? 0), 0)).toBe(12);
    expect(writes.some((r) => r.path.endsWith('/usersreplace'))).toBe(false);
    expect(audienceRows(segment)).toEqual(rowsOf(churned));
    expectReconciled(refresh);

    // Members added behind the app's back go with a full sync, which replaces through a session.
    app.sims.meta.addMembers(segment, [`email=${sha('stranger@example.com')}`]);
    const fullAt = since();
    const full = await runNow(exportId, { full: true });
    expect(full.status, full.segments[0]?.reason).toBe('succeeded');
    expect(full.segments[0]).toMatchObject({ sent: 600, accepted: 600 });
    expect(full.segments[0]!.sync).toMatchObject({ full: true, ledgerAfter: 600 });
    const session = requestsSince(fullAt, /\/users(replace)?$/);
    // Several requests (the payload bound), all of them the session's: no plain adds.
    expect(session.length).toBeGreaterThan(1);
    expect(session.every((r) => r.path.endsWith('/usersreplace') && r.status === 200)).toBe(true);
    expect(session.reduce((sum, r) => sum + (r.batchSize ?? 0), 0)).toBe(600);
    expect(audienceRows(segment)).toEqual(rowsOf(churned));
    expectReconciled(full);
  }, 120_000);

  it('ends a segment mapping every identifier Meta takes, whose 1,000 rows are more requests than one activity has turns for', async () => {
    // The demo's export: every key, so a batch of 1,000 rows goes as about eight requests.
    const segment = 'meta-every-key';
    const everyKey = { ...dataMatching, externalId: 'customer_id' };
    const exportId = await app.createExport('meta', [segment], { dataMatching: everyKey, defaultCountry: 'US' });
    const lines = Array.from({ length: 1_000 }, (_, k) => {
      const i = k + 1;
      const phone = i % 5 === 0 ? `+1212555${String(i).padStart(4, '0')}` : '';
      return [`every.${i}@example.com`, phone, `First${i}`, `Last${i}`, String(10_000 + i), 'US', `crm-${i}`].join(',');
    });
    const at = since();
    await app.dropFile(`${segment}/a.csv`, ['email,phone,first_name,last_name,zip,country,customer_id', ...lines].join('\n') + '\n');
    const run = await app.waitForRun(exportId);
    expect(run.status, run.reason ?? run.segments[0]?.reason).toBe('succeeded');
    expect(run.segments[0]).toMatchObject({ valid: 1_000, sent: 1_000, accepted: 1_000, rejected: 0 });
    const rows = app.sims.meta.rows(segment)!;
    expect(rows).toHaveLength(1_000);
    expect(rows.every((row) => row.EMAIL && row.FN && row.LN && row.ZIP && row.COUNTRY && row.EXTERN_ID)).toBe(true);
    expect(rows.find((row) => row.EXTERN_ID === 'crm-7')).toMatchObject({ ZIP: sha('10007'), COUNTRY: sha('us') });
    // Each row went once: the send went on from where the rate stopped it, never from the batch's first record again.
    const writes = requestsSince(at, /\/users$/);
    expect(writes.length).toBeGreaterThan(5);
    expect(writes.reduce((sum, r) => sum + (r.batchSize ?? 0), 0)).toBe(1_000);
    expectReconciled(run);
  }, 120_000);

  it.each([17, 613])('waits out a throttle (code %i) mid-run, in a session too, and ends exact', async (code) => {
    const segment = `meta-throttled-${code}`;
    const members = people(`t${code}`, 1, 400);
    app.sims.meta.throttle(code, 8);
    const { exportId, run } = await firstRun(segment, members);
    expect(run.status, run.segments[0]?.reason).toBe('succeeded');
    expect(run.segments[0]).toMatchObject({ sent: 400, accepted: 400 });
    expect(requestsSince(0, new RegExp(`.`)).some((r) => r.status === 400)).toBe(true);
    expect(audienceRows(segment)).toEqual(rowsOf(members));
    expectReconciled(run);

    // Mid-session: the session goes on from where the throttle stopped it.
    app.sims.meta.throttle(code, 3);
    const full = await runNow(exportId, { full: true });
    expect(full.status, full.segments[0]?.reason).toBe('succeeded');
    expect(full.segments[0]!.sync).toMatchObject({ full: true, ledgerAfter: 400 });
    expect(audienceRows(segment)).toEqual(rowsOf(members));
    expectReconciled(full);
  }, 120_000);

  it('ends the segment of a flagged audience with its reason, loses nothing, and ends exact once reviewed', async () => {
    const segment = 'meta-flagged';
    const members = people('f', 1, 300);
    const { exportId, run: first } = await firstRun(segment, members);
    expect(first.status).toBe('succeeded');

    app.sims.meta.flag(segment);
    const next = [...members.slice(10), ...people('g', 1, 10)];
    await app.dropFile(`${segment}/b.csv`, csv(next));
    const refused = await app.waitForRun(exportId, new Set([first.id]));
    // The unchanged members are still there: partly, not wholly, failed.
    expect(refused.status).toBe('partially-succeeded');
    expect(refused.segments[0]!.reason).toMatch(/flagged/);
    expect(refused.segments[0]!.sync).toMatchObject({ removeFailed: 10 });
    // Nothing changed at Meta, and the ledger still owes the removals.
    expect(audienceRows(segment)).toEqual(rowsOf(members));
    expect((await app.rejected(refused.id)).filter((row) => /flagged/.test(row.reason))).toHaveLength(10);

    // A full sync meanwhile fails every session start with the same reason.
    const fullRefused = await runNow(exportId, { full: true });
    expect(fullRefused.segments[0]!.reason).toMatch(/replace-session-failed: .*flagged/);
    expect(audienceRows(segment)).toEqual(rowsOf(members));
    expectReconciled(fullRefused);

    app.sims.meta.flag(segment, false);
    const after = await runNow(exportId);
    expect(after.status, after.segments[0]?.reason).toBe('succeeded');
    expect(audienceRows(segment)).toEqual(rowsOf(next));
    expectReconciled(after);
  }, 120_000);
});

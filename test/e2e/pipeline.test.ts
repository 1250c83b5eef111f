import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconciliationErrors } from '../../shared/pipeline/counts/outcome.js';
import { startApp, type RunningApp } from './app.js';

/**
 * A segment file dropped into blob storage, picked up by the blob trigger, run through the
 * orchestration to a destination simulator: the run record must account for every row.
 */

let app: RunningApp;
beforeAll(async () => {
  app = await startApp();
}, 120_000);
afterAll(async () => {
  await app?.stop();
});

interface Expected {
  valid: string[];
  rejected: { row: number; reason: string }[];
}

/** 300 distinct members with, in between, rows the pipeline must reject, and what it must make of them. */
function segmentRows(prefix: string): { rows: { email?: string; first_name: string }[]; expected: Expected } {
  const rows: { email?: string; first_name: string }[] = [];
  const expected: Expected = { valid: [], rejected: [] };
  for (let i = 1; i <= 300; i++) {
    const email = `${prefix}.${i}@example.com`;
    rows.push({ email, first_name: `Member ${i}` });
    expected.valid.push(email);
    if (i % 50 === 0) {
      rows.push({ email: `not an email ${i}`, first_name: 'Bad' });
      expected.rejected.push({ row: rows.length, reason: 'invalid-email' });
      // The same person again, as another system would spell them.
      rows.push({ email: `  ${email.toUpperCase()} `, first_name: 'Again' });
      expected.rejected.push({ row: rows.length, reason: 'duplicate' });
    }
  }
  rows.push({ email: '', first_name: 'Nobody' });
  expected.rejected.push({ row: rows.length, reason: 'missing-email' });
  return { rows, expected };
}

const csv = (rows: { email?: string; first_name: string }[]) =>
  `email,first_name\n${rows.map((r) => `${r.email ?? ''},${r.first_name}`).join('\n')}\n`;
const jsonl = (rows: { email?: string; first_name: string }[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('segment files to runs', () => {
  it.each([
    { format: 'CSV', file: 'members.csv', encode: (rows: ReturnType<typeof segmentRows>['rows']) => csv(rows) },
    { format: 'JSON Lines', file: 'members.jsonl', encode: (rows: ReturnType<typeof segmentRows>['rows']) => jsonl(rows) },
    { format: 'gzipped CSV', file: 'members.csv.gz', encode: (rows: ReturnType<typeof segmentRows>['rows']) => gzipSync(csv(rows)) },
    { format: 'gzipped JSON Lines', file: 'members.jsonl.gz', encode: (rows: ReturnType<typeof segmentRows>['rows']) => gzipSync(jsonl(rows)) },
  ])('reconciles a $format file row for row', async ({ file, encode }) => {
    const segment = `reconcile-${file.replace(/\./g, '-')}`;
    const { rows, expected } = segmentRows(segment);
    const exportId = await app.createExport('autopilot', [segment]);
    await app.dropFile(`${segment}/${file}`, encode(rows));

    const run = await app.waitForRun(exportId);
    expect(run.status, run.reason).toBe('succeeded');
    expect(run.trigger).toBe('segment-refresh');
    const [tally] = run.segments;
    const duplicates = expected.rejected.filter((r) => r.reason === 'duplicate').length;
    expect(tally).toMatchObject({
      segment,
      read: rows.length,
      valid: expected.valid.length,
      invalid: expected.rejected.length - duplicates,
      duplicate: duplicates,
      sent: expected.valid.length,
      accepted: expected.valid.length,
      rejected: 0,
    });
    expect(reconciliationErrors(tally!)).toEqual([]);

    // Every rejected row is in the report with its row number and reason.
    const report = await app.rejected(run.id);
    expect(report.map((r) => ({ row: r.row, reason: r.reason }))).toEqual(expected.rejected);
    expect(report.every((r) => r.segment === segment)).toBe(true);
    // And every valid member is in the audience named after the segment, once.
    const audience = app.sims.autopilot.audience(segment)!;
    expect([...audience.members].sort()).toEqual([...expected.valid].sort());
  });

  it('fails a segment whose file lacks the mapped email column, saying which', async () => {
    const segment = 'no-email-column';
    const exportId = await app.createExport('autopilot', [segment]);
    await app.dropFile(`${segment}/members.csv`, 'mail,first_name\na@example.com,A\n');

    const run = await app.waitForRun(exportId);
    expect(run.status).toBe('failed');
    expect(run.segments[0]!.status).toBe('failed');
    expect(run.segments[0]!.reason).toMatch(/^missing-column: email not in the file's header \(mail, first_name\)/);
    expect(app.sims.autopilot.audience(segment)).toBeUndefined();
  });

  it.each([
    ['40 KB', 40 * 1024],
    ['10 MB', 10 * 1024 * 1024],
  ])('fails a file with a %s header with a short reason, and the catalog still lists it', async (_, size) => {
    const segment = `wide-header-${size}`;
    const exportId = await app.createExport('autopilot', [segment]);
    await app.dropFile(`${segment}/members.csv`, `email,${'c'.repeat(size)}\na@example.com,1\n`);

    const run = await app.waitForRun(exportId);
    expect(run.status).toBe('failed');
    expect(run.segments[0]!.reason).toMatch(/^header-too-long: /);
    expect(JSON.stringify(run).length).toBeLessThan(4_000);
    const segments = (await app.api('GET', '/segments?top=1000')).body as { items: { name: string; columns: string[] }[] };
    expect(segments.items.find((s) => s.name === segment)).toMatchObject({ columns: [] });
  }, 60_000);

  it('reads past stray quotes: one row reported by its line, every other row delivered', async () => {
    const segment = 'stray-quotes';
    const exportId = await app.createExport('autopilot', [segment]);
    const lines = Array.from({ length: 1_000 }, (_, i) => `${segment}.${i}@example.com,${i === 49 ? '"Name 49' : i === 59 ? 'O"Brien 59' : `Name ${i}`}`);
    await app.dropFile(`${segment}/members.csv`, `email,first_name\n${lines.join('\n')}\n`);

    const run = await app.waitForRun(exportId);
    expect(run.status, run.reason).toBe('succeeded');
    expect(run.segments[0]).toMatchObject({ read: 1_000, valid: 999, invalid: 1, sent: 999, accepted: 999 });
    const report = await app.rejected(run.id);
    expect(report.map((r) => r.row)).toEqual([50]);
    expect(app.sims.autopilot.audience(segment)!.members).toHaveLength(999);
  });

  it('skips a segment under 100 members for AdRoll, and sends nothing', async () => {
    const segment = 'small-for-adroll';
    const exportId = await app.createExport('adroll', [segment]);
    const emails = Array.from({ length: 99 }, (_, i) => `small.${i}@example.com`);
    await app.dropFile(`${segment}/members.csv`, `email\n${emails.join('\n')}\n`);

    const run = await app.waitForRun(exportId);
    expect(run.status).toBe('skipped');
    expect(run.segments[0]).toMatchObject({ status: 'skipped', read: 99, valid: 99, skipped: 99, sent: 0 });
    expect(run.segments[0]!.reason).toMatch(/^segment-too-small/);
    expect(app.sims.adroll.audience(segment)).toBeUndefined();
    // Every row not sent is listed, with the segment's reason.
    const report = await app.rejected(run.id);
    expect(report.map((r) => r.row)).toEqual(emails.map((_, i) => i + 1));
    expect(new Set(report.map((r) => r.reason))).toEqual(new Set(['segment-too-small']));
    expect(reconciliationErrors(run.segments[0]!)).toEqual([]);
  });

  describe('over the destination limit (AdRoll: 250,000 per segment)', () => {
    const segment = 'too-large';
    const limit = 250_000;
    const count = limit + 1;
    const file = `email\n${Array.from({ length: count }, (_, i) => `big.${i + 1}@example.com`).join('\n')}\n`;

    it('fails the segment with segment-too-large, sending nothing', async () => {
      const exportId = await app.createExport('adroll', [segment]);
      await app.dropFile(`${segment}/members.csv`, file);

      const run = await app.waitForRun(exportId);
      expect(run.status).toBe('failed');
      expect(run.segments[0]).toMatchObject({ status: 'failed', read: count, valid: count, sent: 0 });
      expect(run.segments[0]!.reason).toMatch(/^segment-too-large/);
      expect(app.sims.adroll.audience(segment)).toBeUndefined();
      const report = await app.rejected(run.id);
      expect(report).toHaveLength(count);
      expect(report.every((r) => r.reason === 'segment-too-large')).toBe(true);
      expect(reconciliationErrors(run.segments[0]!)).toEqual([]);
    });

    it('with truncate, sends the first 250,000 and reports the rest as over-limit', async () => {
      const exportId = await app.createExport('adroll', [segment], { truncate: true, runOnSegmentRefresh: false });
      const started = await app.api('POST', `/exports/${exportId}/run`);
      expect(started.status).toBe(202);
      expect(started.headers.get('location')).toBe(`/api/runs/${started.body.run.id}`);

      const run = await app.waitForRun(exportId);
      expect(run.id).toBe(started.body.run.id);
      expect(run.status).toBe('succeeded');
      expect(run.segments[0]).toMatchObject({ read: count, valid: count, skipped: 1, sent: limit, accepted: limit });
      expect(await app.rejected(run.id)).toEqual([{ segment, row: count, reason: 'over-limit', value: `big.${count}@example.com` }]);
      expect(app.sims.adroll.audience(segment)!.members).toHaveLength(limit);
      expect(reconciliationErrors(run.segments[0]!)).toEqual([]);
    });
  });
});

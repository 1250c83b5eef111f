import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { readSegmentRows, type SegmentRow } from './segment-reader.js';
import { parseSegmentBlobName, segmentFileFormat } from '../prepare/segment-file.js';

type NamedRow = { row: number; values: Record<string, unknown> } | { row: number; malformed: string };

/** Every row, its values by column name (asking for every column), as tests read best. */
async function rowsOf(reader: ReturnType<typeof readSegmentRows>) {
  const columns = await reader.columns();
  const rows: NamedRow[] = [];
  for await (const batch of reader.batches(columns)) {
    for (const r of batch as SegmentRow[]) {
      rows.push('malformed' in r ? r : { row: r.row, values: Object.fromEntries(columns.map((c, i) => [c, r.values[i]])) });
    }
  }
  return { columns, rows };
}

const collect = (text: string | Buffer, format: Parameters<typeof readSegmentRows>[1]) =>
  rowsOf(readSegmentRows(Readable.from([Buffer.from(text)]), format));

const csv = { format: 'csv', gzip: false } as const;
const jsonl = { format: 'jsonl', gzip: false } as const;

describe('segmentFileFormat', () => {
  it.each([
    ['a/b.csv', { format: 'csv', gzip: false }],
    ['a/b.CSV.gz', { format: 'csv', gzip: true }],
    ['a/b.jsonl', { format: 'jsonl', gzip: false }],
    ['a/b.ndjson.gz', { format: 'jsonl', gzip: true }],
    ['a/b.txt', undefined],
    ['a/b.csv.zip', undefined],
  ])('%s', (name, expected) => expect(segmentFileFormat(name)).toEqual(expected));

  it('splits segment and file', () => {
    expect(parseSegmentBlobName('vip customers/2026-11-22.csv')).toEqual({ segment: 'vip customers', file: '2026-11-22.csv' });
    expect(parseSegmentBlobName('no-folder.csv')).toBeUndefined();
  });
});

describe('readSegmentRows (CSV)', () => {
  it('reads RFC 4180 quoting, a BOM and CRLF line ends', async () => {
    const text = '\uFEFFemail,name\r\n"a@x.com","Smith, Ann"\r\n"b@x.com","He said ""hi"""\r\n"c@x.com","two\r\nlines"\r\n';
    const { columns, rows } = await collect(text, csv);
    expect(columns).toEqual(['email', 'name']);
    expect(rows).toEqual([
      { row: 1, values: { email: 'a@x.com', name: 'Smith, Ann' } },
      { row: 2, values: { email: 'b@x.com', name: 'He said "hi"' } },
      { row: 3, values: { email: 'c@x.com', name: 'two\r\nlines' } },
    ]);
  });

  it('reports rows with the wrong number of fields and keeps going', async () => {
    const { rows } = await collect('email,name\na@x.com,Ann\nb@x.com\nc@x.com,Cy,extra\nd@x.com,Di\n', csv);
    expect(rows.map((r) => ('malformed' in r ? `${r.row}:bad` : `${r.row}:ok`))).toEqual(['1:ok', '2:bad', '3:bad', '4:ok']);
  });

  it('reads gzip', async () => {
    const { columns, rows } = await collect(gzipSync('email\na@x.com\nb@x.com\n'), { format: 'csv', gzip: true });
    expect(columns).toEqual(['email']);
    expect(rows).toHaveLength(2);
  });

  it('gives a header-only file no rows', async () => {
    const { columns, rows } = await collect('email,first\n', csv);
    expect(columns).toEqual(['email', 'first']);
    expect(rows).toEqual([]);
  });
});

describe('readSegmentRows (JSON Lines)', () => {
  it('reads objects, skips blank lines, reports lines that are not objects', async () => {
    const text = '{"email":"a@x.com","n":1}\n\n[1,2]\n{"email":"b@x.com"}\nnot json\n';
    const { columns, rows } = await collect(text, jsonl);
    expect(columns).toEqual(['email', 'n']);
    // Row numbers are the file's lines: the blank line 2 is skipped, not renumbered over.
    expect(rows).toEqual([
      { row: 1, values: { email: 'a@x.com', n: 1 } },
      { row: 3, malformed: 'malformed-row: not a JSON object' },
      { row: 4, values: { email: 'b@x.com' } },
      { row: 5, malformed: 'malformed-row: not a JSON object' },
    ]);
  });

  it('reads gzip', async () => {
    const { rows } = await collect(gzipSync('{"email":"a@x.com"}\r\n{"email":"b@x.com"}'), { format: 'jsonl', gzip: true });
    expect(rows).toHaveLength(2);
  });

  it('reads a first line that starts with a byte order mark', async () => {
    const { columns, rows } = await collect('\uFEFF{"email":"a@x.com"}\n', jsonl);
    expect(columns).toEqual(['email']);
    expect(rows).toEqual([{ row: 1, values: { email: 'a@x.com' } }]);
  });

  it('handles an empty file', async () => {
    const { columns, rows } = await collect('', jsonl);
    expect(columns).toEqual([]);
    expect(rows).toEqual([]);
  });
});

/** 1,000 rows `user<i>@x.com,Name <i>` (row n holds i = n - 1), with some names replaced. */
function thousandRows(names: Record<number, string>): string {
  const lines = Array.from({ length: 1_000 }, (_, i) => `user${i}@x.com,${names[i + 1] ?? `Name ${i}`}`);
  return `email,name\n${lines.join('\n')}\n`;
}

describe('readSegmentRows (stray quotes)', () => {
  it('reports a row with a stray opening quote by its line and reads every other row', async () => {
    const { rows } = await collect(thousandRows({ 50: '"Name 49', 60: 'O"Brien 59' }), csv);
    expect(rows).toHaveLength(1_000);
    expect(rows.map((r) => r.row)).toEqual(Array.from({ length: 1_000 }, (_, i) => i + 1));
    expect(rows.filter((r) => 'malformed' in r).map((r) => r.row)).toEqual([50]);
    expect(rows[50]).toEqual({ row: 51, values: { email: 'user50@x.com', name: 'Name 50' } });
    // A quote inside an unquoted field is taken as a character (as csv-parse's relax_quotes did).
    expect(rows[59]).toEqual({ row: 60, values: { email: 'user59@x.com', name: 'O"Brien 59' } });
    expect(rows[999]).toEqual({ row: 1_000, values: { email: 'user999@x.com', name: 'Name 999' } });
  });

  it('does not fail the file when a quote is never closed', async () => {
    const { rows } = await collect(thousandRows({ 50: '"Name 49' }), csv);
    expect(rows).toHaveLength(1_000);
    expect(rows.filter((r) => 'malformed' in r).map((r) => r.row)).toEqual([50]);
    expect(rows[999]).toEqual({ row: 1_000, values: { email: 'user999@x.com', name: 'Name 999' } });
  });

  it('numbers rows by the line they start on, so a field over two lines keeps later rows true to the file', async () => {
    const { rows } = await collect('email,note\na@x.com,"line one\nline two"\nb@x.com,plain\nc@x.com,"bad"quote\nd@x.com,ok\n', csv);
    expect(rows).toEqual([
      { row: 1, values: { email: 'a@x.com', note: 'line one\nline two' } },
      { row: 3, values: { email: 'b@x.com', note: 'plain' } },
      { row: 4, malformed: expect.stringMatching(/^malformed-row: /) },
      { row: 5, values: { email: 'd@x.com', note: 'ok' } },
    ]);
  });

  it('gives up on a quote after 100 lines, and reads those lines again as rows', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `user${i}@x.com,${i === 0 ? '"Name 0' : `Name ${i}`}`);
    const { rows } = await collect(`email,name\n${lines.join('\n')}\n`, csv);
    expect(rows).toHaveLength(20_000);
    expect(rows.filter((r) => 'malformed' in r).map((r) => r.row)).toEqual([1]);
    expect(rows.map((r) => r.row)).toEqual(Array.from({ length: 20_000 }, (_, i) => i + 1));
    expect(rows[100]).toEqual({ row: 101, values: { email: 'user100@x.com', name: 'Name 100' } });
  });

  it('reports every row when each opens a quote that the next one cannot close', async () => {
    const lines = Array.from({ length: 2_000 }, (_, i) => `user${i}@x.com,"Name ${i}`);
    const { rows } = await collect(`email,name\n${lines.join('\n')}\n`, csv);
    expect(rows.map((r) => ('malformed' in r ? r.row : -r.row))).toEqual(Array.from({ length: 2_000 }, (_, i) => i + 1));
  });
});

describe('readSegmentRows (encoding)', () => {
  it('reports a row that is not valid UTF-8 as invalid-encoding and reads the others', async () => {
    const latin1 = Buffer.concat([Buffer.from('email,name\na@x.com,Ann\n'), Buffer.from('ren\xe9e@x.com,Ren\xe9e\n', 'latin1'), Buffer.from('c@x.com,Cy\n')]);
    const { rows } = await collect(latin1, csv);
    expect(rows).toEqual([
      { row: 1, values: { email: 'a@x.com', name: 'Ann' } },
      { row: 2, malformed: 'invalid-encoding: the row is not valid UTF-8' },
      { row: 3, values: { email: 'c@x.com', name: 'Cy' } },
    ]);
  });

  it('does the same for JSON Lines', async () => {
    const text = Buffer.concat([Buffer.from('{"email":"a@x.com"}\n'), Buffer.from('{"email":"ren\xe9e@x.com"}\n', 'latin1'), Buffer.from('{"email":"c@x.com"}\n')]);
    const { rows } = await collect(text, jsonl);
    expect(rows.map((r) => ('malformed' in r ? r.malformed : r.row))).toEqual([1, 'invalid-encoding: the row is not valid UTF-8', 3]);
  });

  it('keeps valid multi-byte characters split across chunks', async () => {
    const bytes = Buffer.from('email,name\na@x.com,Zoë 😀\n');
    const { rows } = await rowsOf(readSegmentRows(Readable.from([...bytes].map((b) => Buffer.from([b]))), csv));
    expect(rows).toEqual([{ row: 1, values: { email: 'a@x.com', name: 'Zoë 😀' } }]);
  });
});

describe('readSegmentRows (long lines)', () => {
  it('fails a header over the limit with a short reason, without reading it all', async () => {
    const header = `email,${Array.from({ length: 1_000_000 }, (_, i) => `column_${i}`).join(',')}\n`;
    const error = await collect(`${header}a@x.com\n`, csv).then(() => undefined, (e: Error) => e);
    expect(error?.message).toMatch(/^header-too-long: /);
    expect(error!.message.length).toBeLessThan(200);
  });

  it('reads a row with a 10 MB field', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    const { rows } = await collect(`email,name\na@x.com,${big}\nb@x.com,"${big}"\nc@x.com,Cy\n`, csv);
    expect(rows.map((r) => r.row)).toEqual([1, 2, 3]);
    expect(rows.every((r) => 'values' in r)).toBe(true);
    expect((rows[1] as { values: Record<string, string> }).values.name).toHaveLength(big.length);
  });
});

describe('readSegmentRows (broken input)', () => {
  it('fails a binary file by its header, with a one-line reason', async () => {
    const { randomBytes } = await import('node:crypto');
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x0a]), randomBytes(100_000)]);
    const error = await collect(bytes, csv).then(() => undefined, (e: Error) => e);
    expect(error?.message).toBe('invalid-encoding: the header is not valid UTF-8');
  });

  it('fails a gzip of zeros (a bomb) as soon as the header passes its bound', async () => {
    const { gzipSync: gzip } = await import('node:zlib');
    const bomb = gzip(Buffer.alloc(20 * 1024 * 1024));
    const error = await collect(bomb, { format: 'csv', gzip: true }).then(() => undefined, (e: Error) => e);
    expect(error?.message).toMatch(/^header-too-long: /);
  });

  it('fails a corrupt gzip instead of hanging', async () => {
    const corrupt = Buffer.concat([gzipSync('email\na@x.com\n').subarray(0, 10), Buffer.from('garbage')]);
    await expect(collect(corrupt, { format: 'csv', gzip: true })).rejects.toThrow();
    await expect(collect(corrupt, { format: 'jsonl', gzip: true })).rejects.toThrow();
  });
});

describe('parseCsvRecord', () => {
  it('parses quoted, doubled and empty fields, and tells an open quote from a bad one', async () => {
    const { parseCsvRecord, QUOTE_NOT_CLOSED, QUOTE_NOT_DOUBLED } = await import('./csv-record.js');
    expect(parseCsvRecord('a,"b,c","say ""hi""",,O"Brien,')).toEqual(['a', 'b,c', 'say "hi"', '', 'O"Brien', '']);
    expect(parseCsvRecord('"a",""')).toEqual(['a', '']);
    expect(parseCsvRecord('a,"open')).toBe(QUOTE_NOT_CLOSED);
    expect(parseCsvRecord('a,"shut"x,b')).toBe(QUOTE_NOT_DOUBLED);
    // Fields not kept come out empty, and still count.
    expect(parseCsvRecord('C1,"a@x.com",Ada,"Love ""L""",US', [false, true, true, false, false])).toEqual(['', 'a@x.com', 'Ada', '', '']);
  });
});

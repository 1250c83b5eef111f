import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { readSegmentRows, type SegmentRow } from './segment-reader.js';
import { parseSegmentBlobName, segmentFileFormat } from './segment-file.js';

async function collect(text: string | Buffer, format: Parameters<typeof readSegmentRows>[1]) {
  const reader = readSegmentRows(Readable.from([Buffer.from(text)]), format);
  const columns = await reader.columns();
  const rows: SegmentRow[] = [];
  for await (const row of reader.rows()) rows.push(row);
  return { columns, rows };
}

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
    expect(rows).toEqual([
      { row: 1, values: { email: 'a@x.com', n: 1 } },
      { row: 2, malformed: 'malformed-row: not a JSON object' },
      { row: 3, values: { email: 'b@x.com' } },
      { row: 4, malformed: 'malformed-row: not a JSON object' },
    ]);
  });

  it('reads gzip', async () => {
    const { rows } = await collect(gzipSync('{"email":"a@x.com"}\r\n{"email":"b@x.com"}'), { format: 'jsonl', gzip: true });
    expect(rows).toHaveLength(2);
  });

  it('handles an empty file', async () => {
    const { columns, rows } = await collect('', jsonl);
    expect(columns).toEqual([]);
    expect(rows).toEqual([]);
  });
});

describe('readSegmentRows (broken input)', () => {
  it('fails a corrupt gzip instead of hanging', async () => {
    const corrupt = Buffer.concat([gzipSync('email\na@x.com\n').subarray(0, 10), Buffer.from('garbage')]);
    await expect(collect(corrupt, { format: 'csv', gzip: true })).rejects.toThrow();
    await expect(collect(corrupt, { format: 'jsonl', gzip: true })).rejects.toThrow();
  });
});

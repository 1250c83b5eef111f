import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { recordBound } from './record-bound.js';
import { readSegmentRows } from './segment-reader.js';

const csv = { format: 'csv', gzip: false } as const;
const jsonl = { format: 'jsonl', gzip: false } as const;
const from = (text: string, chunk = 7) => Readable.from(Array.from({ length: Math.ceil(text.length / chunk) }, (_, i) => Buffer.from(text.slice(i * chunk, (i + 1) * chunk))));

async function records(text: string, format: typeof csv | typeof jsonl): Promise<number> {
  const reader = readSegmentRows(from(text), format);
  await reader.columns();
  let count = 0;
  for await (const batch of reader.batches(['email'])) count += batch.length;
  return count;
}

describe('recordBound', () => {
  it.each([
    ['a CSV file with a trailing newline', 'email\na@x.io\nb@x.io\n', csv, 2],
    ['a CSV file without one', 'email\na@x.io\nb@x.io', csv, 2],
    ['a header only', 'email\n', csv, 0],
    ['an empty file', '', csv, 0],
    ['CRLF line ends', 'email\r\na@x.io\r\nb@x.io\r\n', csv, 2],
    ['JSON Lines', '{"email":"a@x.io"}\n{"email":"b@x.io"}', jsonl, 2],
  ] as const)('is exact for %s', async (_name, text, format, expected) => {
    expect(await recordBound(from(text), format)).toBe(expected);
    expect(await records(text, format)).toBe(expected);
  });

  it('bounds from above when a quoted field holds newlines', async () => {
    const text = 'email,note\na@x.io,"two\nlines"\nb@x.io,plain\n';
    expect(await records(text, csv)).toBe(2);
    expect(await recordBound(from(text), csv)).toBe(3);
  });

  it('reads gzipped files', async () => {
    const text = 'email\n' + Array.from({ length: 5000 }, (_, i) => `m${i}@x.io`).join('\n') + '\n';
    expect(await recordBound(Readable.from([gzipSync(text)]), { format: 'csv', gzip: true })).toBe(5000);
  });

  it('fails on a corrupt gzip, as preparation would', async () => {
    const zipped = gzipSync('email\na@x.io\n'.repeat(1000));
    await expect(recordBound(Readable.from([zipped.subarray(0, zipped.length - 40)]), { format: 'csv', gzip: true })).rejects.toThrow();
  });
});

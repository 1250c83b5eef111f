import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { parse } from 'csv-parse';
import { readSegmentRows } from '../shared/pipeline/read/segment-reader.js';
import { generateSegment } from './generate.js';

/**
 * Reading the benchmark's CSV (500,000 rows, in memory, in 64 KiB chunks as a download
 * delivers them) with csv-parse as the project used it, and with the segment reader:
 * the parsers alone, without the rest of the preparation. `npx tsx bench/parsers.ts [rows]`.
 */
async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 500_000);
  const file = Buffer.from(await text(generateSegment({ rows, seed: 42 }).stream));
  const chunks: Buffer[] = [];
  for (let i = 0; i < file.length; i += 64 * 1024) chunks.push(file.subarray(i, i + 64 * 1024));

  const csvParse = async () => {
    let n = 0;
    const parser = Readable.from(chunks).pipe(parse({ bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true }));
    for await (const record of parser as AsyncIterable<string[]>) n += record.length > 0 ? 1 : 0;
    return n - 1; // the header
  };
  const segmentReader = async () => {
    let n = 0;
    const reader = readSegmentRows(Readable.from(chunks), { format: 'csv', gzip: false });
    await reader.columns();
    for await (const batch of reader.batches(['email_address', 'first_name', 'last_name'])) n += batch.length;
    return n;
  };
  for (let round = 1; round <= 3; round++) {
    const line: string[] = [];
    for (const [name, read] of [['csv-parse', csvParse], ['segment reader', segmentReader]] as const) {
      const started = performance.now();
      const n = await read();
      const ms = performance.now() - started;
      line.push(`${name} ${ms.toFixed(0)} ms (${Math.round((n / ms) * 1000).toLocaleString('en')} rows/s)`);
    }
    console.log(`round ${round}: ${line.join(', ')}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

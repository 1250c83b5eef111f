import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import yazl from 'yazl';
import type { BulkItem } from '../types.js';
import { BULK_COLUMNS, readBulkResult, writeBulkZip } from './bulk-file.js';
import { hashEmail } from './client.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bulk-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function* items(count: number): Generator<BulkItem> {
  for (let row = 1; row <= count; row++) yield { clientId: String(row), memberId: hashEmail(`person.${row}@example.com`) };
}

/** Every entry of a zip file, by name. */
function entries(path: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const found = new Map<string, Buffer>();
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error);
      zip.on('entry', (entry: yauzl.Entry) =>
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            found.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        }),
      );
      zip.on('end', () => resolve(found));
      zip.readEntry();
    });
  });
}

async function zipOf(files: Record<string, string>, path: string): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, text] of Object.entries(files)) zip.addBuffer(Buffer.from(text, 'utf8'), name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  await writeFile(path, Buffer.concat(chunks));
}

describe('bulk upload file', () => {
  it('is a zip of exactly one CSV: BOM, header, Format Version 6.0, one Customer List row, then the items', async () => {
    const path = join(dir, 'small.zip');
    const written = await writeBulkZip(path, { audienceId: '7100000001', action: 'replace', acceptTerms: true }, items(3));
    expect(written).toMatchObject({ items: 3, rows: 5 });
    expect(written.bytes).toBe((await readFile(path)).length);
    const files = await entries(path);
    expect([...files.keys()]).toEqual(['customer-list.csv']);
    const csv = files.get('customer-list.csv')!;
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.toString('utf8', 3).split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe(BULK_COLUMNS.join(','));
    expect(lines[0]!.startsWith('Type,Status,Id,Parent Id,Client Id,Modified Time,Name,Description,Scope,Audience,Action Type,Sub Type,Text')).toBe(true);
    const at = (line: string, column: (typeof BULK_COLUMNS)[number]) => line.split(',')[BULK_COLUMNS.indexOf(column)];
    expect([at(lines[1]!, 'Type'), at(lines[1]!, 'Name')]).toEqual(['Format Version', '6.0']);
    expect([at(lines[2]!, 'Type'), at(lines[2]!, 'Id'), at(lines[2]!, 'Action Type'), at(lines[2]!, 'Accept Customer Match Term')]).toEqual([
      'Customer List',
      '7100000001',
      'Replace',
      'True',
    ]);
    expect(lines.slice(3).map((line) => [at(line, 'Type'), at(line, 'Parent Id'), at(line, 'Client Id'), at(line, 'Sub Type'), at(line, 'Text')])).toEqual(
      [...items(3)].map((item) => ['Customer List Item', '7100000001', item.clientId, 'Email', item.memberId]),
    );
  });

  it('leaves the terms column empty when the export does not say, and names the action as the service spells it', async () => {
    const path = join(dir, 'remove.zip');
    await writeBulkZip(path, { audienceId: '42', action: 'remove' }, items(1));
    const lines = (await entries(path)).get('customer-list.csv')!.toString('utf8', 3).split('\r\n');
    expect(lines[2]!.split(',')[BULK_COLUMNS.indexOf('Action Type')]).toBe('Remove');
    expect(lines[2]!.split(',')[BULK_COLUMNS.indexOf('Accept Customer Match Term')]).toBe('');
  });

  it('streams 500,000 items without holding the file in memory', async () => {
    const path = join(dir, 'large.zip');
    global.gc?.();
    const before = process.memoryUsage();
    let peak = 0;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peak = Math.max(peak, now.heapUsed + now.arrayBuffers - before.heapUsed - before.arrayBuffers);
    }, 20);
    const written = await writeBulkZip(path, { audienceId: '1', action: 'add' }, items(500_000));
    clearInterval(sampler);
    expect(written.items).toBe(500_000);
    // The CSV alone is about 45 MB: growth well under it means it was never whole in memory.
    expect(peak).toBeLessThan(30 * 1024 * 1024);
    expect(written.bytes).toBeLessThan(45 * 1024 * 1024);
  }, 60_000);

  it('gives up cleanly when reading the items fails', async () => {
    async function* failing(): AsyncGenerator<BulkItem> {
      yield* items(10);
      throw new Error('storage outage');
    }
    await expect(writeBulkZip(join(dir, 'failing.zip'), { audienceId: '1', action: 'add' }, failing())).rejects.toThrow('storage outage');
  });
});

describe('bulk result file', () => {
  const header = [...BULK_COLUMNS.slice(0, 13), 'Error', 'Error Number'].join(',');
  const row = (values: Partial<Record<string, string>>) => [...BULK_COLUMNS.slice(0, 13), 'Error', 'Error Number'].map((name) => values[name] ?? '').join(',');

  it('reads item errors by Client Id and list errors apart, from a zip, BOM and quoted messages included', async () => {
    const path = join(dir, 'result.zip');
    const csv = [
      header,
      row({ Type: 'Format Version', Name: '6.0' }),
      row({ Type: 'Customer List Item Error', 'Client Id': '17', Text: 'not-a-hash', Error: '"Invalid, really"', 'Error Number': '8007' }),
      row({ Type: 'Customer List Item Error', 'Client Id': '23', Text: 'x@y.z', Error: 'EmailMustBeHashed', 'Error Number': '8004' }),
      row({ Type: 'Customer List Error', Id: '1', Error: 'CustomerListTermsAndConditionsNotAccepted', 'Error Number': '8003' }),
    ].join('\r\n');
    await zipOf({ 'result.csv': '\uFEFF' + csv + '\r\n' }, path);
    expect(await readBulkResult(path)).toEqual({
      itemErrors: [
        { clientId: '17', reason: '8007 Invalid, really' },
        { clientId: '23', reason: '8004 EmailMustBeHashed' },
      ],
      listErrors: ['8003 CustomerListTermsAndConditionsNotAccepted'],
    });
  });

  it('reads a plain CSV result, and refuses a zip with several files', async () => {
    const plain = join(dir, 'result.csv');
    await writeFile(plain, [header, row({ Type: 'Customer List Item Error', 'Client Id': '5', Error: 'CustomerListItemInvalid', 'Error Number': '8007' })].join('\n'));
    expect((await readBulkResult(plain)).itemErrors).toEqual([{ clientId: '5', reason: '8007 CustomerListItemInvalid' }]);
    const several = join(dir, 'several.zip');
    await zipOf({ 'a.csv': header, 'b.csv': header }, several);
    await expect(readBulkResult(several)).rejects.toThrow(/holds 2 files/);
  });
});

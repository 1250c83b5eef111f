import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { gzipSync } from 'node:zlib';
import type { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { startAzurite, type RunningAzurite } from '../../../dev/azurite.js';
import { prepareSegment, SegmentFileError, type PrepareContainers } from './prepare.js';
import { readWorkFile } from '../run-files/work-files.js';
import { streamReport } from '../run-files/report.js';
import { findLatestSegmentBlob } from './segment-blobs.js';
import { BLOB_IDLE_TIMEOUT_MS } from '../../storage/blob-service.js';

let azurite: RunningAzurite;
let containers: PrepareContainers;

beforeAll(async () => {
  azurite = await startAzurite();
  const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
  const make = async (name: string): Promise<ContainerClient> => {
    const c = blobs.getContainerClient(name);
    await c.createIfNotExists();
    return c;
  };
  containers = { segments: await make('segments'), work: await make('work'), reports: await make('reports') };
});
afterAll(() => azurite?.stop());

const upload = (name: string, body: string | Buffer) => containers.segments.getBlockBlobClient(name).upload(body, Buffer.byteLength(body));
let runCounter = 0;
const input = (blobName: string, extra: Partial<Parameters<typeof prepareSegment>[1]> = {}) => ({
  runId: `run${++runCounter}`,
  segmentIndex: 0,
  segment: blobName.split('/')[0]!,
  blobName,
  dataMatching: { email: 'email' },
  recordsPerWorkFile: 3,
  ...extra,
});

describe('prepareSegment', () => {
  it('splits valid rows into work files and reports every other row with its reason', async () => {
    await upload(
      'vip/1.csv',
      'email,first,last\nA@x.com,Ann,Lee\nb@x.com,,Bo\nnot-an-email,C,C\n a@X.com ,Dup,Dup\n,E,E\nc@x.com,Cy,Co\nd@x.com,Di,Do\ne@x.com\n',
    );
    const i = input('vip/1.csv', { dataMatching: { email: 'email', firstName: 'first', lastName: 'last' } });
    const result = await prepareSegment(containers, i);
    expect(result).toMatchObject({ read: 8, valid: 4, invalid: 3, duplicate: 1, columns: ['email', 'first', 'last'] });
    expect(result.workFiles.map((f) => f.records)).toEqual([3, 1]);
    const first = await readWorkFile(containers.work, result.workFiles[0]!.name);
    expect(first).toEqual([
      { row: 1, email: 'a@x.com', firstName: 'Ann', lastName: 'Lee' },
      { row: 2, email: 'b@x.com', lastName: 'Bo' },
      { row: 6, email: 'c@x.com', firstName: 'Cy', lastName: 'Co' },
    ]);
    const report = await text(streamReport(containers.reports, i.runId));
    expect(report.trimEnd().split('\n')).toEqual([
      'segment,row,reason,value',
      'vip,3,invalid-email,not-an-email',
      'vip,4,duplicate,a@x.com',
      'vip,5,missing-email,',
      'vip,8,malformed-row: the number of fields differs from the header,',
    ]);
  });

  it('reads gzip JSON Lines', async () => {
    const lines = ['{"mail":"a@x.com"}', '{"mail":"A@x.com"}', '{"other":1}', '{"mail":"b@x.com"}'].join('\n');
    await upload('jl/2.jsonl.gz', gzipSync(lines));
    const result = await prepareSegment(containers, input('jl/2.jsonl.gz', { dataMatching: { email: 'mail' } }));
    expect(result).toMatchObject({ read: 4, valid: 2, invalid: 1, duplicate: 1 });
  });

  it('fails a file without the mapped email column, naming it, with every row counted and reported', async () => {
    await upload('nocol/1.csv', 'mail,name\na@x.com,A\nb@x.com,B\n');
    const result = await prepareSegment(containers, input('nocol/1.csv'));
    expect(result.fileFailure).toMatch(/^missing-column: email not in the file's header \(mail, name\)/);
    expect(result).toMatchObject({ read: 2, invalid: 2, valid: 0, workFiles: [] });
  });

  it('fails a missing file and an unsupported file type with a reason', async () => {
    await expect(prepareSegment(containers, input('ghost/1.csv'))).rejects.toThrow(/file-not-found/);
    await expect(prepareSegment(containers, input('odd/1.xlsx'))).rejects.toThrow(/unsupported-file/);
  });

  it('fails a corrupt gzip as unreadable', async () => {
    await upload('bad/1.csv.gz', Buffer.concat([gzipSync('email\na@x.com\n').subarray(0, 12), Buffer.from('zzzz')]));
    await expect(prepareSegment(containers, input('bad/1.csv.gz'))).rejects.toThrow(/unreadable-file/);
  });

  it('keeps what was read of a file that turns corrupt, and stops its download at once', async () => {
    // A whole gzip member of rows, then a member that is not deflate at all, then 4 MB the
    // reader never needs: the download must be ended, not left open until the blob idle
    // bound (BLOB_IDLE_TIMEOUT_MS) ends it.
    const rows = gzipSync(`email\n${Array.from({ length: 20_000 }, (_, i) => `m${i}@x.com`).join('\n')}\n`);
    const corrupt = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff]);
    await upload('turns/1.csv.gz', Buffer.concat([rows, corrupt, Buffer.alloc(4 << 20, 0xff)]));
    const downloads: Readable[] = [];
    const getBlobClient = containers.segments.getBlobClient.bind(containers.segments);
    const spy = vi.spyOn(containers.segments, 'getBlobClient').mockImplementation((name) => {
      const client = getBlobClient(name);
      const download = client.download.bind(client);
      client.download = async (...args) => {
        const response = await download(...args);
        downloads.push(response.readableStreamBody as Readable);
        return response;
      };
      return client;
    });
    try {
      const started = Date.now();
      const result = await prepareSegment(containers, input('turns/1.csv.gz', { recordsPerWorkFile: 5_000 }));
      expect(Date.now() - started).toBeLessThan(BLOB_IDLE_TIMEOUT_MS / 2);
      expect(result.fileFailure).toBe('unreadable-file: invalid block type');
      expect(result.read).toBeGreaterThan(0);
      // Every row read is in a work file or the report.
      expect(result.valid + result.invalid + result.duplicate + result.suppressed).toBe(result.read);
      expect(result.workFiles.reduce((sum, file) => sum + file.records, 0)).toBe(result.valid);
      expect(downloads).toHaveLength(1);
      expect(downloads[0]!.destroyed).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('reports a row with a stray quote by its line, and every other row goes on', async () => {
    const lines = Array.from({ length: 1_000 }, (_, i) => `user${i}@x.com,${i === 49 ? '"Name 49' : i === 59 ? 'O"Brien 59' : `Name ${i}`}`);
    await upload('quotes/1.csv', `email,name\n${lines.join('\n')}\n`);
    const i = input('quotes/1.csv', { recordsPerWorkFile: 10_000 });
    const result = await prepareSegment(containers, i);
    expect(result).toMatchObject({ read: 1_000, valid: 999, invalid: 1, duplicate: 0 });
    const records = await readWorkFile(containers.work, result.workFiles[0]!.name);
    expect(records.map((r) => r.row)).toEqual(Array.from({ length: 1_000 }, (_, n) => n + 1).filter((n) => n !== 50));
    expect(records.find((r) => r.row === 51)).toEqual({ row: 51, email: 'user50@x.com' });
    const report = (await text(streamReport(containers.reports, i.runId))).trimEnd().split('\n');
    expect(report).toHaveLength(2);
    expect(report[1]).toMatch(/^quotes,50,malformed-row: [^\n]+,$/);
  });

  it('reports rows that are not UTF-8 as invalid-encoding and emails with control characters as invalid-email', async () => {
    const body = Buffer.concat([
      Buffer.from('email,first\na@x.com,Ann\n'),
      Buffer.from('ren\xe9e@x.com,Ren\xe9e\n', 'latin1'),
      Buffer.from('x\u0000y@ex.com,Nul\nb@x.com,Bo\u0000b\n'),
    ]);
    await upload('enc/1.csv', body);
    const i = input('enc/1.csv', { dataMatching: { email: 'email', firstName: 'first' } });
    const result = await prepareSegment(containers, i);
    expect(result).toMatchObject({ read: 4, valid: 2, invalid: 2 });
    const records = await readWorkFile(containers.work, result.workFiles[0]!.name);
    expect(records).toEqual([
      { row: 1, email: 'a@x.com', firstName: 'Ann' },
      { row: 4, email: 'b@x.com', firstName: 'Bob' },
    ]);
    const report = (await text(streamReport(containers.reports, i.runId))).trimEnd().split('\n');
    expect(report.slice(1)).toEqual(['enc,2,invalid-encoding: the row is not valid UTF-8,', 'enc,3,invalid-email,x\\u0000y@ex.com']);
  });

  it('fails a file with a 10 MB header with a short reason', async () => {
    await upload('wide/1.csv', `email,${'c'.repeat(10 * 1024 * 1024)}\na@x.com,1\n`);
    const error = await prepareSegment(containers, input('wide/1.csv')).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(SegmentFileError);
    expect((error as SegmentFileError).reason).toMatch(/^header-too-long: /);
    expect((error as SegmentFileError).reason.length).toBeLessThan(200);
  });

  it('names a missing column with a bounded list of the header', async () => {
    const header = Array.from({ length: 3_000 }, (_, n) => `col_${n}`).join(',');
    await upload('many/1.csv', `${header}\n${'x,'.repeat(2_999)}x\n`);
    const { fileFailure } = await prepareSegment(containers, input('many/1.csv'));
    expect(fileFailure).toMatch(/^missing-column: email not in the file's header \(col_0, col_1, .*…/);
    expect(fileFailure!.length).toBeLessThanOrEqual(300);
  });

  it('keeps its output small whatever the header: columns are bounded', async () => {
    const header = ['email', ...Array.from({ length: 3_000 }, (_, n) => `col_${n}`)].join(',');
    await upload('many/2.csv', `${header}\na@x.com${',x'.repeat(3_000)}\n`);
    const result = await prepareSegment(containers, input('many/2.csv'));
    expect(result.valid).toBe(1);
    expect(JSON.stringify(result).length).toBeLessThan(8_000);
    expect(result.columns[0]).toBe('email');
  });

  it('reads a row with a 10 MB field', async () => {
    await upload('bigfield/1.csv', `email,first\na@x.com,${'n'.repeat(10 * 1024 * 1024)}\n${'e'.repeat(10 * 1024 * 1024)}@x.com,B\nc@x.com,Cy\n`);
    const i = input('bigfield/1.csv', { dataMatching: { email: 'email', firstName: 'first' } });
    const result = await prepareSegment(containers, i);
    expect(result).toMatchObject({ read: 3, valid: 2, invalid: 1 });
    const records = await readWorkFile(containers.work, result.workFiles[0]!.name);
    expect(records.map((r) => [r.row, r.email, r.firstName?.length])).toEqual([[1, 'a@x.com', 256], [3, 'c@x.com', 2]]);
    const report = await text(streamReport(containers.reports, i.runId));
    expect(report.length).toBeLessThan(1_000);
  });

  it('streams a larger file into full work files', async () => {
    const rows = Array.from({ length: 25_000 }, (_, n) => `user${n}@example.com`).join('\n');
    await upload('big/1.csv', `email\n${rows}\n`);
    const result = await prepareSegment(containers, input('big/1.csv', { recordsPerWorkFile: 10_000 }));
    expect(result).toMatchObject({ read: 25_000, valid: 25_000, invalid: 0, duplicate: 0 });
    expect(result.workFiles.map((f) => f.records)).toEqual([10_000, 10_000, 5_000]);
    const last = await readWorkFile(containers.work, result.workFiles[2]!.name);
    expect(last.at(-1)).toEqual({ row: 25_000, email: 'user24999@example.com' });
  });
});

describe('findLatestSegmentBlob', () => {
  it('picks the newest segment file and ignores other files', async () => {
    await upload('latest/a.csv', 'email\n');
    await new Promise((r) => setTimeout(r, 1100));
    await upload('latest/b.csv.gz', gzipSync('email\n'));
    await upload('latest/readme.txt', 'not a segment');
    expect((await findLatestSegmentBlob(containers.segments, 'latest'))?.name).toBe('latest/b.csv.gz');
    expect(await findLatestSegmentBlob(containers.segments, 'nothing')).toBeUndefined();
  });
});

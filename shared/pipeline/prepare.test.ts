import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { text } from 'node:stream/consumers';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import { prepareSegment, SegmentFileError, type PrepareContainers } from './prepare.js';
import { readWorkFile } from './work-files.js';
import { streamReport } from './report.js';
import { findLatestSegmentBlob } from './segment-blobs.js';

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

  it('fails a file without the mapped email column, naming it', async () => {
    await upload('nocol/1.csv', 'mail,name\na@x.com,A\n');
    await expect(prepareSegment(containers, input('nocol/1.csv'))).rejects.toThrow(SegmentFileError);
    await expect(prepareSegment(containers, input('nocol/1.csv'))).rejects.toThrow(/missing-column: email not in the file's header \(mail, name\)/);
  });

  it('fails a missing file and an unsupported file type with a reason', async () => {
    await expect(prepareSegment(containers, input('ghost/1.csv'))).rejects.toThrow(/file-not-found/);
    await expect(prepareSegment(containers, input('odd/1.xlsx'))).rejects.toThrow(/unsupported-file/);
  });

  it('fails a corrupt gzip as unreadable', async () => {
    await upload('bad/1.csv.gz', Buffer.concat([gzipSync('email\na@x.com\n').subarray(0, 12), Buffer.from('zzzz')]));
    await expect(prepareSegment(containers, input('bad/1.csv.gz'))).rejects.toThrow(/unreadable-file/);
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

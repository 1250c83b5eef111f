import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { startAzurite, type RunningAzurite } from '../../../dev/azurite.js';
import { loadConfig, type AppConfig } from '../../config.js';
import type { ProfileRecord } from '../../destinations/types.js';
import { readWorkFile, type WorkFileRef } from '../run-files/work-files.js';
import { prepareSegment, SegmentFileError, type PrepareContainers } from './prepare.js';
import { prepareInWorker } from './prepare-in-worker.js';
import { BLOB_IDLE_TIMEOUT_MS } from '../../storage/blob-service.js';

/** The same preparation on a worker thread: the same result, the same blobs, each work file's records handed back as it is finished. */
let azurite: RunningAzurite;
let containers: PrepareContainers;
let config: AppConfig;

beforeAll(async () => {
  azurite = await startAzurite();
  config = loadConfig({ AzureWebJobsStorage: azurite.connectionString });
  const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
  const make = async (name: string): Promise<ContainerClient> => {
    const container = blobs.getContainerClient(name);
    await container.createIfNotExists();
    return container;
  };
  containers = { segments: await make(config.containers.segments), work: await make(config.containers.work), reports: await make(config.containers.reports) };
});
afterAll(() => azurite?.stop());

const csv = 'email,first,last\nA@x.com,Ann,Lee\nb@x.com,,"Bo, Jr."\nnot-an-email,C,C\n a@X.com ,Dup,Dup\nc@x.com,Cy,Co\nd@x.com,Di,Do\ne@x.com,Ée,\n';
const input = (runId: string, blobName: string) => ({
  runId,
  segmentIndex: 0,
  segment: 'vip',
  blobName,
  dataMatching: { email: 'email', firstName: 'first', lastName: 'last' },
  recordsPerWorkFile: 2,
  suppressed: new Set<string>(),
});

describe('prepareInWorker', () => {
  it('prepares as prepareSegment does, and hands back every work file with its records in file order', async () => {
    await containers.segments.getBlockBlobClient('vip/1.csv.gz').uploadData(gzipSync(csv));
    const handed: { file: WorkFileRef; records: ProfileRecord[]; validSoFar: number }[] = [];
    const inWorker = await prepareInWorker(config, input('worker-run', 'vip/1.csv.gz'), (file, records, validSoFar) => handed.push({ file, records, validSoFar }));
    const inThread = await prepareSegment(containers, input('thread-run', 'vip/1.csv.gz'));

    const names = (result: typeof inThread) => ({ ...result, workFiles: result.workFiles.map((f) => ({ ...f, name: f.name.replace(/^[^/]+/, '') })) });
    expect(names(inWorker)).toEqual(names(inThread));
    expect(inWorker).toMatchObject({ read: 7, valid: 5, invalid: 1, duplicate: 1 });
    expect(handed.map((h) => [h.file.records, h.validSoFar])).toEqual([[2, 2], [2, 4], [1, 5]]);
    for (const { file, records } of handed) expect(records).toEqual(await readWorkFile(containers.work, file.name));
    expect(handed.flatMap((h) => h.records)[1]).toEqual({ row: 2, email: 'b@x.com', lastName: 'Bo, Jr.' });
  });

  it('without a listener (a refresh), prepares the same work files and posts no records back', async () => {
    await containers.segments.getBlockBlobClient('vip/2.csv.gz').uploadData(gzipSync(csv));
    const inWorker = await prepareInWorker(config, input('quiet-run', 'vip/2.csv.gz'));
    const inThread = await prepareSegment(containers, input('quiet-thread-run', 'vip/2.csv.gz'));

    expect(inWorker).toMatchObject({ read: 7, valid: 5, invalid: 1, duplicate: 1 });
    expect(inWorker.workFiles.map((f) => f.records)).toEqual(inThread.workFiles.map((f) => f.records));
    for (const [k, file] of inWorker.workFiles.entries()) {
      expect(await readWorkFile(containers.work, file.name)).toEqual(await readWorkFile(containers.work, inThread.workFiles[k]!.name));
    }
  });

  it('prepares more files than it takes at once: the rest wait their turn, none is lost', async () => {
    await containers.segments.getBlockBlobClient('vip/3.csv.gz').uploadData(gzipSync(csv));
    const results = await Promise.all(Array.from({ length: 7 }, (_, k) => prepareInWorker(config, input(`many-${k}`, 'vip/3.csv.gz'))));

    for (const [k, result] of results.entries()) {
      expect(result).toMatchObject({ read: 7, valid: 5, invalid: 1, duplicate: 1 });
      expect(result.workFiles.every((file) => file.name.startsWith(`many-${k}/`))).toBe(true);
    }
  });

  it('keeps what was read of a file cut short, with the reason, as prepareSegment does', async () => {
    // Enough rows that some are read before gunzip finds the end missing. recordsPerWorkFile
    // stays at a few files: at 2 a file this size made 10,000 work-file uploads, which took
    // the test 40-60 s on their own (the cut itself costs nothing more than a whole file).
    const zipped = gzipSync(csv + Array.from({ length: 20_000 }, (_, i) => `m${i}@x.com,M,M`).join('\n'));
    await containers.segments.getBlockBlobClient('vip/cut.csv.gz').uploadData(zipped.subarray(0, zipped.length - 30));
    const cut = (runId: string) => ({ ...input(runId, 'vip/cut.csv.gz'), recordsPerWorkFile: 5_000 });
    const started = Date.now();
    const handed: number[] = [];
    const inWorker = await prepareInWorker(config, cut('cut-run'), (file) => handed.push(file.records));
    // Nothing may wait on the download once the file is known to be cut: a download left
    // open would end only on the blob idle bound (BLOB_IDLE_TIMEOUT_MS).
    expect(Date.now() - started).toBeLessThan(BLOB_IDLE_TIMEOUT_MS / 2);
    const inThread = await prepareSegment(containers, cut('cut-thread-run'));

    for (const result of [inWorker, inThread]) {
      expect(result.fileFailure).toBe('unreadable-file: unexpected end of file');
      expect(result.read).toBeGreaterThan(0);
      // Every row read is in a work file or the report.
      expect(result.valid + result.invalid + result.duplicate + result.suppressed).toBe(result.read);
      expect(result.workFiles.reduce((sum, file) => sum + file.records, 0)).toBe(result.valid);
    }
    expect(handed).toEqual(inWorker.workFiles.map((file) => file.records));
  });

  it('fails with the file problem, as a SegmentFileError, when nothing could be read', async () => {
    await containers.segments.getBlockBlobClient('vip/not.csv.gz').uploadData(Buffer.from('this is not gzip at all'));
    const failure = await prepareInWorker(config, input('not-run', 'vip/not.csv.gz'), () => undefined).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SegmentFileError);
    expect((failure as SegmentFileError).reason).toMatch(/^unreadable-file/);
  });

  it('runs jobs side by side on one worker', async () => {
    await containers.segments.getBlockBlobClient('vip/2.csv').uploadData(Buffer.from(csv));
    const results = await Promise.all([1, 2, 3].map((k) => prepareInWorker(config, input(`side-${k}`, 'vip/2.csv'), () => undefined)));
    expect(results.map((r) => r.valid)).toEqual([5, 5, 5]);
  });
});

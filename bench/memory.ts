import { execFile } from 'node:child_process';
import { scriptArgs } from './child-script.js';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import { BlobServiceClient } from '@azure/storage-blob';
import { generateSegment, type ExpectedCounts } from './generate.js';

const run = promisify(execFile);

export interface MemoryResult {
  rows: number;
  peakRssMb: number;
  seconds: number;
  rowsPerSecond: number;
  /** Rows per second of the process's CPU time (user + system, all threads). */
  rowsPerCpuSecond: number;
  reconciled: boolean;
}

/** Uploads a generated gzip CSV segment file as a stream; returns the exact expected counts. */
export async function uploadGeneratedSegment(
  connectionString: string,
  blobName: string,
  rows: number,
  seed = 42,
): Promise<ExpectedCounts> {
  const container = BlobServiceClient.fromConnectionString(connectionString).getContainerClient('segments');
  await container.createIfNotExists();
  const { stream, expected } = generateSegment({ rows, seed });
  await container.getBlockBlobClient(blobName).uploadStream(stream.pipe(createGzip()), 4 * 1024 * 1024, 4);
  return expected;
}

/**
 * Peak RSS of preparing one file (stream, validate, de-duplicate, write work files and
 * the report), measured in a fresh child process per file size.
 */
export async function measurePrepareMemory(connectionString: string, rows: number, profileDir?: string): Promise<MemoryResult> {
  const blobName = `memory-${rows}/segment.csv.gz`;
  const blobs = BlobServiceClient.fromConnectionString(connectionString);
  await Promise.all(['work', 'reports'].map((c) => blobs.getContainerClient(c).createIfNotExists()));
  const expected = await uploadGeneratedSegment(connectionString, blobName, rows);
  const { stdout } = await run(
    process.execPath,
    [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), ...scriptArgs(__dirname, 'prepare-once'), connectionString, blobName, '10000'],
    { maxBuffer: 1024 * 1024 },
  );
  const measured = JSON.parse(stdout.trim().split('\n').pop()!) as {
    read: number; valid: number; invalid: number; duplicate: number; seconds: number; cpuSeconds: number; peakRssMb: number;
  };
  return {
    rows,
    peakRssMb: Math.round(measured.peakRssMb),
    seconds: measured.seconds,
    rowsPerSecond: Math.round(rows / measured.seconds),
    rowsPerCpuSecond: Math.round(rows / measured.cpuSeconds),
    reconciled:
      measured.read === expected.read &&
      measured.valid === expected.valid &&
      measured.invalid === expected.invalid &&
      measured.duplicate === expected.duplicate,
  };
}

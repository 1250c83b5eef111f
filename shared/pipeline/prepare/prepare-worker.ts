import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort } from 'node:worker_threads';
import type { BlobServiceClient } from '@azure/storage-blob';
import { bulkhead } from 'cockatiel';
import { blobServiceFromConnectionString, blobServiceFromUrl } from '../../storage/blob-service.js';
import { prepareSegment, SegmentFileError, type WorkFileListener } from './prepare.js';
import type { PrepareJob, WorkerMessage } from './prepare-in-worker.js';

/**
 * The worker thread's side of prepareInWorker: runs prepareSegment for each job it is sent
 * (several may run at once), reads and writes blobs with a client of its own, and, for a
 * job that asks for them, posts each finished work file's records back in columns (one
 * string of emails, the row numbers as a transferred Int32Array), which cost little to
 * pass, where an array of objects would be copied field by field. It loads only the blob SDK
 * and preparation: every module more is start-up time of the first run on a new instance.
 */
const port = parentPort!;
const EMAIL_PATH_FIELDS = new Set(['row', 'email', 'firstName', 'lastName']);
const services = new Map<string, Promise<BlobServiceClient>>();
/**
 * Files prepared at once; the rest wait their turn here. One thread gains nothing from more
 * (parsing is its work; the reads and writes of a few files already overlap), and each file
 * in progress holds its buffers: with a tenant's eight at once the thread's heap reached
 * 134 MB and the process's peak 448 MB, with three 337 MB, the runs as fast (bench --tenant).
 */
const preparing = bulkhead(3, Number.POSITIVE_INFINITY);
/**
 * How long a file keeps its place. A longer one (a file of millions of rows, or one stalled
 * on storage) goes on, and the next file starts beside it: the queue may never make the
 * other runs' preparations wait for one that does not end.
 */
const PLACE_HELD_MS = 30_000;

function blobServiceFor(job: PrepareJob): Promise<BlobServiceClient> {
  const { connectionString, blobServiceUri, managedIdentityClientId } = job.storage;
  const key = JSON.stringify(job.storage);
  let client = services.get(key);
  if (!client) {
    client = connectionString
      ? Promise.resolve(blobServiceFromConnectionString(connectionString))
      : // In Azure: the managed identity, loaded only there.
        import('@azure/identity').then(
          ({ DefaultAzureCredential }) =>
            blobServiceFromUrl(blobServiceUri!, new DefaultAzureCredential(managedIdentityClientId ? { managedIdentityClientId } : undefined)),
        );
    services.set(key, client);
  }
  return client;
}

const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

async function run(job: PrepareJob): Promise<void> {
  const blobs = await blobServiceFor(job);
  const container = (name: string) => blobs.getContainerClient(name);
  const result = await prepareSegment(
    { segments: container(job.containers.segments), work: container(job.containers.work), reports: container(job.containers.reports) },
    { ...job.input, ...(job.suppressed ? { suppressed: new Set(job.suppressed) } : {}) },
    job.handBack ? handBack(job) : undefined,
  );
  post({ type: 'done', job: job.id, result });
}

/** Posts each finished work file's records back, for a run that sends them while it prepares. */
function handBack(job: PrepareJob): WorkFileListener {
  // Only a destination that matches on more than the email sends profiles without one or with other identifiers.
  const sets = job.input.matchSets;
  const beyondEmail = sets !== undefined && !(sets.length === 1 && sets[0]!.length === 1 && sets[0]![0] === 'email');
  return (file, records, validSoFar) => {
    const rows = new Int32Array(records.length);
    records.forEach((record, k) => (rows[k] = record.row));
    const named = records.some((record) => record.firstName !== undefined || record.lastName !== undefined);
    // Profiles matched on more than an email (a phone, no email) go whole: rarer, and not the hot path.
    const other = beyondEmail && records.some((record) => record.email === undefined || Object.keys(record).some((key) => !EMAIL_PATH_FIELDS.has(key)));
    if (other) {
      post({ type: 'work-file', job: job.id, file, validSoFar, rows, emails: '', records: JSON.stringify(records) }, [rows.buffer]);
      return;
    }
    post(
      {
        type: 'work-file',
        job: job.id,
        file,
        validSoFar,
        rows,
        // Valid emails hold no whitespace (normalize.ts): a newline separates them safely.
        emails: records.map((record) => record.email).join('\n'),
        ...(named ? { names: JSON.stringify(records.map((record) => [record.firstName ?? null, record.lastName ?? null])) } : {}),
      },
      [rows.buffer],
    );
  };
}

port.on('message', (job: PrepareJob) => {
  void preparing.execute(() => {
    const prepared = run(job).catch((error: unknown) =>
      post({
        type: 'failed',
        job: job.id,
        ...(error instanceof SegmentFileError ? { fileReason: error.reason } : {}),
        message: error instanceof Error ? error.message : String(error),
        ...(typeof (error as { statusCode?: unknown }).statusCode === 'number' ? { statusCode: (error as { statusCode: number }).statusCode } : {}),
      }),
    );
    const released = new AbortController();
    const placeHeld = sleep(PLACE_HELD_MS, undefined, { ref: false, signal: released.signal }).catch(() => undefined);
    return Promise.race([prepared, placeHeld]).finally(() => released.abort());
  });
});

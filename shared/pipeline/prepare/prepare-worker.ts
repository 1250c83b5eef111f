import { parentPort } from 'node:worker_threads';
import { loadConfig } from '../../config.js';
import { createStorageClients, type StorageClients } from '../../storage/clients.js';
import { prepareSegment, SegmentFileError } from './prepare.js';
import type { PrepareJob, WorkerMessage } from './prepare-in-worker.js';

/**
 * The worker thread's side of prepareInWorker: runs prepareSegment for each job it is sent
 * (several may run at once), reads and writes blobs with storage clients of its own, and
 * posts each finished work file's records back in columns (one string of emails, the row
 * numbers as a transferred Int32Array), which cost little to pass, where an array of
 * objects would be copied field by field.
 */
const port = parentPort!;
const storages = new Map<string, StorageClients>();

function storageFor(job: PrepareJob): StorageClients {
  const key = JSON.stringify(job.storage);
  let clients = storages.get(key);
  if (!clients) {
    clients = createStorageClients(
      loadConfig({
        ...(job.storage.connectionString ? { AzureWebJobsStorage: job.storage.connectionString } : {}),
        ...(job.storage.blobServiceUri ? { AzureWebJobsStorage__blobServiceUri: job.storage.blobServiceUri } : {}),
        ...(job.storage.tableServiceUri ? { AzureWebJobsStorage__tableServiceUri: job.storage.tableServiceUri } : {}),
        ...(job.storage.managedIdentityClientId ? { AzureWebJobsStorage__clientId: job.storage.managedIdentityClientId } : {}),
      }),
    );
    storages.set(key, clients);
  }
  return clients;
}

const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

async function run(job: PrepareJob): Promise<void> {
  const storage = storageFor(job);
  const [segments, work, reports] = await Promise.all(
    [job.containers.segments, job.containers.work, job.containers.reports].map((name) => storage.ensureContainer(name)),
  );
  const result = await prepareSegment(
    { segments: segments!, work: work!, reports: reports! },
    { ...job.input, ...(job.suppressed ? { suppressed: new Set(job.suppressed) } : {}) },
    (file, records, validSoFar) => {
      const rows = new Int32Array(records.length);
      records.forEach((record, k) => (rows[k] = record.row));
      const named = records.some((record) => record.firstName !== undefined || record.lastName !== undefined);
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
    },
  );
  post({ type: 'done', job: job.id, result });
}

port.on('message', (job: PrepareJob) => {
  run(job).catch((error: unknown) =>
    post({
      type: 'failed',
      job: job.id,
      ...(error instanceof SegmentFileError ? { fileReason: error.reason } : {}),
      message: error instanceof Error ? error.message : String(error),
      ...(typeof (error as { statusCode?: unknown }).statusCode === 'number' ? { statusCode: (error as { statusCode: number }).statusCode } : {}),
    }),
  );
});

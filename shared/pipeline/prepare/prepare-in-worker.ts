import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AppConfig } from '../../config.js';
import type { ProfileRecord } from '../../destinations/types.js';
import type { WorkFileRef } from '../run-files/work-files.js';
import { SegmentFileError, type PrepareSegmentInput, type PreparedSegment, type WorkFileListener } from './prepare.js';

/**
 * prepareSegment on a worker thread of its own: parsing then uses one core and the rest of
 * the app (sending, planning, the orchestrations' replays) the other, where on one thread
 * they took turns (docs/benchmarks.md). Same function, same blobs, same result; for a run
 * that sends work files while it prepares the rest, the work files' records come back as
 * messages.
 */
export interface PrepareJob {
  id: number;
  /** How the worker reaches blob storage, as the app settings say (AzureWebJobsStorage...). */
  storage: { connectionString?: string; blobServiceUri?: string; managedIdentityClientId?: string };
  /** The containers, created already. */
  containers: { segments: string; work: string; reports: string };
  input: Omit<PrepareSegmentInput, 'suppressed'>;
  suppressed?: string[];
  /** Post each work file's records back (a run sending while it prepares); otherwise only the result. */
  handBack: boolean;
}

export type WorkerMessage =
  | { type: 'work-file'; job: number; file: WorkFileRef; validSoFar: number; rows: Int32Array; emails: string; names?: string; records?: string }
  | { type: 'done'; job: number; result: PreparedSegment }
  | { type: 'failed'; job: number; message: string; fileReason?: string; statusCode?: number };

interface Pending {
  onWorkFile?: WorkFileListener;
  resolve(result: PreparedSegment): void;
  reject(error: Error): void;
}

/** The worker and the jobs it holds: when it dies, these fail, and the next job starts another. */
interface PreparingWorker {
  thread: Worker;
  jobs: Map<number, Pending>;
}

let current: PreparingWorker | undefined;
let nextJob = 1;
/**
 * The thread's young generation. 64 MB took about 0.3 s less collection than 16 MB for one
 * 500,000-row file, but with a tenant's files prepared at once it held 50 to 100 MB more of
 * the process's peak (bench --tenant: 460 to 540 MB against 395 to 450 MB at 32 MB); 32 MB
 * measured the same as 64 MB for the 500,000-row file (docs/benchmarks.md).
 */
const resourceLimits = { maxYoungGenerationSizeMb: 32 };

/**
 * One worker per process, started on first use (or by warmPreparingWorker) and kept,
 * unreferenced, for the next run.
 */
export function warmPreparingWorker(): void {
  preparingWorker();
}

function preparingWorker(): PreparingWorker {
  if (current) return current;
  const extension = path.extname(__filename);
  const entry = path.join(__dirname, `prepare-worker${extension}`);
  // From sources (development, tests), the worker compiles TypeScript first, as the process does.
  const thread =
    extension === '.ts'
      ? new Worker(`require('tsx/cjs'); require(require('node:worker_threads').workerData.entry);`, { eval: true, workerData: { entry }, resourceLimits })
      : new Worker(entry, { resourceLimits });
  thread.unref();
  const started: PreparingWorker = { thread, jobs: new Map() };
  thread.on('message', (message: WorkerMessage) => {
    const job = started.jobs.get(message.job);
    if (!job) return;
    if (message.type === 'work-file') {
      job.onWorkFile?.(message.file, recordsOf(message), message.validSoFar);
      return;
    }
    started.jobs.delete(message.job);
    if (message.type === 'done') job.resolve(message.result);
    else job.reject(failure(message));
    if (started.jobs.size === 0) thread.unref();
  });
  const fail = (error: Error) => {
    if (current === started) current = undefined;
    for (const job of started.jobs.values()) job.reject(error);
    started.jobs.clear();
  };
  thread.on('error', fail);
  thread.on('exit', (code) => fail(new Error(`the preparation worker exited (${code})`)));
  current = started;
  return started;
}

export function prepareInWorker(
  config: AppConfig,
  input: PrepareSegmentInput,
  onWorkFile?: WorkFileListener,
): Promise<PreparedSegment> {
  const id = nextJob++;
  const { suppressed, ...rest } = input;
  const job: PrepareJob = {
    id,
    storage: {
      ...(config.storageConnectionString ? { connectionString: config.storageConnectionString } : {}),
      ...(config.blobServiceUri ? { blobServiceUri: config.blobServiceUri } : {}),
      ...(config.managedIdentityClientId ? { managedIdentityClientId: config.managedIdentityClientId } : {}),
    },
    containers: config.containers,
    input: rest,
    ...(suppressed && suppressed.size > 0 ? { suppressed: [...suppressed] } : {}),
    handBack: onWorkFile !== undefined,
  };
  return new Promise<PreparedSegment>((resolve, reject) => {
    const running = preparingWorker();
    running.jobs.set(id, { ...(onWorkFile ? { onWorkFile } : {}), resolve, reject });
    // Referenced while it holds jobs, so the process waits for them.
    running.thread.ref();
    running.thread.postMessage(job);
  });
}

function recordsOf(message: Extract<WorkerMessage, { type: 'work-file' }>): ProfileRecord[] {
  if (message.records !== undefined) return JSON.parse(message.records) as ProfileRecord[];
  const emails = message.emails.split('\n');
  const names = message.names ? (JSON.parse(message.names) as [string | null, string | null][]) : undefined;
  return emails.map((email, k) => {
    const [firstName, lastName] = names?.[k] ?? [null, null];
    return { row: message.rows[k]!, email, ...(firstName !== null ? { firstName } : {}), ...(lastName !== null ? { lastName } : {}) };
  });
}

function failure(message: Extract<WorkerMessage, { type: 'failed' }>): Error {
  if (message.fileReason !== undefined) return new SegmentFileError(message.fileReason);
  return Object.assign(new Error(message.message), message.statusCode !== undefined ? { statusCode: message.statusCode } : {});
}

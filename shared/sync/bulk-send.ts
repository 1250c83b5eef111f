import type { Services } from '../services.js';
import type { BulkItem, BulkItemError } from '../destinations/types.js';
import { writeReportPart, type RejectedRow } from '../pipeline/run-files/report.js';
import { readIdSlice, readSlice, sliceTag, type WorkFileSlice } from '../pipeline/run-files/work-files.js';
import { deliveryLogName, writeDeliveryLog } from './files.js';
import { oneLine, sendFailure, sendTarget, type SendFailure, type SendTarget } from './send.js';

/**
 * A segment's adds (or removes) as one bulk job instead of batches (where the destination
 * has one, above its threshold). Two short activities: `startBulkSend` streams the slices
 * into the upload and returns the job's id; `checkBulkSend` asks for the job's status once
 * and, when it is done, writes what it confirmed the way `send.ts` does (a delivery log and
 * the refused rows per slice). The waiting between checks is the orchestration's.
 */
export interface BulkSendInput {
  runId: string;
  exportId: string;
  segment: string;
  segmentIndex: number;
  audienceId: string;
  kind: 'add' | 'remove';
  slices: WorkFileSlice[];
  /** The job makes the membership exactly these adds (a full sync). */
  replace?: boolean;
}

/** Status checks: the first a second after the start, then half again longer each time, at most 30 s apart. */
export const bulkPollMs = (round: number) => Math.min(30_000, 1_000 * 1.5 ** round);
/** A job still running after this long is left to itself; its changes go in batches (adds and removes are safe to repeat). */
export const MAX_BULK_JOB_MS = 4 * 60 * 60_000;

export type BulkStartResult = { jobId: string; items: number } | { failed: SendFailure };

export interface BulkCheckInput extends BulkSendInput {
  jobId: string;
}

/**
 * `pending`: ask again later. `done`: the job ended and its outcome is logged (`rejected`,
 * the items it refused, by row). `failed`: the job (or the check) failed; `retryable` says
 * whether trying again may help, and nothing of it is counted as delivered.
 */
export type BulkCheckResult =
  | { state: 'pending' }
  | { state: 'done'; done: number; accepted: number; rejected: number }
  | { state: 'failed'; failed: SendFailure; jobFailed: boolean };

export async function startBulkSend(services: Services, input: BulkSendInput): Promise<BulkStartResult> {
  const target = await sendTarget(services, { ...input, batchSize: 0 });
  if ('failed' in target) return { failed: target.failed };
  const bulk = target.client.bulk;
  if (!bulk) return { failed: { reason: 'invalid-request: the destination has no bulk upload', retryable: false } };
  const action = input.kind === 'remove' ? 'remove' : input.replace ? 'replace' : 'add';
  try {
    return await bulk.start(input.audienceId, action, bulkItems(target, input));
  } catch (error) {
    return { failed: sendFailure(error) };
  }
}

export async function checkBulkSend(services: Services, input: BulkCheckInput): Promise<BulkCheckResult> {
  const target = await sendTarget(services, { ...input, batchSize: 0 });
  if ('failed' in target) return { state: 'failed', failed: target.failed, jobFailed: false };
  let status;
  try {
    status = await target.client.bulk!.status(input.jobId);
  } catch (error) {
    // The check failed (a network fault, the result file unreachable, a refused list): the job's fate is unknown or final.
    return { state: 'failed', failed: sendFailure(error), jobFailed: false };
  }
  if (status.state === 'pending') return status;
  if (status.state === 'failed') return { state: 'failed', failed: { reason: oneLine(status.reason), retryable: status.retryable }, jobFailed: true };
  return { state: 'done', ...(await logOutcome(target, input, status.errors)) };
}

/**
 * The items in slice order, read a slice at a time. Adds carry their input row as Client
 * Id, so an error the service reports comes back to its row; removals carry the member id.
 */
async function* bulkItems(target: SendTarget, input: BulkSendInput): AsyncGenerator<BulkItem> {
  for (const slice of input.slices) {
    if (input.kind === 'add') {
      for (const record of await readSlice(target.work, slice)) yield { clientId: String(record.row), memberId: target.memberId(record) };
    } else {
      for (const id of await readIdSlice(target.work, slice)) yield { clientId: id, memberId: id };
    }
  }
}

/** Per slice, as send.ts logs it: the members the job confirmed, and the rows it refused in the report. */
async function logOutcome(target: SendTarget, input: BulkCheckInput, errors: BulkItemError[]): Promise<{ done: number; accepted: number; rejected: number }> {
  const refused = new Map(errors.map((error) => [error.clientId, error.reason]));
  let done = 0;
  let rejected = 0;
  for (const slice of input.slices) {
    const tag = `bulk-${input.kind}-${sliceTag(slice)}`;
    const confirmed: string[] = [];
    const refusedRows: RejectedRow[] = [];
    if (input.kind === 'add') {
      for (const record of await readSlice(target.work, slice)) {
        const memberId = target.memberId(record);
        const reason = refused.get(String(record.row));
        if (reason === undefined) confirmed.push(memberId);
        else refusedRows.push({ segment: input.segment, row: record.row, reason: `rejected-by-destination: ${oneLine(reason)}`, value: memberId });
      }
    } else {
      for (const id of await readIdSlice(target.work, slice)) if (!refused.has(id)) confirmed.push(id);
    }
    const refusedHere = input.kind === 'add' ? refusedRows.length : slice.records - confirmed.length;
    done += slice.records;
    rejected += refusedHere;
    const delivery = input.kind === 'add' ? { added: confirmed, removed: [], replaced: input.replace === true } : { added: [], removed: confirmed };
    await writeDeliveryLog(target.work, deliveryLogName(input.runId, input.segmentIndex, tag), delivery);
    await writeReportPart(target.reports, input.runId, `${String(input.segmentIndex).padStart(3, '0')}-${tag}`, refusedRows);
  }
  return { done, accepted: done - rejected, rejected };
}

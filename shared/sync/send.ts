import type { Services } from '../services.js';
import type { ContainerClient } from '@azure/storage-blob';
import { BatchStopped, DestinationError, RequestPending, type AcceptedRequest, type DestinationClient, type PendingRequest, type ProfileRecord, type RecordRejection, type UploadResult } from '../destinations/types.js';
import { getDestination } from '../destinations/registry.js';
import { writeReportPart, type RejectedRow } from '../pipeline/run-files/report.js';
import { openSlice, readIdSlice, sliceTag, type RecordList, type WorkFileSlice } from '../pipeline/run-files/work-files.js';
import { ACTIVITY_PATIENCE_MS, PacedOut, withPacing } from '../destinations/common/pacing.js';
import { containersFor, deliveryLogName, writeDeliveryLog, type Delivery } from './files.js';
import { FIRST_CHECK_MS } from './requests/check-requests.js';
import { requestStore } from './requests/request-store.js';

export interface SendInput {
  runId: string;
  exportId: string;
  segment: string;
  segmentIndex: number;
  audienceId: string;
  kind: 'add' | 'remove';
  slice: WorkFileSlice;
  batchSize: number;
  /** The slice's first batch replaces the audience's membership (a full sync's first batch). */
  replaceFirst?: boolean;
  /** The replace's removal an earlier attempt started and left processing: checked, not started again. */
  pendingRemoval?: PendingRequest;
}

/** Why a send stopped before the end of its slice; `retryable` failures are sent again by the orchestrator, after `retryAfterMs` if given. */
export interface SendFailure {
  reason: string;
  retryable: boolean;
  retryAfterMs?: number;
  /** Not a failure: the destination's rate had no turn free within the step's patience (pacing.ts); the rest goes after `retryAfterMs`, no attempt counted. */
  paced?: boolean;
  /** With `paced`: the slice waits for this request (a replace's removal) to be processed; send it back as `pendingRemoval`. */
  pending?: PendingRequest;
}

export interface SendResult {
  /** Records of the slice dealt with, from its start: accepted, or refused by the destination. */
  done: number;
  accepted: number;
  rejected: number;
  failed?: SendFailure;
}

/** Where a segment's changes go: the destination's client, the audience, and the run's blobs for delivery logs and reports. */
export interface SendTarget {
  client: DestinationClient;
  memberId: (record: ProfileRecord) => string;
  /** The service swaps the whole membership with each upload (any delivered batch replaced it). */
  uploadsReplace: boolean;
  work: ContainerClient;
  reports: ContainerClient;
  runId: string;
  segment: string;
  segmentIndex: number;
  audienceId: string;
  batchSize: number;
  /** Keeps the requests the destination accepted to process later (`client.processing`), for the timer to check. */
  recordRequests?(requests: AcceptedRequest[], audienceId: string): Promise<void>;
}

/** The destination client and the blobs for sending an export's changes; a failure to connect is returned, not thrown. */
export async function sendTarget(
  services: Services,
  input: Pick<SendInput, 'runId' | 'exportId' | 'segment' | 'segmentIndex' | 'audienceId' | 'batchSize'>,
): Promise<SendTarget | { failed: SendFailure }> {
  const { work, reports, ledgers } = await containersFor(services);
  const exp = await services.exports.findRecent(input.exportId);
  const connection = exp && (await services.connections.findRecent(exp.connectionId));
  if (!exp || !connection) return { failed: { reason: exp ? 'connection-removed' : 'export-removed', retryable: false } };
  const destination = getDestination(exp.destinationType);
  try {
    return {
      client: await services.destinationClient(connection, exp.settings),
      memberId: destination.memberId,
      uploadsReplace: destination.sync(exp.settings).removal === 'replace-membership',
      work,
      reports,
      runId: input.runId,
      segment: input.segment,
      segmentIndex: input.segmentIndex,
      audienceId: input.audienceId,
      batchSize: input.batchSize,
      recordRequests: (requests, audienceId) =>
        requestStore(services.storage).record(ledgers, { exportId: input.exportId, runId: input.runId, segment: input.segment, audienceId }, requests, new Date(), FIRST_CHECK_MS),
    };
  } catch (error) {
    return { failed: sendFailure(error) };
  }
}

/**
 * Sends one slice of planned changes in the destination's batches, in order, and logs what
 * the destination confirmed (the ledger commit reads the log). A batch that fails stops the
 * slice there: what went before stays delivered and logged, and the orchestrator sends the
 * rest again or reports it, so a failure part-way never blames rows that arrived.
 */
export async function sendChanges(services: Services, input: SendInput): Promise<SendResult> {
  const target = await sendTarget(services, input);
  if ('failed' in target) return { done: 0, accepted: 0, rejected: 0, failed: target.failed };
  // The slice holds its turns at the destination's rate across the activities that send it.
  const pacing = { patienceMs: ACTIVITY_PATIENCE_MS, holder: `${input.runId}/${input.segmentIndex}/${input.kind}/${input.slice.name}`, share: input.runId };
  if (input.kind === 'add') {
    const records = await openSlice(target.work, input.slice);
    return withPacing(pacing, () => sendAdds(target, input.slice, records, input.replaceFirst === true, input.pendingRemoval));
  }
  const ids = await readIdSlice(target.work, input.slice);
  return withPacing(pacing, () => sendRemovals(target, input.slice, ids));
}

/**
 * Adds the records of one slice, a batch at a time, in order, stopping at the first
 * failure; the first batch replaces the membership when `replaceFirst`. Writes the slice's
 * delivery log and the rows the destination refused. Also what preparation calls when it
 * sends a work file it has just written (records still in memory).
 */
export async function sendAdds(target: SendTarget, slice: WorkFileSlice, records: RecordList, replaceFirst: boolean, pendingRemoval?: PendingRequest): Promise<SendResult> {
  const added: string[] = [];
  const refusedRows: RejectedRow[] = [];
  let replaced = false;
  let done = 0;
  let accepted = 0;
  let failed: SendFailure | undefined;
  for (let start = 0; start < records.length && !failed; start += target.batchSize) {
    const batch = records.slice(start, start + target.batchSize);
    const replace = replaceFirst && start === 0;
    let result: UploadResult | undefined;
    let took = batch;
    try {
      result = await target.client.uploadBatch(target.audienceId, batch, replace ? { replace: true, ...(pendingRemoval ? { pendingRemoval } : {}) } : undefined);
    } catch (error) {
      // A batch of several requests stopped part-way: what went counts, the rest goes again from there.
      const stopped = error instanceof BatchStopped && error.done > 0 ? error : undefined;
      if (stopped) [result, took] = [stopped.result, batch.slice(0, stopped.done)];
      failed = sendFailure(stopped ? stopped.stoppedBy : error);
    }
    if (result) {
      const refused = new Map(result.rejected.map((r) => [r.row, r]));
      const ids = result.memberIds?.length === batch.length ? result.memberIds : took.map(target.memberId);
      took.forEach((record, k) => {
        if (!refused.has(record.row)) added.push(ids[k]!);
      });
      refusedRows.push(...result.rejected.map((r) => rejectedRow(target.segment, r, took)));
      replaced ||= replace || target.uploadsReplace;
      accepted += took.length - refused.size;
      done += took.length;
    }
  }
  await logDelivery(target, `add-${sliceTag(slice)}`, { added, removed: [], replaced }, refusedRows);
  return { done, accepted, rejected: done - accepted, ...(failed ? { failed } : {}) };
}

async function sendRemovals(target: SendTarget, slice: WorkFileSlice, ids: string[]): Promise<SendResult> {
  const removed: string[] = [];
  let done = 0;
  let accepted = 0;
  let failed: SendFailure | undefined;
  for (let start = 0; start < ids.length && !failed; start += target.batchSize) {
    const batch = ids.slice(start, start + target.batchSize);
    try {
      const result = await target.client.removeMembers(target.audienceId, batch);
      const refused = new Set(result.failed.map((f) => f.memberId));
      for (const id of batch) if (!refused.has(id)) removed.push(id);
      accepted += batch.length - refused.size;
      done += batch.length;
    } catch (error) {
      // A removal of several requests stopped part-way: the members it removed count, the rest goes again from there.
      const stopped = error instanceof BatchStopped && error.done > 0 ? error : undefined;
      if (stopped) {
        removed.push(...batch.slice(0, stopped.done));
        [accepted, done] = [accepted + stopped.done, done + stopped.done];
      }
      failed = sendFailure(stopped ? stopped.stoppedBy : error);
    }
  }
  await logDelivery(target, `remove-${sliceTag(slice)}`, { added: [], removed }, []);
  return { done, accepted, rejected: done - accepted, ...(failed ? { failed } : {}) };
}

async function logDelivery(target: SendTarget, tag: string, delivery: Delivery, refusedRows: RejectedRow[]): Promise<void> {
  // Before the log: a request kept whose members never reach the ledger is harmless, the reverse would go unchecked.
  const accepted = target.client.processing?.takeAccepted() ?? [];
  if (accepted.length > 0) await target.recordRequests?.(accepted, target.audienceId);
  await writeDeliveryLog(target.work, deliveryLogName(target.runId, target.segmentIndex, tag), delivery);
  await writeReportPart(target.reports, target.runId, `${String(target.segmentIndex).padStart(3, '0')}-${tag}`, refusedRows);
}

function rejectedRow(segment: string, rejection: RecordRejection, batch: ProfileRecord[]): RejectedRow {
  return {
    segment,
    row: rejection.row,
    reason: `rejected-by-destination: ${oneLine(rejection.reason)}`,
    value: rejection.value ?? batch.find((r) => r.row === rejection.row)?.email ?? '',
  };
}

export function sendFailure(error: unknown): SendFailure {
  if (error instanceof PacedOut) return { reason: oneLine(error.message), retryable: true, retryAfterMs: error.retryAfterMs!, paced: true };
  if (error instanceof RequestPending) return { reason: oneLine(error.message), retryable: true, retryAfterMs: error.checkAfterMs, paced: true, pending: error.pending };
  if (error instanceof DestinationError) {
    return {
      reason: oneLine(`${error.code}: ${error.message}`),
      retryable: error.retryable,
      ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
    };
  }
  // Anything else (a dropped connection the client did not classify, a bug) may pass on another attempt.
  return { reason: oneLine(`transient: ${error instanceof Error ? error.message : String(error)}`), retryable: true };
}

/** Reasons are one clean line: no stack traces, no file paths, bounded. */
export function oneLine(text: string, max = 300): string {
  const first = text.split('\n')[0]!.replace(/\s+/g, ' ').trim();
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}

import type { Services } from '../services.js';
import { DestinationError, type DestinationClient, type ProfileRecord, type RecordRejection } from '../destinations/types.js';
import { getDestination } from '../destinations/registry.js';
import { writeReportPart, type RejectedRow } from '../pipeline/run-files/report.js';
import { readIdSlice, readSlice, sliceTag, type WorkFileSlice } from '../pipeline/run-files/work-files.js';
import { containersFor, deliveryLogName, writeDeliveryLog } from './files.js';

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
}

/** Why a send stopped before the end of its slice; `retryable` failures are sent again by the orchestrator, after `retryAfterMs` if given. */
export interface SendFailure {
  reason: string;
  retryable: boolean;
  retryAfterMs?: number;
}

export interface SendResult {
  /** Records of the slice dealt with, from its start: accepted, or refused by the destination. */
  done: number;
  accepted: number;
  rejected: number;
  failed?: SendFailure;
}

/**
 * Sends one slice of planned changes in the destination's batches, in order, and logs what
 * the destination confirmed (the ledger commit reads the log). A batch that fails stops the
 * slice there: what went before stays delivered and logged, and the orchestrator sends the
 * rest again or reports it, so a failure part-way never blames rows that arrived.
 */
export async function sendChanges(services: Services, input: SendInput): Promise<SendResult> {
  const { work, reports } = await containersFor(services);
  const exp = await services.exports.find(input.exportId);
  const connection = exp && (await services.connections.find(exp.connectionId));
  if (!exp || !connection) {
    return { done: 0, accepted: 0, rejected: 0, failed: { reason: exp ? 'connection-removed' : 'export-removed', retryable: false } };
  }
  const destination = getDestination(exp.destinationType);
  // Where the service swaps the whole membership with each upload, any delivered batch replaced it.
  const uploadsReplace = destination.sync(exp.settings).removal === 'replace-membership';
  let client: DestinationClient;
  try {
    client = await services.destinationClient(connection, exp.settings);
  } catch (error) {
    return { done: 0, accepted: 0, rejected: 0, failed: sendFailure(error) };
  }
  const tag = `${input.kind}-${sliceTag(input.slice)}`;
  const added: string[] = [];
  const removed: string[] = [];
  const refusedRows: RejectedRow[] = [];
  let replaced = false;
  let done = 0;
  let accepted = 0;
  let failed: SendFailure | undefined;

  if (input.kind === 'add') {
    const records = await readSlice(work, input.slice);
    for (let start = 0; start < records.length && !failed; start += input.batchSize) {
      const batch = records.slice(start, start + input.batchSize);
      const replace = input.replaceFirst === true && start === 0;
      try {
        const result = await client.uploadBatch(input.audienceId, batch, replace ? { replace: true } : undefined);
        const refused = new Map(result.rejected.map((r) => [r.row, r]));
        const ids = result.memberIds?.length === batch.length ? result.memberIds : batch.map(destination.memberId);
        batch.forEach((record, k) => {
          if (!refused.has(record.row)) added.push(ids[k]!);
        });
        refusedRows.push(...result.rejected.map((r) => rejectedRow(input.segment, r, batch)));
        replaced ||= replace || uploadsReplace;
        accepted += batch.length - refused.size;
        done += batch.length;
      } catch (error) {
        failed = sendFailure(error);
      }
    }
  } else {
    const ids = await readIdSlice(work, input.slice);
    for (let start = 0; start < ids.length && !failed; start += input.batchSize) {
      const batch = ids.slice(start, start + input.batchSize);
      try {
        const result = await client.removeMembers(input.audienceId, batch);
        const refused = new Set(result.failed.map((f) => f.memberId));
        for (const id of batch) if (!refused.has(id)) removed.push(id);
        accepted += batch.length - refused.size;
        done += batch.length;
      } catch (error) {
        failed = sendFailure(error);
      }
    }
  }

  await writeDeliveryLog(work, deliveryLogName(input.runId, input.segmentIndex, tag), { added, removed, replaced });
  await writeReportPart(reports, input.runId, `${String(input.segmentIndex).padStart(3, '0')}-${tag}`, refusedRows);
  return { done, accepted, rejected: done - accepted, ...(failed ? { failed } : {}) };
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

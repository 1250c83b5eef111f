import { randomInt } from 'node:crypto';
import type { Services } from '../services.js';
import type { ProfileRecord } from '../destinations/types.js';
import { writeReportPart, type RejectedRow } from '../pipeline/run-files/report.js';
import { readSlice, type WorkFileSlice } from '../pipeline/run-files/work-files.js';
import { readWholeBlob } from '../storage/read-blob.js';
import { ACTIVITY_PATIENCE_MS, withPacing } from '../destinations/common/pacing.js';
import { deliveryLogName, sessionLogTag, writeDeliveryLog } from './files.js';
import { oneLine, sendFailure, sendTarget, type SendFailure, type SendTarget } from './send.js';

/**
 * A full sync as one replace session (`DestinationClient.replaceSession`, Meta's
 * `usersreplace`): every add of the segment, in order, in one session the service swaps in
 * when its last request arrives, so the audience is never empty or half-filled meanwhile.
 *
 * One activity sends as far as the destination's rate and its time allow and returns the
 * session's cursor; the orchestration calls it again with the cursor (after a durable timer
 * when paced or throttled), so a session spans many activities. A session that cannot go on
 * (refused, timed out, out of order after a crashed attempt) is started again by the
 * orchestration with no cursor: a new id, from the first record.
 *
 * What a session delivered counts only once it ended: its delivery logs are named after it
 * (files.ts ignores the logs of a session with no `last` log), and the rows it refused wait in
 * the work container until the last call moves them into the run's report.
 */
export interface SessionCursor {
  sessionId: string;
  /** The next record to send: its slice and its position in it. */
  slice: number;
  offset: number;
  /** The sequence number the session expects next. */
  nextBatchSeq: number;
  /** Records the session has sent, and of them accepted and refused (counted in the run once it ends). */
  sent: number;
  accepted: number;
  rejected: number;
}

export interface SessionSendInput {
  runId: string;
  exportId: string;
  segment: string;
  segmentIndex: number;
  audienceId: string;
  /** Every add of the segment, in order: the session's members. */
  slices: WorkFileSlice[];
  batchSize: number;
  /** Where the session stands; absent: a new session from the first record. */
  cursor?: SessionCursor;
}

export interface SessionSendResult {
  cursor: SessionCursor;
  /** The last request was taken: the service swapped the membership. */
  complete: boolean;
  /** Why the call stopped; absent with `complete` false, the call used its time and the session goes on at once. */
  failed?: SendFailure;
}

/** One call sends for about this long, then hands the session back (an activity is short; the next call goes on at once). */
const CALL_BUDGET_MS = 60_000;

export async function sendSession(services: Services, input: SessionSendInput): Promise<SessionSendResult> {
  const cursor: SessionCursor = input.cursor ?? { sessionId: String(randomInt(1, 2 ** 48)), slice: 0, offset: 0, nextBatchSeq: 1, sent: 0, accepted: 0, rejected: 0 };
  const target = await sendTarget(services, input);
  if ('failed' in target) return { cursor, complete: false, failed: target.failed };
  if (!target.client.replaceSession) return { cursor, complete: false, failed: { reason: 'invalid-request: the destination has no replace session', retryable: false } };
  // The session holds its turns at the destination's rate across the activities that send it.
  const pacing = { patienceMs: ACTIVITY_PATIENCE_MS, holder: `${input.runId}/${input.segmentIndex}/session`, share: input.runId };
  return withPacing(pacing, () => sendFrom(target, input, { ...cursor }));
}

async function sendFrom(target: SendTarget, input: SessionSendInput, cursor: SessionCursor): Promise<SessionSendResult> {
  const session = target.client.replaceSession!;
  const total = input.slices.reduce((sum, slice) => sum + slice.records, 0);
  const until = Date.now() + CALL_BUDGET_MS;
  let failed: SendFailure | undefined;
  let complete = false;
  while (!failed && !complete && cursor.slice < input.slices.length && Date.now() < until) {
    const slice = input.slices[cursor.slice]!;
    const records = await readSlice(target.work, slice);
    const firstSeq = cursor.nextBatchSeq;
    const added: string[] = [];
    const refused: RejectedRow[] = [];
    while (cursor.offset < records.length && !failed) {
      const batch = records.slice(cursor.offset, cursor.offset + input.batchSize);
      const last = cursor.slice === input.slices.length - 1 && cursor.offset + batch.length >= records.length;
      let result;
      try {
        result = await session.send(input.audienceId, batch, { sessionId: cursor.sessionId, batchSeq: cursor.nextBatchSeq, total, last });
      } catch (error) {
        failed = sendFailure(error);
        break;
      }
      const took = batch.slice(0, result.done);
      const refusedRows = new Set(result.rejected.map((rejection) => rejection.row));
      for (const record of took) if (!refusedRows.has(record.row)) added.push(target.memberId(record));
      refused.push(...result.rejected.map((rejection) => refusedRow(input.segment, rejection, took)));
      cursor.offset += result.done;
      cursor.nextBatchSeq = result.nextBatchSeq;
      cursor.sent += result.done;
      cursor.accepted += result.done - result.rejected.length;
      cursor.rejected += result.rejected.length;
      if (result.error !== undefined) failed = sendFailure(result.error);
      else if (last) complete = true;
    }
    if (cursor.offset >= records.length) {
      cursor.slice++;
      cursor.offset = 0;
    }
    await logPart(target, input, cursor.sessionId, complete ? 'last' : firstSeq, added, refused, complete);
  }
  if (complete) await reportRefused(target, input, cursor.sessionId);
  return { cursor, complete, ...(failed ? { failed } : {}) };
}

/** What this call's requests of the session delivered, and the rows they refused (held back until the session ends). */
async function logPart(target: SendTarget, input: SessionSendInput, sessionId: string, part: number | 'last', added: string[], refused: RejectedRow[], replaced: boolean): Promise<void> {
  await writeDeliveryLog(target.work, deliveryLogName(input.runId, input.segmentIndex, sessionLogTag(sessionId, part)), { added, removed: [], replaced });
  if (refused.length > 0) await target.work.getBlockBlobClient(refusedName(input, sessionId, part)).uploadData(Buffer.from(JSON.stringify(refused)));
}

const refusedPrefix = (input: SessionSendInput, sessionId: string) => `${input.runId}/${String(input.segmentIndex).padStart(3, '0')}/session-refused/${sessionId}/`;
const refusedName = (input: SessionSendInput, sessionId: string, part: number | 'last') => `${refusedPrefix(input, sessionId)}${part}.json`;

/** The session ended: the rows it refused go into the run's report, as one part. */
async function reportRefused(target: SendTarget, input: SessionSendInput, sessionId: string): Promise<void> {
  const rows: RejectedRow[] = [];
  for await (const blob of target.work.listBlobsFlat({ prefix: refusedPrefix(input, sessionId) })) {
    rows.push(...(JSON.parse((await readWholeBlob(target.work.getBlockBlobClient(blob.name))).toString('utf8')) as RejectedRow[]));
  }
  rows.sort((a, b) => a.row - b.row);
  await writeReportPart(target.reports, input.runId, `${String(input.segmentIndex).padStart(3, '0')}-session-${sessionId}`, rows);
}

function refusedRow(segment: string, rejection: { row: number; reason: string; value?: string }, batch: ProfileRecord[]): RejectedRow {
  return {
    segment,
    row: rejection.row,
    reason: `rejected-by-destination: ${oneLine(rejection.reason)}`,
    value: rejection.value ?? batch.find((record) => record.row === rejection.row)?.email ?? '',
  };
}

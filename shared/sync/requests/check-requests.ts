import { ACTIVITY_PATIENCE_MS, PacedOut, withPacing } from '../../destinations/common/pacing.js';
import { DestinationError, type AsyncProcessing, type ProcessingOutcome } from '../../destinations/types.js';
import type { DestinationRequests, Run } from '../../domain/run.js';
import type { Services } from '../../services.js';
import { containersFor } from '../files.js';
import { readLedger, writeLedger } from '../ledger.js';
import { requestStore, type StoredRequest } from './request-store.js';
import { readWholeBlob } from '../../storage/read-blob.js';

const MINUTE = 60_000;
/** The first check of a request, after it was sent; then twice as long each time, at most an hour apart. */
export const FIRST_CHECK_MS = 2 * MINUTE;
const MAX_CHECK_INTERVAL_MS = 60 * MINUTE;
/** A request with no final status after this long is counted as failed: its members are sent again (set semantics make that harmless). */
export const GIVE_UP_MS = 72 * 60 * MINUTE;
/** The run record lists at most this many requests (a 500,000-member full sync sends 50). */
const ITEMS_IN_RECORD = 500;

export const nextCheckMs = (checks: number) => Math.min(MAX_CHECK_INTERVAL_MS, FIRST_CHECK_MS * 2 ** checks);

export interface CheckOutcome {
  /** Requests asked about. */
  checked: number;
  /** Of them, now final (succeeded, partially succeeded, failed or given up). */
  final: number;
  failed: number;
  /** Members returned to be sent again (failed adds) or removed again (failed removes). */
  returned: number;
}

const ACTIVE = new Set<Run['status']>(['queued', 'running']);

/**
 * The timer's pass over requests that destinations accepted and process later (Google's
 * Data Manager API): each due request is asked about once (`requestStatus:retrieve`), and a
 * final outcome is recorded on the request and in its run's record, with the match-rate
 * range. A request that failed takes its members back out of the ledger (or owes their
 * removal again), so the next run sends them again. An export with a run queued or running
 * waits: that run's ledger commit must come before any correction of it. Checks take a turn
 * at the destination's rate only when one is free now; the rest wait for the next pass.
 */
export async function checkRequests(services: Services, now = new Date()): Promise<CheckOutcome> {
  const total: CheckOutcome = { checked: 0, final: 0, failed: 0, returned: 0 };
  const store = requestStore(services.storage);
  for (const exp of await services.exports.listAll()) {
    try {
      const due = await store.due(exp.id, now);
      if (due.length === 0) continue;
      const [latest] = (await services.runs.listByExport(exp.id, { top: 1 })).items;
      if (latest && ACTIVE.has(latest.status)) continue;
      const connection = await services.connections.find(exp.connectionId);
      if (!connection) continue;
      const processing = (await services.destinationClient(connection, exp.settings)).processing;
      if (!processing) continue;
      const runs = new Set<string>();
      for (const request of due) {
        const outcome = await ask(processing, request);
        if (outcome === 'paced') break;
        total.checked++;
        runs.add(request.runId);
        const settled = await settle(services, request, outcome, now);
        await store.update(settled);
        if (settled.state !== 'processing') total.final++;
        if (settled.state === 'failed' || settled.state === 'unknown') total.failed++;
        total.returned += settled.returned ?? 0;
      }
      for (const runId of runs) await summarize(services, exp.id, runId, now);
    } catch (error) {
      console.warn(`destination requests of export ${exp.id}: ${(error as Error).message}`);
    }
  }
  return total;
}

/** One status read; a request the service no longer knows reads as unknown; a failure to ask waits for the next check. */
async function ask(processing: AsyncProcessing, request: StoredRequest): Promise<ProcessingOutcome | 'paced' | undefined> {
  try {
    return await withPacing({ patienceMs: ACTIVITY_PATIENCE_MS }, () => processing.status(request.requestId));
  } catch (error) {
    if (error instanceof PacedOut) return 'paced';
    if (error instanceof DestinationError && error.code === 'not-found') return { state: 'unknown', serviceState: 'NOT_FOUND' };
    console.warn(`status of request ${request.requestId}: ${(error as Error).message}`);
    return undefined;
  }
}

/** The request after this check; a failed one has its members returned first. */
async function settle(services: Services, request: StoredRequest, outcome: ProcessingOutcome | undefined, now: Date): Promise<StoredRequest> {
  const checks = request.checks + 1;
  const checkedAt = now.toISOString();
  if (!outcome || outcome.state === 'processing' || (outcome.state === 'unknown' && outcome.serviceState !== 'NOT_FOUND')) {
    if (now.getTime() - Date.parse(request.sentAt) < GIVE_UP_MS) {
      return { ...request, checks, checkedAt, nextCheckAt: new Date(now.getTime() + nextCheckMs(checks)).toISOString() };
    }
    outcome = { state: 'unknown', serviceState: outcome?.serviceState ?? 'NO_ANSWER' };
    request = { ...request, detail: 'no final status within 72 hours: counted as failed' };
  }
  const { membersBlob, ...rest } = request;
  const settled: StoredRequest = {
    ...rest,
    checks,
    checkedAt,
    state: outcome.state,
    serviceState: outcome.serviceState,
    ...(outcome.recordCount !== undefined ? { recordCount: outcome.recordCount } : {}),
    ...(outcome.matchRateRange ? { matchRateRange: outcome.matchRateRange } : {}),
  };
  if (!membersBlob) return settled;
  const { ledgers } = await containersFor(services);
  const blob = ledgers.getBlockBlobClient(membersBlob);
  if (outcome.state === 'failed' || outcome.state === 'unknown') {
    const ids = (await readWholeBlob(blob)).toString('utf8').split('\n').filter((id) => id !== '');
    settled.returned = await returnMembers(services, request, ids, now);
  }
  // The ids are no longer needed once the outcome is known: the ledger is the record of who was sent.
  await blob.deleteIfExists();
  return settled;
}

/**
 * A failed add: its members leave the ledger, so the next run's plan finds them missing
 * and sends them again. A failed remove: its members are owed a removal again. Only for the
 * audience the ledger still tracks, and only ids whose place in the ledger this request
 * explains (a later run may have sent them again).
 */
export async function returnMembers(services: Services, request: Pick<StoredRequest, 'exportId' | 'segment' | 'audienceId' | 'operation'>, ids: string[], now: Date): Promise<number> {
  const { ledgers } = await containersFor(services);
  const ledger = await readLedger(ledgers, request.exportId, request.segment);
  if (!ledger || ledger.audienceId !== request.audienceId) return 0;
  let members = ledger.members;
  let pendingRemovals = ledger.pendingRemovals;
  let returned: string[];
  if (request.operation === 'add') {
    returned = ids.filter((id) => members.has(id));
    members = members.without(new Set(returned));
  } else if (request.operation === 'remove') {
    returned = ids.filter((id) => !members.has(id) && !pendingRemovals.has(id));
    pendingRemovals = pendingRemovals.with(returned);
  } else return 0;
  if (returned.length === 0) return 0;
  await writeLedger(ledgers, request.exportId, request.segment, { audienceId: ledger.audienceId, members, pendingRemovals, updatedAt: now.toISOString() });
  return returned.length;
}

/** The run record's account of its requests, per segment, from the stored requests. */
async function summarize(services: Services, exportId: string, runId: string, now: Date): Promise<void> {
  const requests = await requestStore(services.storage).ofRun(exportId, runId);
  const bySegment = new Map<string, StoredRequest[]>();
  for (const request of requests) bySegment.set(request.segment, [...(bySegment.get(request.segment) ?? []), request]);
  await services.runs.update(runId, exportId, (run) => ({
    ...run,
    segments: run.segments.map((segment) => {
      const own = bySegment.get(segment.segment);
      return own ? { ...segment, requests: summary(own, now) } : segment;
    }),
  }));
}

export function summary(requests: StoredRequest[], now: Date): DestinationRequests {
  const count = (state: StoredRequest['state']) => requests.filter((request) => request.state === state).length;
  const matchRateRanges: Record<string, number> = {};
  for (const request of requests) if (request.matchRateRange) matchRateRanges[request.matchRateRange] = (matchRateRanges[request.matchRateRange] ?? 0) + 1;
  return {
    total: requests.length,
    processing: count('processing'),
    succeeded: count('succeeded'),
    partiallySucceeded: count('partially-succeeded'),
    failed: count('failed') + count('unknown'),
    returned: requests.reduce((sum, request) => sum + (request.returned ?? 0), 0),
    matchRateRanges,
    items: requests.slice(0, ITEMS_IN_RECORD).map((request) => ({
      requestId: request.requestId,
      operation: request.operation,
      members: request.members,
      state: request.state,
      ...(request.serviceState ? { serviceState: request.serviceState } : {}),
      ...(request.matchRateRange ? { matchRateRange: request.matchRateRange } : {}),
    })),
    checkedAt: now.toISOString(),
  };
}

import type { Services } from '../services.js';
import { ACTIVITY_PATIENCE_MS, withPacing } from '../destinations/common/pacing.js';
import type { Export } from '../domain/export.js';
import type { Connection } from '../domain/connection.js';
import type { Run, RunTrigger, SegmentRun } from '../domain/run.js';
import { DestinationError, type DestinationClient, type DestinationLimits, type ProfileRecord } from '../destinations/types.js';
import { getDestination, type DestinationType } from '../destinations/registry.js';
import { deleteWorkFiles, readSlice, sliceTag, type WorkFileSlice } from './run-files/work-files.js';
import { writeReportPart, type RejectedRow } from './run-files/report.js';
import { deliveryLogName, writeDeliveryLog } from '../sync/files.js';
import { oneLine, sendFailure, type SendFailure } from '../sync/send.js';
import { afterRunFinished } from './runs/run-finished.js';
import { driftForNextRun } from '../insights/next-run.js';
import { tracksNothing } from '../sync/ledger.js';

/**
 * The steps of a run, one per activity. Each takes and returns small JSON (ids, blob
 * names, counts) so orchestration history stays small; the data moves through blobs.
 */
export interface RunInput {
  runId: string;
  exportId: string;
  trigger: RunTrigger;
  /** Sync in full: send the whole membership and drop members the app did not send. */
  full?: boolean;
}

export interface RunPlan {
  runId: string;
  exportId: string;
  destinationType: DestinationType;
  segments: string[];
  limits: DestinationLimits;
  truncate: boolean;
  audienceCreationNeedsMembers: boolean;
  maxUploadsInFlight: number;
  full: boolean;
  /** Preparation may send work files as it writes them (SEND_WHILE_PREPARING, on destinations that create audiences empty). */
  sendWhilePreparing: boolean;
  /** Where the destination takes bulk jobs: a segment's adds (or removes) above this many go as one (MSADS_BULK_THRESHOLD). */
  bulkThreshold?: number;
  /**
   * Per segment, whether its ledger tracks members (an audience the app sent to), read at the
   * start, on destinations that create audiences empty. Preparation never finds or creates
   * such a segment's audience, so it is checked beside preparation, not after it: the
   * destination's rate is used from the run's first second instead of idle while the file is
   * read.
   */
  tracked?: boolean[];
}

export type BeginResult = { plan: RunPlan } | { failed: string };

/**
 * The export and its connection. A run begins on fresh reads (it may have been disabled);
 * its later steps take reads a few seconds old (`recent`), shared with the run's other steps.
 */
async function loadExportAndConnection(services: Services, exportId: string, recent = false): Promise<{ exp?: Export; connection?: Connection }> {
  const exp = recent ? await services.exports.findRecent(exportId) : await services.exports.find(exportId);
  if (!exp) return {};
  const connection = recent ? await services.connections.findRecent(exp.connectionId) : await services.connections.find(exp.connectionId);
  return { exp, connection };
}

export async function beginRun(services: Services, input: RunInput, now: string): Promise<BeginResult> {
  const { exp, connection } = await loadExportAndConnection(services, input.exportId);
  const failed = !exp
    ? 'export-removed'
    : !connection
      ? 'connection-removed'
      : !exp.enabled
        ? `export-disabled${exp.disabledReason ? `: ${exp.disabledReason}` : ''}`
        : undefined;
  // What the destination last reported out of step with the ledger goes in this run's record (and may make it a full sync).
  const drift = exp && !failed ? await driftForNextRun(services, exp.id, input.runId, exp.segments) : undefined;
  const begun = await services.runs.update(input.runId, input.exportId, (run) => ({
    ...run,
    ...(drift?.notes.length ? { audienceDrift: drift.notes } : {}),
    ...(drift?.fullSync ? { full: true } : {}),
    status: failed ? 'failed' : 'running',
    ...(failed ? { reason: failed, finishedAt: now } : {}),
    startedAt: now,
    progress: { stage: failed ? 'finished' : 'preparing', workFilesDone: 0, workFilesTotal: 0 },
  }));
  if (failed) await afterRunFinished(services, begun);
  if (failed || !exp) return { failed: failed ?? 'export-removed' };
  const destination = getDestination(exp.destinationType);
  const tracked = destination.audienceCreationNeedsMembers ? undefined : await trackedSegments(services, exp.id, exp.segments);
  return {
    plan: {
      runId: input.runId,
      exportId: input.exportId,
      destinationType: exp.destinationType,
      segments: exp.segments,
      limits: destination.limits,
      truncate: exp.truncate,
      audienceCreationNeedsMembers: destination.audienceCreationNeedsMembers,
      maxUploadsInFlight: services.config.maxUploadsInFlight,
      full: input.full === true || drift?.fullSync === true,
      sendWhilePreparing: services.config.sendWhilePreparing && !destination.audienceCreationNeedsMembers,
      ...(destination.bulkThreshold ? { bulkThreshold: destination.bulkThreshold(services.config.destinations) } : {}),
      ...(tracked ? { tracked } : {}),
    },
  };
}

async function trackedSegments(services: Services, exportId: string, segments: string[]): Promise<boolean[]> {
  const ledgers = await services.storage.ensureContainer(services.config.containers.ledgers);
  return Promise.all(segments.map(async (segment) => !(await tracksNothing(ledgers, exportId, segment))));
}

export { prepareSegmentStep, type PrepareStepInput, type PrepareStepResult } from './prepare/prepare-step.js';

async function clientFor(services: Services, exportId: string): Promise<{ client: DestinationClient; memberId: (p: ProfileRecord) => string }> {
  const { exp, connection } = await loadExportAndConnection(services, exportId, true);
  if (!exp || !connection) throw new DestinationError('invalid-request', !exp ? 'export-removed' : 'connection-removed', false);
  return { client: await services.destinationClient(connection, exp.settings), memberId: getDestination(exp.destinationType).memberId };
}


export interface EnsureAudienceInput {
  runId: string;
  exportId: string;
  segment: string;
  segmentIndex: number;
  /** The first work file, for destinations that create audiences with members. */
  firstWorkFile?: WorkFileSlice;
}

export type EnsureAudienceResult =
  | { audienceId: string; created: boolean; membersIncluded: boolean; accepted: number; rejected: number; notice?: string }
  | { failed: SendFailure };

/**
 * Finds or creates the segment's audience. A destination failure is returned, not thrown,
 * so the orchestrator can wait (honouring Retry-After) and try again, then fail the
 * segment cleanly with its counts and rows kept.
 */
export async function ensureAudienceStep(services: Services, input: EnsureAudienceInput): Promise<EnsureAudienceResult> {
  const work = await services.storage.ensureContainer(services.config.containers.work);
  const initial = input.firstWorkFile ? await readSlice(work, input.firstWorkFile) : [];
  try {
    const { client, memberId } = await clientFor(services, input.exportId);
    // Finding or creating takes turns at the destination's rate like any send (pacing.ts).
    const pacing = { patienceMs: ACTIVITY_PATIENCE_MS, holder: `${input.runId}/${input.segmentIndex}/audience`, share: input.runId, repeats: true };
    const audience = await withPacing(pacing, () => client.ensureAudience(input.segment, initial));
    const notice = audience.notice ? { notice: audience.notice } : {};
    if (!audience.membersIncluded) return { audienceId: audience.audienceId, created: audience.created, membersIncluded: false, accepted: 0, rejected: 0, ...notice };
    const result = audience.initialResult ?? { accepted: initial.length, rejected: [] };
    const refused = new Set(result.rejected.map((r) => r.row));
    await writeDeliveryLog(work, deliveryLogName(input.runId, input.segmentIndex, 'audience'), {
      added: initial.filter((r) => !refused.has(r.row)).map(memberId),
      removed: [],
    });
    await reportRejections(services, input.runId, `${pad(input.segmentIndex)}-audience`, input.segment, initial, result.rejected);
    return { audienceId: audience.audienceId, created: audience.created, membersIncluded: true, accepted: result.accepted, rejected: result.rejected.length, ...notice };
  } catch (error) {
    return { failed: sendFailure(error) };
  }
}

export interface ReportSliceInput {
  runId: string;
  segment: string;
  segmentIndex: number;
  slice: WorkFileSlice;
  reason: string;
  part: string;
}

/** Reports every row of a work file slice with one reason (upload failed for good, or over the limit). */
export async function reportSliceStep(services: Services, input: ReportSliceInput): Promise<number> {
  const records = await readSlice(await services.storage.ensureContainer(services.config.containers.work), input.slice);
  const reports = await services.storage.ensureContainer(services.config.containers.reports);
  await writeReportPart(
    reports,
    input.runId,
    `${pad(input.segmentIndex)}-${input.part}-${sliceTag(input.slice)}`,
    records.map((r) => ({ segment: input.segment, row: r.row, reason: oneLine(input.reason), value: r.email })),
  );
  return records.length;
}

export interface ProgressInput {
  runId: string;
  exportId: string;
  stage: string;
  workFilesDone: number;
  workFilesTotal: number;
}

export async function recordProgressStep(services: Services, input: ProgressInput): Promise<void> {
  await services.runs.update(input.runId, input.exportId, (run) => ({
    ...run,
    progress: { stage: input.stage, workFilesDone: input.workFilesDone, workFilesTotal: input.workFilesTotal },
  }));
}

export interface FinishInput {
  runId: string;
  exportId: string;
  status: Run['status'];
  reason?: string;
  segments: SegmentRun[];
}

export async function finishRunStep(services: Services, input: FinishInput, now: string): Promise<void> {
  const finished = await services.runs.update(input.runId, input.exportId, (run) => ({
    ...run,
    status: input.status,
    ...(input.reason ? { reason: input.reason } : {}),
    segments: input.segments,
    rejectedReport: `${services.config.containers.reports}/${input.runId}/`,
    progress: { stage: 'finished', workFilesDone: run.progress?.workFilesDone ?? 0, workFilesTotal: run.progress?.workFilesTotal ?? 0 },
    finishedAt: now,
    durationMs: Math.max(0, Date.parse(now) - Date.parse(run.startedAt)),
  }));
  await deleteWorkFiles(await services.storage.ensureContainer(services.config.containers.work), input.runId);
  await afterRunFinished(services, finished);
}

async function reportRejections(
  services: Services,
  runId: string,
  part: string,
  segment: string,
  records: ProfileRecord[],
  rejected: { row: number; reason: string; value?: string }[],
): Promise<void> {
  if (rejected.length === 0) return;
  const byRow = new Map(records.map((r) => [r.row, r.email]));
  const rows: RejectedRow[] = rejected.map((r) => ({
    segment,
    row: r.row,
    reason: `rejected-by-destination: ${r.reason}`,
    value: r.value ?? byRow.get(r.row) ?? '',
  }));
  await writeReportPart(await services.storage.ensureContainer(services.config.containers.reports), runId, part, rows);
}

const pad = (n: number) => String(n).padStart(3, '0');

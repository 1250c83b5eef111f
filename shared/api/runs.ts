import type { Readable } from 'node:stream';
import type { Principal } from '../domain/principal.js';
import type { Run } from '../domain/run.js';
import type { SegmentPreview } from '../domain/preview.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { streamReport } from '../pipeline/run-files/report.js';
import { startRun, type RunStarter } from '../pipeline/runs/run-service.js';
import type { Services } from '../services.js';
import type { Page, PageQuery } from '../storage/paging.js';
import { previewExport } from '../sync/preview.js';
import { getExport } from './exports.js';

/** Where a client follows a run (`GET /api/runs/{id}`). */
export const runStatusUrl = (runId: string) => `/api/runs/${runId}`;

/**
 * Runs an export now. A disabled export is refused (409 naming `enabled`), and so is a
 * second run while one is active: one run per export, the active one named rather than
 * duplicated.
 */
export async function runExportNow(
  services: Services,
  starter: RunStarter,
  principal: Principal,
  exportId: string,
  options: { full: boolean },
): Promise<{ run: Run; statusUrl: string }> {
  const exp = await getExport(services, principal, exportId);
  if (!exp.enabled) {
    throw new ConflictError(`export ${exp.id} is disabled${exp.disabledReason ? ` (${exp.disabledReason})` : ''}; enable it to run it`, {}, [
      { field: 'enabled', message: 'the export is disabled' },
    ]);
  }
  const result = await startRun(services, starter, exp, 'on-demand', { full: options.full });
  if (!result.started) {
    throw new ConflictError(`export ${exp.id} already has an active run, ${result.activeRunId}`, {
      activeRunId: result.activeRunId,
      statusUrl: runStatusUrl(result.activeRunId),
    });
  }
  return { run: result.run, statusUrl: runStatusUrl(result.run.id) };
}

/** What a run of the export would send, per segment; writes nothing. */
export async function previewExportRun(services: Services, principal: Principal, exportId: string, options: { full: boolean }): Promise<{ exportId: string; segments: SegmentPreview[] }> {
  const exp = await getExport(services, principal, exportId);
  return { exportId: exp.id, segments: await previewExport(services, exp, { full: options.full }) };
}

export async function listExportRuns(services: Services, principal: Principal, exportId: string, query: PageQuery): Promise<Page<Run>> {
  await getExport(services, principal, exportId);
  return services.runs.listByExport(exportId, query);
}

/** A run the caller may see: they must be allowed to see its export (a 404 otherwise, as for the export). */
export async function visibleRun(services: Services, principal: Principal, runId: string): Promise<Run> {
  const run = await services.runs.find(runId);
  if (!run) throw new NotFoundError('run', runId);
  try {
    await getExport(services, principal, run.exportId);
  } catch (error) {
    // Hidden like the export: the 404 names the run asked for.
    if (error instanceof NotFoundError) throw new NotFoundError('run', runId);
    throw error;
  }
  return run;
}

/** The rejected-rows report of a run the caller may see, as CSV. */
export async function rejectedRows(services: Services, principal: Principal, runId: string): Promise<{ run: Run; csv: Readable }> {
  const run = await visibleRun(services, principal, runId);
  const reports = await services.storage.ensureContainer(services.config.containers.reports);
  return { run, csv: streamReport(reports, run.id) };
}

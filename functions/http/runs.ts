import * as df from 'durable-functions';
import { z } from 'zod';
import { getExport } from '../../shared/api/exports.js';
import { idParamsSchema } from '../../shared/api/schemas.js';
import type { Principal } from '../../shared/domain/principal.js';
import { runSchema } from '../../shared/domain/run.js';
import { ConflictError, NotFoundError } from '../../shared/errors.js';
import { listQuerySchema, pageSchema } from '../../shared/http/paging.js';
import { streamReport } from '../../shared/pipeline/report.js';
import { startRun } from '../../shared/pipeline/run-service.js';
import { previewExport } from '../../shared/sync/preview.js';
import { exportPreviewSchema } from '../../shared/domain/preview.js';
import type { Services } from '../../shared/services.js';
import { runStarter } from '../orchestrators/starter.js';
import { defineRoute, registerRoutes } from './route.js';

const tag = 'runs';
const runStartResponseSchema = z.object({
  run: runSchema,
  statusUrl: z.string().describe('GET it to follow the run.'),
});
const statusUrl = (runId: string) => `/api/runs/${runId}`;
const runBodySchema = z
  .object({
    full: z
      .boolean()
      .default(false)
      .describe('Sync in full: send the whole membership and drop members the app did not send (e.g. added at the destination by hand).'),
  })
  .strict();

export const runRoutes = [
  defineRoute({
    name: 'runExport',
    method: 'POST',
    path: 'exports/{id}/run',
    tag,
    roles: ['admin', 'contributor'],
    summary: 'Run an export now',
    description:
      'Starts a run on demand. One run per export is active at a time: while one is queued or running, the call answers 409 with the active run\'s `activeRunId` and `statusUrl` instead of starting another. A disabled export is also refused with 409 (`errors` names `enabled`).',
    params: idParamsSchema,
    body: runBodySchema,
    bodyOptional: true,
    extraInputs: [df.input.durableClient()],
    responses: {
      202: { description: 'Run started', schema: runStartResponseSchema, headers: ['Location'] },
      409: { description: 'A run is active (problem+json with `activeRunId` and `statusUrl`), or the export is disabled (`errors` names `enabled`).' },
    },
    handle: async ({ services, principal, params, body, context }) => {
      const exp = await getExport(services, principal, params.id);
      if (!exp.enabled) {
        throw new ConflictError(`export ${exp.id} is disabled${exp.disabledReason ? ` (${exp.disabledReason})` : ''}; enable it to run it`, {}, [
          { field: 'enabled', message: 'the export is disabled' },
        ]);
      }
      const result = await startRun(services, runStarter(df.getClient(context)), exp, 'on-demand', { full: body.full });
      if (!result.started) {
        // One run per export: the active one is named, not duplicated.
        throw new ConflictError(`export ${exp.id} already has an active run, ${result.activeRunId}`, {
          activeRunId: result.activeRunId,
          statusUrl: statusUrl(result.activeRunId),
        });
      }
      const url = statusUrl(result.run.id);
      return { status: 202, body: { run: result.run, statusUrl: url }, location: url };
    },
  }),
  defineRoute({
    name: 'previewExport',
    method: 'POST',
    path: 'exports/{id}/preview',
    tag,
    roles: ['admin', 'contributor'],
    summary: 'Dry run: what a run would send, without sending or recording anything',
    description:
      'Reads each segment\'s newest file and plans the run against the audience ledgers: counts of adds, removes, invalid, duplicate and over-limit rows, and the first 20 records as the destination would receive them. Nothing is written to the destination or a ledger.',
    params: idParamsSchema,
    body: runBodySchema,
    bodyOptional: true,
    responses: { 200: { description: 'The plan, per segment', schema: exportPreviewSchema } },
    handle: async ({ services, principal, params, body }) => {
      const exp = await getExport(services, principal, params.id);
      return { body: { exportId: exp.id, segments: await previewExport(services, exp, { full: body.full }) } };
    },
  }),
  defineRoute({
    name: 'listExportRuns',
    method: 'GET',
    path: 'exports/{id}/runs',
    tag,
    roles: ['admin', 'contributor'],
    summary: "List an export's runs, newest first",
    params: idParamsSchema,
    query: listQuerySchema,
    responses: { 200: { description: 'A page of runs', schema: pageSchema(runSchema) } },
    handle: async ({ services, principal, params, query }) => {
      await getExport(services, principal, params.id);
      return { body: await services.runs.listByExport(params.id, query) };
    },
  }),
  defineRoute({
    name: 'getRun',
    method: 'GET',
    path: 'runs/{id}',
    tag,
    roles: ['admin', 'contributor'],
    summary: 'Read a run: status, progress, counts per segment',
    params: idParamsSchema,
    responses: { 200: { description: 'The run', schema: runSchema } },
    handle: async ({ services, principal, params }) => ({ body: await visibleRun(services, principal, params.id) }),
  }),
  defineRoute({
    name: 'getRunRejectedRows',
    method: 'GET',
    path: 'runs/{id}/rejected',
    tag,
    roles: ['admin', 'contributor'],
    summary: 'The rejected-rows report of a run (CSV: segment, row, reason, value)',
    params: idParamsSchema,
    responses: {
      200: { description: 'Every row not delivered, with its reason', schema: z.string(), contentType: 'text/csv' },
    },
    handle: async ({ services, principal, params }) => {
      const run = await visibleRun(services, principal, params.id);
      const reports = await services.storage.ensureContainer(services.config.containers.reports);
      return {
        stream: { contentType: 'text/csv; charset=utf-8', body: streamReport(reports, run.id) },
        headers: { 'content-disposition': `attachment; filename="${run.id}-rejected.csv"` },
      };
    },
  }),
];

/** A run the caller may see: they must be allowed to see its export (a 404 otherwise, as for the export). */
async function visibleRun(services: Services, principal: Principal, runId: string) {
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

registerRoutes(runRoutes);

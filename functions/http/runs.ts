import * as df from 'durable-functions';
import { z } from 'zod';
import { listExportRuns, previewExportRun, rejectedRows, runExportNow, visibleRun } from '../../shared/api/runs.js';
import { idParamsSchema } from '../../shared/api/schemas.js';
import { runSchema } from '../../shared/domain/run.js';
import { listQuerySchema, pageSchema } from '../../shared/api/paging.js';
import { exportPreviewSchema } from '../../shared/domain/preview.js';
import { runStarter } from '../orchestrators/starter.js';
import { defineRoute, registerRoutes } from './route.js';

const tag = 'runs';
const runStartResponseSchema = z.object({
  run: runSchema,
  statusUrl: z.string().describe('GET it to follow the run.'),
});
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
      const started = await runExportNow(services, runStarter(df.getClient(context)), principal, params.id, { full: body.full });
      return { status: 202, body: started, location: started.statusUrl };
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
    handle: async ({ services, principal, params, body }) => ({ body: await previewExportRun(services, principal, params.id, { full: body.full }) }),
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
    handle: async ({ services, principal, params, query }) => ({ body: await listExportRuns(services, principal, params.id, query) }),
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
      const { run, csv } = await rejectedRows(services, principal, params.id);
      return {
        stream: { contentType: 'text/csv; charset=utf-8', body: csv },
        headers: { 'content-disposition': `attachment; filename="${run.id}-rejected.csv"` },
      };
    },
  }),
];

registerRoutes(runRoutes);

import { z } from 'zod';
import { exportHealth, exportHealthSchema } from '../../shared/api/dashboard.js';
import { audienceHistory, audienceInsightsSchema, exportAudienceInsights } from '../../shared/api/insights.js';
import { listQuerySchema, pageSchema } from '../../shared/api/paging.js';
import { entityIdSchema, idParamsSchema } from '../../shared/api/schemas.js';
import { segmentNameSchema } from '../../shared/domain/export.js';
import { audienceReadingSchema } from '../../shared/insights/model.js';
import { defineRoute, registerRoutes } from './route.js';

const tag = 'insights';
const segmentParamsSchema = z.object({
  id: entityIdSchema.describe('The export id.'),
  segment: segmentNameSchema.describe('A segment the export sends.'),
});

export const insightRoutes = [
  defineRoute({
    name: 'listExportAudiences',
    method: 'GET',
    path: 'exports/{id}/audiences',
    tag,
    roles: ['admin', 'contributor'],
    summary: "What the destination made of an export's audiences: per segment the latest reading",
    description:
      'Per segment: members the ledger tracks, the sizes the destination reports (its own fields), a match rate where both are known (an estimate where the service rounds or counts matched users only), the processing state, drift from the ledger, and the last run\'s adds and removes. Readings are taken at the end of each run and by a timer (every 4 hours in the two days after a run, daily after).',
    params: idParamsSchema,
    responses: { 200: { description: 'The latest reading per segment', schema: audienceInsightsSchema } },
    handle: async ({ services, principal, params }) => ({ body: await exportAudienceInsights(services, principal, params.id) }),
  }),
  defineRoute({
    name: 'listAudienceHistory',
    method: 'GET',
    path: 'exports/{id}/audiences/{segment}/history',
    tag,
    roles: ['admin', 'contributor'],
    summary: "An audience's readings over time, newest first",
    params: segmentParamsSchema,
    query: listQuerySchema,
    responses: { 200: { description: 'A page of readings', schema: pageSchema(audienceReadingSchema) } },
    handle: async ({ services, principal, params, query }) => ({ body: await audienceHistory(services, principal, params.id, params.segment, query) }),
  }),
  defineRoute({
    name: 'listExportHealth',
    method: 'GET',
    path: 'dashboard',
    tag,
    roles: ['admin', 'contributor'],
    summary: "Every export's health at a glance, a page at a time",
    description:
      'Per export the caller may see (contributors: those on connections open to contributors): the last run (status, when), the failure streak, the next scheduled run, and its audiences by the state of their latest reading (how many are still processing at the destination, out of step with the ledger, not read yet).',
    query: listQuerySchema,
    responses: { 200: { description: 'A page of exports with their health', schema: pageSchema(exportHealthSchema) } },
    handle: async ({ services, principal, query }) => ({ body: await exportHealth(services, principal, query) }),
  }),
];

registerRoutes(insightRoutes);

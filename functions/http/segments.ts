import { segmentResponseSchema } from '../../shared/api/schemas.js';
import { listSegments } from '../../shared/api/segments.js';
import { listQuerySchema, pageSchema } from '../../shared/api/paging.js';
import { defineRoute, registerRoutes } from './route.js';

export const segmentRoutes = [
  defineRoute({
    name: 'listSegments',
    method: 'GET',
    path: 'segments',
    tag: 'segments',
    roles: ['admin', 'contributor'],
    summary: 'List the segment catalog',
    description: 'Every segment a file has landed for: latest file, columns, row count, refreshed at.',
    query: listQuerySchema,
    responses: { 200: { description: 'A page of segments', schema: pageSchema(segmentResponseSchema) } },
    handle: async ({ services, principal, query }) => ({ body: await listSegments(services, principal, query) }),
  }),
];

registerRoutes(segmentRoutes);

import {
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  patchConnection,
  testConnection,
} from '../../shared/api/connections.js';
import {
  connectionResponseSchema,
  connectionTestResultSchema,
  createConnectionBodySchema,
  deleteConnectionQuerySchema,
  deleteConnectionResultSchema,
  idParamsSchema,
  patchConnectionBodySchema,
} from '../../shared/api/schemas.js';
import { listQuerySchema, pageSchema } from '../../shared/api/paging.js';
import { defineRoute, registerRoutes } from './route.js';

const tag = 'connections';

export const connectionRoutes = [
  defineRoute({
    name: 'listConnections',
    method: 'GET',
    path: 'connections',
    tag,
    roles: ['admin', 'contributor'],
    summary: 'List connections',
    description: 'Admins see every connection; contributors only those open to contributors.',
    query: listQuerySchema,
    responses: { 200: { description: 'A page of connections', schema: pageSchema(connectionResponseSchema) } },
    handle: async ({ services, principal, query }) => ({ body: await listConnections(services, principal, query) }),
  }),
  defineRoute({
    name: 'createConnection',
    method: 'POST',
    path: 'connections',
    tag,
    roles: ['admin'],
    summary: 'Create a connection',
    description:
      'Credentials are checked against the destination and stored in the secret store; responses show only `credentials: { set, updatedAt }`. `consent` must be `true`; the caller becomes the export user.',
    body: createConnectionBodySchema,
    responses: {
      201: { description: 'Created', schema: connectionResponseSchema, headers: ['ETag', 'Location'] },
      409: { description: 'A connection of this type already has that display name (problem+json).' },
    },
    handle: async ({ services, principal, body }) => {
      const created = await createConnection(services, principal, body);
      return { status: 201, body: created, etag: created.etag, location: `/api/connections/${created.id}` };
    },
  }),
  defineRoute({
    name: 'getConnection',
    method: 'GET',
    path: 'connections/{id}',
    tag,
    roles: ['admin', 'contributor'],
    summary: 'Read a connection',
    params: idParamsSchema,
    responses: { 200: { description: 'The connection', schema: connectionResponseSchema, headers: ['ETag'] } },
    handle: async ({ services, principal, params }) => {
      const found = await getConnection(services, principal, params.id);
      return { body: found, etag: found.etag };
    },
  }),
  defineRoute({
    name: 'patchConnection',
    method: 'PATCH',
    path: 'connections/{id}',
    tag,
    roles: ['admin'],
    summary: 'Change a connection',
    description: 'Rename, open or close to contributors, or replace the credentials (the caller becomes the export user).',
    params: idParamsSchema,
    body: patchConnectionBodySchema,
    minProperties: 1,
    ifMatch: true,
    responses: {
      200: { description: 'The changed connection', schema: connectionResponseSchema, headers: ['ETag'] },
      409: { description: 'The new display name is taken (problem+json).' },
    },
    handle: async ({ services, principal, params, body, ifMatch }) => {
      const saved = await patchConnection(services, principal, params.id, body, ifMatch);
      return { body: saved, etag: saved.etag };
    },
  }),
  defineRoute({
    name: 'deleteConnection',
    method: 'DELETE',
    path: 'connections/{id}',
    tag,
    roles: ['admin'],
    summary: 'Delete a connection and its secret',
    description:
      'Refused with 409 (listing `exports`) while exports use the connection, unless `force=true`: those exports are then disabled with `disabledReason: connection-removed`.',
    params: idParamsSchema,
    query: deleteConnectionQuerySchema,
    ifMatch: true,
    responses: {
      200: { description: 'Deleted; the exports that were disabled', schema: deleteConnectionResultSchema },
      409: { description: 'Exports use the connection (problem+json with `exports`).' },
    },
    handle: async ({ services, principal, params, query, ifMatch }) => ({
      body: await deleteConnection(services, principal, params.id, { force: query.force === 'true', ...(ifMatch ? { ifMatch } : {}) }),
    }),
  }),
  defineRoute({
    name: 'testConnection',
    method: 'POST',
    path: 'connections/{id}/test',
    tag,
    roles: ['admin'],
    summary: 'Test the stored credentials against the destination',
    description:
      'A cheap authenticated call. Refused credentials are a result: 200 `{ ok: false, reason: "auth-failed" | "terms-not-accepted", message }`. A destination that cannot be reached: 502 problem.',
    params: idParamsSchema,
    responses: {
      200: { description: '`ok: true`, or why the destination refused', schema: connectionTestResultSchema },
      502: { description: 'The destination failed or could not be reached (problem+json with `reason`).' },
    },
    // The destination client retries and honours Retry-After (up to two minutes a call).
    deadlineMs: 5 * 60_000,
    handle: async ({ services, principal, params }) => ({ body: await testConnection(services, principal, params.id) }),
  }),
];

registerRoutes(connectionRoutes);

import { createExport, deleteExport, getExport, listExports, patchExport } from '../../shared/api/exports.js';
import { deleteExportWebhooks } from '../../shared/api/notifications.js';
import {
  createExportBodySchema,
  exportListQuerySchema,
  exportResponseSchema,
  idParamsSchema,
  patchExportBodySchema,
} from '../../shared/api/schemas.js';
import { pageSchema } from '../../shared/api/paging.js';
import { deleteLedgers } from '../../shared/sync/ledger.js';
import { requestStore } from '../../shared/sync/requests/request-store.js';
import { insightStore } from '../../shared/insights/store.js';
import { defineRoute, registerRoutes } from './route.js';

const tag = 'exports';

export const exportRoutes = [
  defineRoute({
    name: 'listExports',
    method: 'GET',
    path: 'exports',
    tag,
    roles: ['admin', 'contributor'],
    summary: 'List exports',
    description: 'Admins see every export; contributors those on connections open to contributors.',
    query: exportListQuerySchema,
    responses: { 200: { description: 'A page of exports', schema: pageSchema(exportResponseSchema) } },
    handle: async ({ services, principal, query }) => ({ body: await listExports(services, principal, query) }),
  }),
  defineRoute({
    name: 'createExport',
    method: 'POST',
    path: 'exports',
    tag,
    roles: ['admin', 'contributor'],
    summary: 'Create an export',
    description:
      'Checked against the connection (exists, the caller may use it), the destination (settings, profile fields) and the segment catalog (mapped columns exist in the latest file, when known). Saving never runs the export.',
    body: createExportBodySchema,
    responses: { 201: { description: 'Created', schema: exportResponseSchema, headers: ['ETag', 'Location'] } },
    handle: async ({ services, principal, body }) => {
      const created = await createExport(services, principal, body);
      return { status: 201, body: created, etag: created.etag, location: `/api/exports/${created.id}` };
    },
  }),
  defineRoute({
    name: 'getExport',
    method: 'GET',
    path: 'exports/{id}',
    tag,
    roles: ['admin', 'contributor'],
    summary: 'Read an export',
    params: idParamsSchema,
    responses: { 200: { description: 'The export', schema: exportResponseSchema, headers: ['ETag'] } },
    handle: async ({ services, principal, params }) => {
      const found = await getExport(services, principal, params.id);
      return { body: found, etag: found.etag };
    },
  }),
  defineRoute({
    name: 'patchExport',
    method: 'PATCH',
    path: 'exports/{id}',
    tag,
    roles: ['admin', 'contributor'],
    summary: 'Change an export',
    description: 'The result is validated as a whole, as on creation. Setting `enabled` clears `disabledReason`.',
    params: idParamsSchema,
    body: patchExportBodySchema,
    minProperties: 1,
    ifMatch: true,
    responses: { 200: { description: 'The changed export', schema: exportResponseSchema, headers: ['ETag'] } },
    handle: async ({ services, principal, params, body, ifMatch }) => {
      const saved = await patchExport(services, principal, params.id, body, ifMatch);
      return { body: saved, etag: saved.etag };
    },
  }),
  defineRoute({
    name: 'deleteExport',
    method: 'DELETE',
    path: 'exports/{id}',
    tag,
    roles: ['admin', 'contributor'],
    summary: 'Delete an export, its run history, its webhooks and its membership ledgers',
    params: idParamsSchema,
    ifMatch: true,
    responses: { 204: { description: 'Deleted' } },
    handle: async ({ services, principal, params, ifMatch }) => {
      await deleteExport(services, principal, params.id, ifMatch);
      await deleteExportWebhooks(services, params.id);
      await deleteLedgers(await services.storage.ensureContainer(services.config.containers.ledgers), params.id);
      await insightStore(services.storage).purge(params.id);
      await requestStore(services.storage).deleteByExport(params.id);
      return { status: 204 };
    },
  }),
];

registerRoutes(exportRoutes);

import * as df from 'durable-functions';
import { z } from 'zod';
import { addSuppressions, addSuppressionsBodySchema, addSuppressionsResultSchema, deleteSuppression, listSuppressions, suppressionSchema } from '../../shared/api/suppressions.js';
import { requireRole } from '../../shared/api/access.js';
import { NotFoundError } from '../../shared/errors.js';
import { listQuerySchema, pageSchema } from '../../shared/api/paging.js';
import { requestErasure } from '../../shared/privacy/erasure.js';
import { erasureSchema } from '../../shared/privacy/erasure-store.js';
import { auditedOperations } from '../../shared/privacy/audit.js';
import { ERASURE_ORCHESTRATION } from '../orchestrators/names.js';
import { defineRoute, registerRoutes } from './route.js';

const tag = 'privacy';
const hashParamsSchema = z.object({ id: z.string().regex(/^[0-9a-f]{64}$/, 'a suppression id: 64 hex digits') });
const erasureParamsSchema = z.object({ id: z.string().uuid() });
const auditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.object({ userId: z.string(), userDetails: z.string() }),
  action: z.string().describe('e.g. `connection.created`, `export.changed`, `schedule.changed`, `erasure.requested`.'),
  entity: z.object({ type: z.string(), id: z.string() }),
  changes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional().describe('The fields set; secrets as `(set)`, never their values.'),
});
const entityTypes = [...new Set(Object.values(auditedOperations).map((o) => o.entity))] as [string, ...string[]];
const auditQuerySchema = listQuerySchema.extend({
  entity: z.enum(entityTypes).optional().describe('Only entries about this kind of entity.'),
  entityId: z.string().max(200).optional().describe('Only entries about this entity.'),
  user: z.string().max(256).optional().describe('Only entries by this user id.'),
});
const erasureBodySchema = z.object({ email: z.string().max(320).describe('The address to erase everywhere it was sent.') }).strict();

export const privacyRoutes = [
  defineRoute({
    name: 'listSuppressions',
    method: 'GET',
    path: 'suppressions',
    tag,
    roles: ['admin'],
    summary: 'The suppression list (hashes only)',
    query: listQuerySchema,
    responses: { 200: { description: 'A page of suppressions', schema: pageSchema(suppressionSchema) } },
    handle: async ({ services, principal, query }) => ({ body: await listSuppressions(services, principal, query) }),
  }),
  defineRoute({
    name: 'addSuppressions',
    method: 'POST',
    path: 'suppressions',
    tag,
    roles: ['admin'],
    summary: 'Suppress addresses: never sent again, and removed from audiences by the next run',
    description: 'Only the SHA-256 of each normalized address is kept. For large lists, drop a CSV at `segments/suppressions/<name>.csv`.',
    body: addSuppressionsBodySchema,
    responses: { 200: { description: 'What was added', schema: addSuppressionsResultSchema } },
    handle: async ({ services, principal, body }) => ({ body: await addSuppressions(services, principal, body.emails) }),
  }),
  defineRoute({
    name: 'deleteSuppression',
    method: 'DELETE',
    path: 'suppressions/{id}',
    tag,
    roles: ['admin'],
    summary: 'Take an address off the suppression list',
    params: hashParamsSchema,
    responses: { 204: { description: 'Removed' } },
    handle: async ({ services, principal, params }) => {
      await deleteSuppression(services, principal, params.id);
      return {};
    },
  }),
  defineRoute({
    name: 'requestErasure',
    method: 'POST',
    path: 'erasures',
    tag,
    roles: ['admin'],
    summary: 'Erase a person: out of every audience, ledger and report, now',
    description: 'Suppresses the address and starts its removal from every audience whose ledger holds it, without waiting for a run. Follow it at the status URL.',
    body: erasureBodySchema,
    extraInputs: [df.input.durableClient()],
    responses: { 202: { description: 'Erasure started', schema: erasureSchema, headers: ['Location'] } },
    handle: async ({ services, principal, body, context }) => {
      const erasure = await requestErasure(services, principal, body.email);
      await df.getClient(context).startNew(ERASURE_ORCHESTRATION, { instanceId: `erasure-${erasure.id}`, input: { erasureId: erasure.id } });
      return { status: 202, body: erasure, location: `/api/erasures/${erasure.id}` };
    },
  }),
  defineRoute({
    name: 'getErasure',
    method: 'GET',
    path: 'erasures/{id}',
    tag,
    roles: ['admin'],
    summary: 'An erasure and its outcome per destination',
    params: erasureParamsSchema,
    responses: { 200: { description: 'The erasure', schema: erasureSchema } },
    handle: async ({ services, principal, params }) => {
      requireRole(principal, ['admin']);
      const erasure = await services.erasures.find(params.id);
      if (!erasure) throw new NotFoundError('erasure', params.id);
      return { body: erasure };
    },
  }),
  defineRoute({
    name: 'listAudit',
    method: 'GET',
    path: 'audit',
    tag,
    roles: ['admin'],
    summary: 'The audit trail, newest first',
    description: 'Who created, changed, tested, ran or deleted a connection, export or webhook, changed the schedule, suppressed or erased, and when; never a secret value.',
    query: auditQuerySchema,
    responses: { 200: { description: 'A page of entries', schema: pageSchema(auditEntrySchema) } },
    handle: async ({ services, principal, query }) => {
      requireRole(principal, ['admin']);
      const { entity, entityId, user, ...page } = query;
      return {
        body: await services.audit.page(page, { ...(entity ? { entityType: entity } : {}), ...(entityId ? { entityId } : {}), ...(user ? { userId: user } : {}) }),
      };
    },
  }),
];

registerRoutes(privacyRoutes);

import { createWebhook, deleteWebhook, listWebhooks, patchWebhook, testWebhook } from '../../shared/api/notifications.js';
import { idParamsSchema } from '../../shared/api/schemas.js';
import {
  createWebhookBodySchema,
  patchWebhookBodySchema,
  webhookListSchema,
  webhookParamsSchema,
  webhookResponseSchema,
  webhookTestResultSchema,
} from '../../shared/notifications/schemas.js';
import { defineRoute, registerRoutes } from './route.js';

const tag = 'notifications';

export const notificationRoutes = [
  defineRoute({
    name: 'listWebhooks',
    method: 'GET',
    path: 'exports/{id}/webhooks',
    tag,
    roles: ['admin', 'contributor'],
    summary: "An export's run notification webhooks",
    description: 'URLs and signing keys are write-only: a webhook shows only that they are set.',
    params: idParamsSchema,
    responses: { 200: { description: 'The webhooks', schema: webhookListSchema } },
    handle: async ({ services, principal, params }) => ({ body: await listWebhooks(services, principal, params.id) }),
  }),
  defineRoute({
    name: 'createWebhook',
    method: 'POST',
    path: 'exports/{id}/webhooks',
    tag,
    roles: ['admin', 'contributor'],
    summary: 'Add a run notification webhook',
    description:
      'Runs of the export that end with one of `outcomes` are posted to the URL: a Teams Adaptive Card, a Slack message, or JSON signed with HMAC-SHA256 (`X-Segment-Export-Signature: sha256=<hex of HMAC(key, "<X-Segment-Export-Timestamp>.<body>")>`). Failed deliveries are retried with backoff; they never change the run. URL and key go to the secret store; PATCH replaces them.',
    params: idParamsSchema,
    body: createWebhookBodySchema,
    responses: { 201: { description: 'Created', schema: webhookResponseSchema, headers: ['Location'] } },
    handle: async ({ services, principal, params, body }) => {
      const created = await createWebhook(services, principal, params.id, body);
      return { status: 201, body: created, location: `/api/exports/${params.id}/webhooks/${created.id}` };
    },
  }),
  defineRoute({
    name: 'patchWebhook',
    method: 'PATCH',
    path: 'exports/{id}/webhooks/{webhookId}',
    tag,
    roles: ['admin', 'contributor'],
    summary: 'Change a webhook',
    description: 'Name and outcomes; a new `url` or `signingKey` replaces the stored one (write-only). The format stays: add another webhook for another format.',
    params: webhookParamsSchema,
    body: patchWebhookBodySchema,
    responses: { 200: { description: 'The changed webhook', schema: webhookResponseSchema } },
    handle: async ({ services, principal, params, body }) => ({ body: await patchWebhook(services, principal, params.id, params.webhookId, body) }),
  }),
  defineRoute({
    name: 'deleteWebhook',
    method: 'DELETE',
    path: 'exports/{id}/webhooks/{webhookId}',
    tag,
    roles: ['admin', 'contributor'],
    summary: 'Remove a webhook and its secrets',
    params: webhookParamsSchema,
    responses: { 204: { description: 'Deleted' } },
    handle: async ({ services, principal, params }) => {
      await deleteWebhook(services, principal, params.id, params.webhookId);
      return { status: 204 };
    },
  }),
  defineRoute({
    name: 'testWebhook',
    method: 'POST',
    path: 'exports/{id}/webhooks/{webhookId}/test',
    tag,
    roles: ['admin', 'contributor'],
    summary: 'Send a sample notification',
    description: 'Posts a sample notice (a failed test run, marked `test`) as a real run would, and reports how the receiver answered.',
    params: webhookParamsSchema,
    responses: { 200: { description: 'How the delivery went', schema: webhookTestResultSchema } },
    handle: async ({ services, principal, params }) => ({ body: await testWebhook(services, principal, params.id, params.webhookId) }),
  }),
];

registerRoutes(notificationRoutes);

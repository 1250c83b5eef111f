import { randomUUID } from 'node:crypto';
import type { Principal } from '../domain/principal.js';
import type { Run } from '../domain/run.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { webhookSecretName, webhookSecretSchema, type Webhook } from '../notifications/model.js';
import { runNotice, sendToWebhook, webhookStore, type NotificationDeps } from '../notifications/notify.js';
import type { CreateWebhookBody, PatchWebhookBody, WebhookView } from '../notifications/schemas.js';
import type { Services } from '../services.js';
import { userRef } from './access.js';
import { getExport } from './exports.js';

type Deps = Pick<Services, 'exports' | 'connections' | 'secrets' | 'segments' | 'schedule' | 'runs' | 'destinationClient' | 'storage' | 'config'>;

/** A few per export is plenty; the cap keeps a run's fan-out of notifications small. */
export const MAX_WEBHOOKS_PER_EXPORT = 10;

function view(webhook: Webhook, hasKey: boolean): WebhookView {
  return {
    id: webhook.id,
    exportId: webhook.exportId,
    name: webhook.name,
    format: webhook.format,
    outcomes: webhook.outcomes,
    url: { set: true, updatedAt: webhook.secretUpdatedAt },
    signingKey: { set: hasKey },
    createdBy: webhook.createdBy,
    createdAt: webhook.createdAt,
  };
}

export async function listWebhooks(services: Deps, principal: Principal, exportId: string): Promise<{ items: WebhookView[] }> {
  await getExport(services, principal, exportId);
  const items = await webhookStore(services.storage).list(exportId);
  return { items: items.map((w) => view(w, w.format === 'json')) };
}

/** Stores the URL and key in the secret store first, so a webhook row never exists without them. */
export async function createWebhook(services: Deps, principal: Principal, exportId: string, body: CreateWebhookBody, now = new Date()): Promise<WebhookView> {
  await getExport(services, principal, exportId);
  const store = webhookStore(services.storage);
  if ((await store.list(exportId)).length >= MAX_WEBHOOKS_PER_EXPORT) {
    throw new ConflictError(`export ${exportId} already has ${MAX_WEBHOOKS_PER_EXPORT} webhooks`);
  }
  const at = now.toISOString();
  const webhook: Webhook = {
    id: randomUUID(),
    exportId,
    name: body.name,
    format: body.format,
    outcomes: body.outcomes,
    createdBy: userRef(principal),
    createdAt: at,
    secretUpdatedAt: at,
  };
  const secretName = webhookSecretName(webhook.id);
  await services.secrets.set(secretName, JSON.stringify({ url: body.url, ...(body.signingKey ? { signingKey: body.signingKey } : {}) }));
  try {
    await store.create(webhook);
  } catch (error) {
    await services.secrets.delete(secretName).catch(() => undefined);
    throw error;
  }
  return view(webhook, Boolean(body.signingKey));
}

async function load(services: Deps, principal: Principal, exportId: string, webhookId: string): Promise<Webhook> {
  await getExport(services, principal, exportId);
  const webhook = await webhookStore(services.storage).find(exportId, webhookId);
  if (!webhook) throw new NotFoundError('webhook', webhookId);
  return webhook;
}

/** Changes name or outcomes, or replaces the URL or signing key (new secret values, never shown). */
export async function patchWebhook(
  services: Deps,
  principal: Principal,
  exportId: string,
  webhookId: string,
  body: PatchWebhookBody,
  now = new Date(),
): Promise<WebhookView> {
  const current = await load(services, principal, exportId, webhookId);
  if (body.signingKey && current.format !== 'json') throw ValidationError.field('signingKey', 'only the json format is signed');
  const next: Webhook = { ...current, ...(body.name ? { name: body.name } : {}), ...(body.outcomes ? { outcomes: body.outcomes } : {}) };
  if (body.url || body.signingKey) {
    const secretName = webhookSecretName(webhookId);
    const stored = await services.secrets.get(secretName);
    const secret = stored ? webhookSecretSchema.parse(JSON.parse(stored)) : undefined;
    const url = body.url ?? secret?.url;
    if (!url) throw ValidationError.field('url', 'the webhook has no stored URL: send one');
    const signingKey = body.signingKey ?? secret?.signingKey;
    await services.secrets.set(secretName, JSON.stringify({ url, ...(signingKey ? { signingKey } : {}) }));
    next.secretUpdatedAt = now.toISOString();
  }
  await webhookStore(services.storage).replace(next);
  return view(next, next.format === 'json');
}

export async function deleteWebhook(services: Deps, principal: Principal, exportId: string, webhookId: string): Promise<void> {
  await load(services, principal, exportId, webhookId);
  await webhookStore(services.storage).delete(exportId, webhookId);
  await services.secrets.delete(webhookSecretName(webhookId));
}

/** Removes every webhook of a deleted export, secrets included (no access check: the export is gone). */
export async function deleteExportWebhooks(services: Pick<NotificationDeps, 'storage' | 'secrets'>, exportId: string): Promise<void> {
  const store = webhookStore(services.storage);
  for (const webhook of await store.list(exportId)) {
    await store.delete(exportId, webhook.id);
    await services.secrets.delete(webhookSecretName(webhook.id));
  }
}

/** Sends a sample notice (a failed run that never happened) and says how the receiver answered. */
export async function testWebhook(services: Deps, principal: Principal, exportId: string, webhookId: string, now = new Date()) {
  const exp = await getExport(services, principal, exportId);
  const webhook = await load(services, principal, exportId, webhookId);
  const sample: Run = {
    id: 'sample-run',
    exportId,
    destinationType: exp.destinationType,
    trigger: 'on-demand',
    status: 'failed',
    reason: 'this is a test notification',
    segments: exp.segments.map((segment) => ({
      segment,
      read: 0,
      valid: 0,
      invalid: 0,
      duplicate: 0,
      suppressed: 0,
      unchanged: 0,
      skipped: 0,
      sent: 0,
      accepted: 0,
      rejected: 0,
      status: 'failed' as const,
      reason: 'sample',
    })),
    startedAt: now.toISOString(),
    finishedAt: now.toISOString(),
    durationMs: 0,
  };
  const result = await sendToWebhook(services, webhook, runNotice(sample, exp.name, services.config, 'test'), { attempts: 2, initialDelayMs: 500 });
  return { delivered: result.ok, attempts: result.attempts, ...(result.status !== undefined ? { status: result.status } : {}), ...(result.error ? { error: result.error } : {}) };
}

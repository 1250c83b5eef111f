import type { Run } from '../domain/run.js';
import type { SecretStore } from '../secrets/types.js';
import type { StorageClients } from '../storage/clients.js';
import { deliverWebhook, type DeliveryOptions, type DeliveryResult } from './deliver.js';
import { webhookSecretName, webhookSecretSchema, type NotifyOutcome, type RunNotice, type Webhook } from './model.js';
import { webhookMessage, type WebhookMessage } from './payloads.js';
import { WebhookStore } from './store.js';

export interface NotificationDeps {
  storage: StorageClients;
  secrets: SecretStore;
  config: { appBaseUrl?: string | undefined };
}

export interface WebhookOutcome extends DeliveryResult {
  webhookId: string;
  format: Webhook['format'];
}

const stores = new WeakMap<StorageClients, WebhookStore>();
export function webhookStore(storage: StorageClients): WebhookStore {
  let store = stores.get(storage);
  if (!store) stores.set(storage, (store = new WebhookStore(storage)));
  return store;
}

export function runLink(config: NotificationDeps['config'], runId: string): string {
  const path = `/api/runs/${encodeURIComponent(runId)}`;
  return config.appBaseUrl ? new URL(path, config.appBaseUrl).toString() : path;
}

/** The notice for a finished run: totals over its segments, and the segments that need a look. */
export function runNotice(run: Run, exportName: string, config: NotificationDeps['config'], kind: RunNotice['kind'] = 'run.finished'): RunNotice {
  const sum = (key: 'read' | 'sent' | 'accepted' | 'rejected' | 'invalid' | 'duplicate' | 'skipped') =>
    run.segments.reduce((total, s) => total + s[key], 0);
  return {
    kind,
    exportId: run.exportId,
    exportName,
    destinationType: run.destinationType,
    runId: run.id,
    trigger: run.trigger,
    status: run.status,
    ...(run.reason ? { reason: run.reason } : {}),
    startedAt: run.startedAt,
    ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    ...(run.durationMs !== undefined ? { durationMs: run.durationMs } : {}),
    totals: {
      read: sum('read'),
      sent: sum('sent'),
      accepted: sum('accepted'),
      rejected: sum('rejected'),
      invalid: sum('invalid'),
      duplicate: sum('duplicate'),
      skipped: sum('skipped'),
    },
    segments: run.segments.map((s) => ({ segment: s.segment, status: s.status, ...(s.reason ? { reason: s.reason } : {}), sent: s.sent, rejected: s.rejected })),
    runUrl: runLink(config, run.id),
  };
}

/** Sends one notice to one webhook (its URL and key read from the secret store). */
export function sendToWebhook(deps: NotificationDeps, webhook: Webhook, notice: RunNotice, options?: DeliveryOptions): Promise<WebhookOutcome> {
  return sendMessage(deps, webhook, (signingKey) => webhookMessage(webhook.format, notice, signingKey), options);
}

/** Sends the message `build` makes (in the webhook's format, signed with its key) to one webhook. */
export async function sendMessage(
  deps: NotificationDeps,
  webhook: Webhook,
  build: (signingKey: string | undefined) => WebhookMessage,
  options?: DeliveryOptions,
): Promise<WebhookOutcome> {
  const stored = await deps.secrets.get(webhookSecretName(webhook.id));
  if (!stored) return { webhookId: webhook.id, format: webhook.format, ok: false, attempts: 0, error: 'the webhook has no stored URL' };
  const secret = webhookSecretSchema.parse(JSON.parse(stored));
  const result = await deliverWebhook(secret.url, build(secret.signingKey), options);
  return { webhookId: webhook.id, format: webhook.format, ...result };
}

const NOTIFIED: ReadonlySet<string> = new Set<NotifyOutcome>(['failed', 'partially-succeeded', 'succeeded']);

/**
 * Notifies every webhook of the run's export that asked for the run's outcome, in parallel.
 * Never throws: a failure is returned (and logged by the caller), the run record stands.
 */
export async function notifyRunFinished(
  deps: NotificationDeps,
  run: Run,
  exportName: string,
  options?: DeliveryOptions,
): Promise<WebhookOutcome[]> {
  if (!NOTIFIED.has(run.status)) return [];
  let webhooks: Webhook[];
  try {
    webhooks = (await webhookStore(deps.storage).list(run.exportId)).filter((w) => w.outcomes.includes(run.status as NotifyOutcome));
  } catch (error) {
    return [{ webhookId: '*', format: 'json', ok: false, attempts: 0, error: `listing the webhooks failed: ${(error as Error).message}` }];
  }
  const notice = runNotice(run, exportName, deps.config);
  return Promise.all(
    webhooks.map((webhook) =>
      sendToWebhook(deps, webhook, notice, options).catch(
        (error: unknown): WebhookOutcome => ({ webhookId: webhook.id, format: webhook.format, ok: false, attempts: 0, error: (error as Error).message }),
      ),
    ),
  );
}

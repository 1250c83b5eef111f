import { z } from 'zod';

/** Run outcomes a webhook can ask to hear about. */
export const notifyOutcomes = ['failed', 'partially-succeeded', 'succeeded'] as const;
export type NotifyOutcome = (typeof notifyOutcomes)[number];

/**
 * How a webhook wants its message: a Microsoft Teams workflow ("Post to a channel when a
 * webhook request is received", an Adaptive Card), a Slack incoming webhook (Block Kit), or
 * plain JSON signed with HMAC-SHA256 for anything else.
 */
export const webhookFormats = ['teams', 'slack', 'json'] as const;
export type WebhookFormat = (typeof webhookFormats)[number];

/** A webhook of one export as stored (its URL and signing key are in the secret store). */
export const webhookSchema = z.object({
  id: z.string(),
  exportId: z.string(),
  name: z.string(),
  format: z.enum(webhookFormats),
  outcomes: z.array(z.enum(notifyOutcomes)).min(1),
  createdBy: z.object({ userId: z.string(), userDetails: z.string() }),
  createdAt: z.string(),
  /** When the URL (and signing key) were last written. */
  secretUpdatedAt: z.string(),
});
export type Webhook = z.infer<typeof webhookSchema>;

/** What the secret store holds for a webhook: both are secrets, never returned or logged. */
export const webhookSecretSchema = z.object({ url: z.string().url(), signingKey: z.string().optional() });
export type WebhookSecret = z.infer<typeof webhookSecretSchema>;

/** Key Vault names allow letters, digits and dashes. */
export const webhookSecretName = (webhookId: string): string => `webhook-${webhookId}`;

/** What a notification says about a run: small, no member data, nothing secret. */
export interface RunNotice {
  kind: 'run.finished' | 'test';
  exportId: string;
  exportName: string;
  destinationType: string;
  runId: string;
  trigger: string;
  status: string;
  reason?: string;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  totals: { read: number; sent: number; accepted: number; rejected: number; invalid: number; duplicate: number; skipped: number };
  segments: { segment: string; status: string; reason?: string; sent: number; rejected: number }[];
  /** Link to the run in the API (absolute when the app knows its public URL). */
  runUrl: string;
}

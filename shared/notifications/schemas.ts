import { z } from 'zod';
import { entityIdSchema } from '../api/schemas.js';
import { notifyOutcomes, webhookFormats } from './model.js';

/** Loopback receivers (the local webhook sink) may use http; everything else must be https. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

const webhookUrlSchema = z
  .string()
  .max(2048)
  .url()
  .refine((value) => {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  }, 'must be an https URL')
  .describe('Write-only: the webhook URL (it embeds the receiver\'s credential). Teams: the workflow\'s "When a Teams webhook request is received" URL; Slack: the incoming webhook URL.');

export const createWebhookBodySchema = z
  .object({
    name: z.string().trim().min(1).max(100).describe('What the webhook is, for people (e.g. `#data-alerts`).'),
    format: z.enum(webhookFormats).describe('`teams` (Adaptive Card for a Teams workflow), `slack` (incoming webhook), `json` (signed JSON).'),
    outcomes: z
      .array(z.enum(notifyOutcomes))
      .min(1)
      .max(notifyOutcomes.length)
      .refine((list) => new Set(list).size === list.length, 'each outcome once')
      .describe('The run outcomes to notify.'),
    url: webhookUrlSchema,
    signingKey: z
      .string()
      .min(32)
      .max(256)
      .optional()
      .describe('Write-only, `json` only (and required there): the HMAC-SHA256 key that signs each message (`X-Segment-Export-Signature`).'),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.format === 'json' && !body.signingKey) ctx.addIssue({ code: 'custom', path: ['signingKey'], message: 'required for the json format' });
    if (body.format !== 'json' && body.signingKey) ctx.addIssue({ code: 'custom', path: ['signingKey'], message: 'only the json format is signed' });
  });
export type CreateWebhookBody = z.output<typeof createWebhookBodySchema>;

export const patchWebhookBodySchema = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    outcomes: z
      .array(z.enum(notifyOutcomes))
      .min(1)
      .max(notifyOutcomes.length)
      .refine((list) => new Set(list).size === list.length, 'each outcome once')
      .optional(),
    url: webhookUrlSchema.optional().describe('Write-only: replaces the stored URL (the signing key stays unless given too).'),
    signingKey: z.string().min(32).max(256).optional().describe('Write-only, `json` only: replaces the signing key.'),
  })
  .strict()
  .refine((body) => Object.values(body).some((v) => v !== undefined), 'change at least one field');
export type PatchWebhookBody = z.output<typeof patchWebhookBodySchema>;

export const webhookParamsSchema = z.object({
  id: entityIdSchema.describe('The export id.'),
  webhookId: entityIdSchema.describe('The webhook id.'),
});

export const webhookResponseSchema = z.object({
  id: z.string(),
  exportId: z.string(),
  name: z.string(),
  format: z.enum(webhookFormats),
  outcomes: z.array(z.enum(notifyOutcomes)),
  url: z.object({ set: z.literal(true), updatedAt: z.string() }).describe('The URL is write-only: only that it is set, and when.'),
  signingKey: z.object({ set: z.boolean() }),
  createdBy: z.object({ userId: z.string(), userDetails: z.string() }),
  createdAt: z.string(),
});
export type WebhookView = z.infer<typeof webhookResponseSchema>;

export const webhookListSchema = z.object({ items: z.array(webhookResponseSchema) });

export const webhookTestResultSchema = z.object({
  delivered: z.boolean(),
  attempts: z.number().int(),
  status: z.number().int().optional().describe("The receiver's last HTTP status."),
  error: z.string().optional(),
});

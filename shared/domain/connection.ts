import { z } from 'zod';
import { destinationTypes } from '../destinations/registry.js';

export const destinationTypeSchema = z.enum(destinationTypes);

const userRef = z.object({ userId: z.string(), userDetails: z.string() });

/** A connection as the API returns it: credentials are write-only and show only whether they are set. */
export const connectionSchema = z.object({
  id: z.string(),
  type: destinationTypeSchema,
  displayName: z.string().min(1).max(100),
  allowContributors: z.boolean(),
  consent: z.object({ accepted: z.literal(true), acceptedBy: userRef, acceptedAt: z.string() }),
  exportUser: userRef,
  credentials: z.object({ set: z.boolean(), updatedAt: z.string().optional() }),
  /** The outcome of the latest POST /connections/{id}/test, so everyone sees whether the credentials still work. */
  lastTest: z.object({ ok: z.boolean(), reason: z.string().optional(), at: z.string(), by: userRef }).optional(),
  createdBy: userRef,
  createdAt: z.string(),
  updatedAt: z.string(),
  etag: z.string().optional(),
});
export type Connection = z.infer<typeof connectionSchema>;
export type UserRef = z.infer<typeof userRef>;

import { z } from 'zod';
import { destinationTypeSchema, type UserRef } from './connection.js';

export const segmentNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'letters, digits, space, dot, dash and underscore; starting with a letter or digit')
  // The folder where suppression lists are dropped is not a segment.
  .refine((name) => name !== 'suppressions', 'reserved: files under segments/suppressions/ are suppression lists');

export const dataMatchingSchema = z
  .object({
    email: z.string().min(1).max(256).describe('Column of the segment file that holds the email address.'),
    firstName: z.string().min(1).max(256).optional(),
    lastName: z.string().min(1).max(256).optional(),
  })
  .strict();

export const exportSchema = z.object({
  id: z.string(),
  name: z.string().min(1).max(100),
  connectionId: z.string(),
  destinationType: destinationTypeSchema,
  segments: z.array(segmentNameSchema).min(1).max(50),
  dataMatching: dataMatchingSchema,
  /** Destination settings, validated against the destination's own schema. */
  settings: z.record(z.string(), z.string()),
  enabled: z.boolean(),
  /** Why the export is disabled when the app disabled it (e.g. `connection-removed`). */
  disabledReason: z.string().optional(),
  runOnSegmentRefresh: z.boolean(),
  schedule: z.enum(['inherit', 'none']),
  /** Send the first N rows of an over-limit segment instead of failing it. */
  truncate: z.boolean(),
  /** `mirror`: audiences follow the segment, leavers are removed; `add-only`: members are only added. Exports saved before it existed mirror. */
  syncMode: z.enum(['mirror', 'add-only']).default('mirror'),
  createdBy: z.object({ userId: z.string(), userDetails: z.string() }),
  createdAt: z.string(),
  updatedAt: z.string(),
  etag: z.string().optional(),
});
export type Export = z.infer<typeof exportSchema>;
export type DataMatching = z.infer<typeof dataMatchingSchema>;
export type { UserRef };

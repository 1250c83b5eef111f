import { z } from 'zod';
import type { DestinationLimits } from '../types.js';

/** AdRoll and RollWorks run on the same NextRoll platform: one definition, two brands. */
export const nextRollCredentials = z
  .object({
    refreshToken: z.string().min(1).max(4096).optional().describe('OAuth 2.0 refresh token (single-use; rotated on every refresh).'),
    personalAccessToken: z.string().min(1).max(4096).optional().describe('Personal access token, instead of OAuth.'),
  })
  .strict()
  .refine((c) => Boolean(c.refreshToken) !== Boolean(c.personalAccessToken), {
    message: 'give exactly one of refreshToken or personalAccessToken',
    path: ['refreshToken'],
  });

export const nextRollSettings = z
  .object({
    advertiserId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'an advertiser (advertisable) id: letters, digits, - and _')
      .describe('Advertiser (advertisable) id that owns the audiences.'),
    segmentUpdates: z
      .enum(['append', 'replace'])
      .optional()
      .describe(
        'What POST /audience/v1/segments/{id} does on this account: `append` (the API reference) adds members, `replace` (as some integrations use it) swaps the membership. Default append.',
      ),
  })
  .strict();

/**
 * One request carries a whole segment (up to the 250,000-member ceiling), so:
 * - under replace semantics, the update that replaces the membership holds all of it;
 * - the default quota is 100 requests per service per day: a 250,000 export costs 2-3 calls;
 * - creation needs the members in the creation call (>= 100), and the first work file is the
 *   whole segment, so a new segment is created complete in one call.
 * batchSize = recordsPerWorkFile = maxPerSegment.
 */
export const nextRollLimits: DestinationLimits = {
  minPerSegment: 100,
  maxPerSegment: 250_000,
  batchSize: 250_000,
  recordsPerWorkFile: 250_000,
};

/**
 * NextRoll publishes a daily quota (100 requests per service per day by default) and no
 * per-second rate. Two a second is a polite ceiling that never matters with whole-segment
 * requests.
 */
export const nextRollRequestsPerSecond = 2;

/** CRM segment membership duration in days (the API allows 1 to 540). */
export const crmSegmentDurationDays = 540;

/** The API refuses to create a CRM segment with fewer unique emails. */
export const crmSegmentMinimumEmails = 100;

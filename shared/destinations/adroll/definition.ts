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
  })
  .strict();

export const nextRollLimits: DestinationLimits = {
  minPerSegment: 100,
  maxPerSegment: 250_000,
  batchSize: 10_000,
  recordsPerWorkFile: 50_000,
};

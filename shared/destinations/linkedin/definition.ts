import { z } from 'zod';
import type { DestinationLimits } from '../types.js';

export const linkedinCredentials = z
  .object({
    refreshToken: z
      .string()
      .min(1)
      .max(8192)
      .describe("OAuth 2.0 refresh token with the rw_dmp_segments permission, granted to the app's LinkedIn app (LINKEDIN_CLIENT_ID)."),
  })
  .strict();

/**
 * The `LinkedIn-Version` the connector sends when the export names none. LinkedIn sunsets a
 * version about a year after its release (the team's contract), so this default is ours to
 * keep current.
 */
export const defaultLinkedinVersion = '202608';

export const linkedinSettings = z
  .object({
    adAccountId: z
      .string()
      .regex(/^[0-9]{1,20}$/, 'ad account id: the digits of the sponsored ad account')
      .describe('Sponsored ad account id (Campaign Manager shows it beside the account name), the digits only.'),
    linkedinVersion: z
      .string()
      .regex(/^20[0-9]{2}(0[1-9]|1[0-2])$/, 'LinkedIn-Version: YYYYMM, e.g. 202608')
      .optional()
      .describe(`LinkedIn-Version header, YYYYMM (default ${defaultLinkedinVersion}); LinkedIn retires a version about a year after its release.`),
  })
  .strict();

/**
 * LinkedIn documents no ceiling on the elements of one `BATCH_CREATE` of users (the team's
 * contract: connectors send a few thousand); 5,000 is ours, and the simulator holds the
 * connector to it. At 10 requests a second 500,000 members are 100 requests. Ten batches a
 * work file.
 */
export const linkedinLimits: DestinationLimits = {
  batchSize: 5_000,
  recordsPerWorkFile: 50_000,
};

/**
 * 600 requests a minute per member (the token's LinkedIn member) on `/users`: 10 a second.
 * The client keeps one limiter per connection at that rate, for reads and writes together.
 */
export const linkedinRequestsPerSecond = 10;

/** LinkedIn serves (and targets) a matched audience only from this many matched members. */
export const linkedinServesFrom = 300;

export const linkedinScope = 'rw_dmp_segments';

import { z } from 'zod';
import type { DestinationLimits } from '../types.js';

export const metaCredentials = z
  .object({
    accessToken: z
      .string()
      .min(1)
      .max(4096)
      .describe('System-user access token of the business that owns the ad account, with the ads_management permission.'),
  })
  .strict();

/**
 * The Graph API version the connector calls when the export names none. Meta retires a
 * version about two years after its release; the team's contract names the base URL as
 * `graph.facebook.com/vNN` without a version, so this default is ours to keep current.
 */
export const defaultGraphApiVersion = 'v22.0';

export const customerFileSources = ['USER_PROVIDED_ONLY', 'PARTNER_PROVIDED_ONLY', 'BOTH_USER_AND_PARTNER_PROVIDED'] as const;

export const metaSettings = z
  .object({
    adAccountId: z
      .string()
      .regex(/^act_[0-9]{1,20}$/, 'ad account id: act_ followed by digits')
      .describe('Ad account id as `act_<id>` (Business Settings → Ad accounts shows the digits).'),
    customerFileSource: z
      .enum(customerFileSources)
      .describe(
        "Where the customer list came from (Meta's customer_file_source): USER_PROVIDED_ONLY (from your customers), PARTNER_PROVIDED_ONLY (from partners) or BOTH_USER_AND_PARTNER_PROVIDED.",
      ),
    graphApiVersion: z
      .string()
      .regex(/^v[0-9]{1,3}\.[0-9]$/, 'Graph API version: v<major>.<minor>, e.g. v22.0')
      .optional()
      .describe(`Graph API version to call (default ${defaultGraphApiVersion}).`),
  })
  .strict();

/**
 * `POST/DELETE /{audience_id}/users` take at most 10,000 rows. The service publishes no byte
 * limit; RudderStack's connector keeps each payload under about 60 KB after trial and error,
 * so a batch of 10,000 rows goes as as many requests as keep each body under that (about 900
 * rows of one hashed key, 130 rows of all seven). Five batches a work file.
 */
export const metaLimits: DestinationLimits = {
  batchSize: 10_000,
  recordsPerWorkFile: 50_000,
};

/** The JSON body of one members request stays under this (see `metaLimits`). */
export const metaMaxPayloadBytes = 60_000;

/**
 * Meta publishes no per-second rate for the Marketing API: its limits are scores per ad
 * account and business (errors 17, 613, 80004; the X-Business-Use-Case-Usage header). Five
 * requests a second is modest and moves 500,000 hashed emails (about 560 requests) in under
 * 2 minutes.
 */
export const metaRequestsPerSecond = 5;

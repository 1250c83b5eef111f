import { z } from 'zod';
import type { DestinationLimits } from '../types.js';

/**
 * A Google Ads customer id as the UI shows it (`123-456-7890`) or as digits. The schema takes
 * any short text and the client checks the digits when it first needs them
 * (`customerIdDigits`): a connection's credentials are one secret, and a typo in the id
 * must read as that, not as an unreadable secret.
 */
const accountId = (what: string) => z.string().trim().min(1).max(32).describe(what);

export const googleAdsCredentials = z
  .object({
    refreshToken: z
      .string()
      .min(1)
      .max(8192)
      .describe('OAuth 2.0 refresh token for scope https://www.googleapis.com/auth/datamanager, granted to the app\'s OAuth client (GOOGLE_ADS_CLIENT_ID).'),
    customerId: accountId(
      'Google Ads customer id of the account that owns the audiences (the operating account): 10 digits, shown as 123-456-7890 at the top of the Google Ads UI.',
    ),
    loginCustomerId: accountId(
      'Optional: the manager account id through which the refresh token\'s user reaches the customer (sent as the request\'s loginAccount).',
    ).optional(),
  })
  .strict();

const consent = (what: string) =>
  z
    .enum(['granted', 'denied'])
    .describe(`${what} consent (EU user consent policy), sent with every member. "denied" keeps members out of EU targeting.`);

export const maxMembershipDays = 540;

export const googleAdsSettings = z
  .object({
    adUserData: consent('Ad user data'),
    adPersonalization: consent('Ad personalization'),
    membershipDurationDays: z
      .string()
      .regex(/^[0-9]{1,3}$/, 'membership duration: whole days')
      .refine((days) => Number(days) >= 1 && Number(days) <= maxMembershipDays, `membership duration: 1 to ${maxMembershipDays} days`)
      .optional()
      .describe(`Days a member stays on the list after the last upload (1 to ${maxMembershipDays}, default ${maxMembershipDays}); set when the list is created.`),
  })
  .strict();

/** Per request: 10,000 members of at most 10 identifiers each (Data Manager API limits). */
export const googleAdsMaxIdentifiersPerMember = 10;
export const googleAdsLimits: DestinationLimits = {
  batchSize: 10_000,
  recordsPerWorkFile: 50_000,
};

/**
 * 300 requests a minute per Cloud project: one limiter for every connection of the app's
 * OAuth client (its project), at 5 a second.
 */
export const googleAdsRequestsPerSecond = 5;

export const datamanagerScope = 'https://www.googleapis.com/auth/datamanager';

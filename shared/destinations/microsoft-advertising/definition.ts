import { z } from 'zod';
import type { DestinationLimits } from '../types.js';

export const microsoftAdvertisingCredentials = z
  .object({
    refreshToken: z.string().min(1).max(8192).describe('OAuth 2.0 refresh token for scope msads.manage offline_access.'),
  })
  .strict();

const numericId = (what: string) =>
  z.string().regex(/^[0-9]{1,20}$/, `${what}: digits only`);

export const microsoftAdvertisingSettings = z
  .object({
    customerId: numericId('customer id (cid)').describe('Customer id (cid), sent as the CustomerId header. In the Microsoft Advertising web UI it is the `cid=` value in the address bar.'),
    accountId: numericId('account id (aid)').describe('Ad account id (aid), sent as CustomerAccountId and the audience ParentId. In the web UI it is the `aid=` value in the address bar.'),
    acceptCustomerMatchTerms: z
      .enum(['true', 'false'])
      .optional()
      .describe(
        'Accept the Customer Match terms with each upload (AcceptCustomerMatchTerm). Unset: the terms must already be accepted in the Microsoft Advertising UI.',
      ),
  })
  .strict();

/**
 * ApplyCustomerListUserData takes at most 1,000 CustomerListItems a call. A work file of
 * 10 batches keeps one activity around 2 s of calls at the rate below.
 */
export const microsoftAdvertisingLimits: DestinationLimits = {
  maxPerSegment: 500_000,
  batchSize: 1_000,
  recordsPerWorkFile: 10_000,
};

/**
 * Campaign Management throttles per customer in a sliding 60 s window (error 117
 * CallRateExceeded) without publishing the number. 5 calls a second (300 a minute) moves
 * 500,000 hashes in under 2 minutes, far inside the 10-minute target, while staying modest.
 */
export const microsoftAdvertisingRequestsPerSecond = 5;

/** AddAudiences: Name is at most 128 characters. */
export const audienceNameMaxLength = 128;

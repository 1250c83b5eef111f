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
    customerId: numericId('customer id (cid)').describe('Customer id (cid), sent as the CustomerId header.'),
    accountId: numericId('account id (aid)').describe('Ad account id (aid), sent as CustomerAccountId and the audience ParentId.'),
  })
  .strict();

export const microsoftAdvertisingLimits: DestinationLimits = {
  maxPerSegment: 500_000,
  batchSize: 1_000,
  recordsPerWorkFile: 10_000,
};

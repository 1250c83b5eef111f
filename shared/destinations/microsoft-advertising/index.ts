import type { Destination } from '../types.js';
import { emailOf, emailOnly } from '../common/identifiers.js';
import { connectMicrosoftAdvertising, hashEmail } from './client.js';
import {
  microsoftAdvertisingCredentials,
  microsoftAdvertisingLimits,
  microsoftAdvertisingSettings,
} from './definition.js';

export { hashEmail };

export const microsoftAdvertising: Destination<typeof microsoftAdvertisingCredentials, typeof microsoftAdvertisingSettings> = {
  type: 'microsoft-advertising',
  displayName: 'Microsoft Advertising',
  description: 'Customer Match audiences: each segment becomes a customer list of SHA-256 hashed emails.',
  privacyStatement:
    "SHA-256 hashes of the segment members' email addresses leave this platform for Microsoft Advertising. Customer Match requires that you accept Microsoft's Customer Match terms and that you have your customers' consent to share their data for advertising.",
  credentials: microsoftAdvertisingCredentials,
  settings: microsoftAdvertisingSettings,
  dataMatching: { required: ['email'], optional: [] },
  identifiers: emailOnly('sha256-hex'),
  limits: microsoftAdvertisingLimits,
  audienceCreationNeedsMembers: false,
  mapRecord: (profile) => hashEmail(emailOf(profile)),
  memberId: (profile) => hashEmail(emailOf(profile)),
  memberIdOfEmail: hashEmail,
  sync: () => ({ removal: 'per-member', fullSync: 'replace-first-batch' }),
  // Default and why: shared/config.ts (MSADS_BULK_THRESHOLD).
  bulkThreshold: (endpoints) => endpoints.microsoftAdvertising.bulkThreshold,
  connect: connectMicrosoftAdvertising,
};

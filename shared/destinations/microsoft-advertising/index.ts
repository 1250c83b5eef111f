import { createHash } from 'node:crypto';
import type { Destination } from '../types.js';
import {
  microsoftAdvertisingCredentials,
  microsoftAdvertisingLimits,
  microsoftAdvertisingSettings,
} from './definition.js';

/** Customer Match takes SHA-256 hex of the trimmed, lower-cased address (emails are already normalized). */
export const hashEmail = (email: string): string => createHash('sha256').update(email).digest('hex');

export const microsoftAdvertising: Destination<typeof microsoftAdvertisingCredentials, typeof microsoftAdvertisingSettings> = {
  type: 'microsoft-advertising',
  displayName: 'Microsoft Advertising',
  description: 'Customer Match audiences: each segment becomes a customer list of SHA-256 hashed emails.',
  credentials: microsoftAdvertisingCredentials,
  settings: microsoftAdvertisingSettings,
  dataMatching: { required: ['email'], optional: [] },
  limits: microsoftAdvertisingLimits,
  audienceCreationNeedsMembers: false,
  mapRecord: (profile) => hashEmail(profile.email),
  connect: () => {
    throw new Error('Microsoft Advertising connector not built yet');
  },
};

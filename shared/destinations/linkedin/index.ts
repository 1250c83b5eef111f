import type { Destination } from '../types.js';
import { connectLinkedin } from './client.js';
import { linkedinCredentials, linkedinLimits, linkedinSettings } from './definition.js';
import { sha256Hex } from '../common/identifiers.js';
import { addElement, linkedinIdentifiers, linkedinMemberId } from './identifiers.js';

export const linkedin: Destination<typeof linkedinCredentials, typeof linkedinSettings> = {
  type: 'linkedin',
  displayName: 'LinkedIn Matched Audiences',
  description:
    "DMP segments of a LinkedIn sponsored ad account: each segment becomes a matched audience of members found by the SHA-256 of their email, with first name, last name, company and country as hints.",
  privacyStatement:
    "SHA-256 hashes of the segment members' email addresses, and their first and last names, companies and countries when mapped (as they are), leave this platform for LinkedIn Matched Audiences. LinkedIn's terms for Matched Audiences must be accepted for the ad account, and you must have your customers' consent to share their data for advertising.",
  credentials: linkedinCredentials,
  settings: linkedinSettings,
  dataMatching: { required: ['email'], optional: ['firstName', 'lastName', 'company', 'countryCode'] },
  identifiers: linkedinIdentifiers,
  limits: linkedinLimits,
  audienceCreationNeedsMembers: false,
  mapRecord: addElement,
  memberId: linkedinMemberId,
  memberIdOfEmail: sha256Hex,
  // LinkedIn removes single users but cannot list a segment's users: a full sync sends the
  // whole segment and removes what the ledger holds beyond it, and cannot find strangers.
  sync: () => ({ removal: 'per-member', fullSync: 'none' }),
  connect: connectLinkedin,
};

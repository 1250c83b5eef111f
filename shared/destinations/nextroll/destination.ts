import type { Destination } from '../types.js';
import { emailOf, emailOnly } from '../common/identifiers.js';
import { connectNextRoll, nextRollRecord, type NextRollBrand } from './client.js';
import { nextRollCredentials, nextRollLimits, nextRollSettings } from './definition.js';

export type NextRollDestination = Destination<typeof nextRollCredentials, typeof nextRollSettings>;

/** One implementation for both NextRoll brands; only the name and the app settings differ. */
export function nextRollDestination(brand: NextRollBrand): NextRollDestination {
  const name = brand.displayName;
  return {
    type: brand.type,
    displayName: name,
    description: `${name} CRM audiences (NextRoll Audience API). Sends email addresses only.`,
    privacyStatement: `Email addresses of the segment's members leave this platform for ${name} (NextRoll, Inc.), which processes them under its own privacy policy and the data processing terms of your ${name} account. Only the mapped email field is sent.`,
    credentials: nextRollCredentials,
    settings: nextRollSettings,
    dataMatching: { required: ['email'], optional: [] },
    identifiers: emailOnly('plain'),
    limits: nextRollLimits,
    audienceCreationNeedsMembers: true,
    mapRecord: nextRollRecord,
    memberId: emailOf,
    memberIdOfEmail: (email) => email,
    // No per-member removal: under `replace` every change sends the whole membership.
    sync: (settings) =>
      settings?.segmentUpdates === 'replace'
        ? { removal: 'replace-membership', fullSync: 'replace-membership' }
        : { removal: 'unsupported', fullSync: 'none' },
    connect: (context) => connectNextRoll(brand, context),
  };
}

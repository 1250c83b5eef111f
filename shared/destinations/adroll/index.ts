import type { Destination } from '../types.js';
import { brandNames, connectNextRoll, nextRollRecord, type NextRollBrand } from './client.js';
import { nextRollCredentials, nextRollLimits, nextRollSettings } from './definition.js';

export type NextRollDestination = Destination<typeof nextRollCredentials, typeof nextRollSettings>;

/** One implementation for both NextRoll brands; only the name and the app settings differ. */
export function nextRollDestination(brand: NextRollBrand): NextRollDestination {
  return {
    type: brand,
    displayName: brandNames[brand],
    description: `${brandNames[brand]} CRM audiences (NextRoll Audience API). Sends email addresses only.`,
    credentials: nextRollCredentials,
    settings: nextRollSettings,
    dataMatching: { required: ['email'], optional: [] },
    limits: nextRollLimits,
    audienceCreationNeedsMembers: true,
    mapRecord: nextRollRecord,
    memberId: (profile) => profile.email,
    // No per-member removal: under `replace` every change sends the whole membership.
    sync: (settings) =>
      settings?.segmentUpdates === 'replace'
        ? { removal: 'replace-membership', fullSync: 'replace-membership' }
        : { removal: 'unsupported', fullSync: 'none' },
    connect: (context) => connectNextRoll(brand, context),
  };
}

export const adroll = nextRollDestination('adroll');

import type { Destination } from '../types.js';
import { nextRollCredentials, nextRollLimits, nextRollSettings } from './definition.js';

export const adroll: Destination<typeof nextRollCredentials, typeof nextRollSettings> = {
  type: 'adroll',
  displayName: 'AdRoll',
  description: 'AdRoll CRM audiences (NextRoll Audience API). Sends email addresses only.',
  credentials: nextRollCredentials,
  settings: nextRollSettings,
  dataMatching: { required: ['email'], optional: [] },
  limits: nextRollLimits,
  audienceCreationNeedsMembers: true,
  mapRecord: (profile) => ({ email: profile.email }),
  connect: () => {
    throw new Error('AdRoll connector not built yet');
  },
};

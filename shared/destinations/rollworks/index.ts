import type { Destination } from '../types.js';
import { adroll } from '../adroll/index.js';

export const rollworks: Destination = {
  ...adroll,
  type: 'rollworks',
  displayName: 'RollWorks',
  description: 'RollWorks CRM audiences (same NextRoll Audience API as AdRoll). Sends email addresses only.',
};

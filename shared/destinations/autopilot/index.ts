import type { Destination } from '../types.js';
import { emailOf, emailOnly } from '../common/identifiers.js';
import { autopilotContact, connectAutopilot } from './client.js';
import { autopilotCredentials, autopilotLimits, autopilotSettings } from './definition.js';

export const autopilot: Destination<typeof autopilotCredentials, typeof autopilotSettings> = {
  type: 'autopilot',
  displayName: 'Autopilot',
  description: 'Autopilot Journeys contact lists: email with optional first and last name.',
  privacyStatement:
    "Email addresses, and first and last names when mapped, of the segment's members leave this platform for Autopilot, which stores them as contacts under its own privacy policy and your account's terms.",
  credentials: autopilotCredentials,
  settings: autopilotSettings,
  dataMatching: { required: ['email'], optional: ['firstName', 'lastName'] },
  // Names ride along with the email (they never match a contact on their own).
  identifiers: emailOnly('plain', { firstName: 'plain', lastName: 'plain' }),
  limits: autopilotLimits,
  audienceCreationNeedsMembers: false,
  mapRecord: autopilotContact,
  memberId: emailOf,
  memberIdOfEmail: (email) => email,
  sync: () => ({ removal: 'per-member', fullSync: 'list-and-remove' }),
  connect: connectAutopilot,
};

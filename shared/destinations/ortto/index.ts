import type { Destination } from '../types.js';
import { emailOf, emailOnly } from '../common/identifiers.js';
import { connectOrtto } from './client.js';
import { orttoCredentials, orttoLimits, orttoSettings } from './definition.js';
import { orttoPersonFields } from './person.js';

export const ortto: Destination<typeof orttoCredentials, typeof orttoSettings> = {
  type: 'ortto',
  displayName: 'Ortto',
  description:
    "Ortto (Autopilot's successor): each segment's people carry a tag named after it, which an Ortto audience filters on; email with optional first and last name and phone.",
  privacyStatement:
    "Email addresses, and first and last names and phone numbers when mapped, of the segment's members leave this platform for Ortto, which stores them as people in your Ortto account's region under its own privacy policy and your account's terms.",
  credentials: orttoCredentials,
  settings: orttoSettings,
  dataMatching: { required: ['email'], optional: ['firstName', 'lastName', 'phone'] },
  // People are merged by email; names and the phone ride along (they never find a person).
  identifiers: emailOnly('plain', { firstName: 'plain', lastName: 'plain', phone: 'plain' }),
  limits: orttoLimits,
  audienceCreationNeedsMembers: false,
  mapRecord: (profile) => ({ fields: orttoPersonFields(profile) }),
  memberId: emailOf,
  memberIdOfEmail: (email) => email,
  // Leavers lose the tag; a full sync lists the tag's holders and untags the strangers.
  sync: () => ({ removal: 'per-member', fullSync: 'list-and-remove' }),
  connect: connectOrtto,
};

import type { Destination } from '../types.js';
import { connectMeta } from './client.js';
import { metaCredentials, metaLimits, metaSettings } from './definition.js';
import { metaIdentifiers, metaMemberEntry, metaSent, metaSchemaKeys } from './identifiers.js';

export const meta: Destination<typeof metaCredentials, typeof metaSettings> = {
  type: 'meta',
  displayName: 'Meta Custom Audiences',
  description:
    'Customer-list custom audiences for Facebook and Instagram: email, phone, names with postal code and country, and your own id, hashed with SHA-256 by Meta\'s rules.',
  privacyStatement:
    "SHA-256 hashes of the segment members' email addresses, phone numbers, names, postal codes and countries (and, when mapped, your own customer id as it is) leave this platform for Meta Custom Audiences. Meta's Custom Audience terms must be accepted for the ad account, and you must have your customers' consent to share their data for advertising.",
  credentials: metaCredentials,
  settings: metaSettings,
  dataMatching: { required: [], optional: ['email', 'phone', 'firstName', 'lastName', 'postalCode', 'countryCode', 'externalId'] },
  identifiers: metaIdentifiers,
  limits: metaLimits,
  audienceCreationNeedsMembers: false,
  // What the service receives: a row by schema key (`{ EMAIL: <hash>, PHONE: <hash>, ... }`).
  mapRecord: (profile) =>
    Object.fromEntries(Object.entries(metaSent(profile)).map(([name, value]) => [metaSchemaKeys[name as keyof typeof metaSchemaKeys], value])),
  memberId: metaMemberEntry,
  sync: () => ({ removal: 'per-member', fullSync: 'replace-session' }),
  connect: connectMeta,
};

import { emailOf, emailOnly, sha256Hex } from '../common/identifiers.js';
import type { ProfileRecord } from '../types.js';

/**
 * LinkedIn matches a user on the SHA-256 of the email (`SHA256_EMAIL`); first name, last
 * name, company and country ride along in plain text as hints, when the export maps them
 * (the contract hashes the email alone).
 */
export const linkedinIdentifiers = emailOnly('sha256-hex', { firstName: 'plain', lastName: 'plain', company: 'plain', countryCode: 'plain' });

/**
 * The member id, as the service holds the member and the ledger keeps it: SHA-256 hex of the
 * email as preparation left it (trimmed, lower-cased). Names, company and country are not part of it:
 * a changed name is not a new member, and a removal names the email alone.
 */
export const linkedinMemberId = (profile: ProfileRecord): string => sha256Hex(emailOf(profile));

export type LinkedinAction = 'ADD' | 'REMOVE';

/** One element of `POST /dmpSegments/{id}/users` (BATCH_CREATE). */
export interface LinkedinUserElement {
  action: LinkedinAction;
  userIds: { idType: 'SHA256_EMAIL'; idValue: string }[];
  firstName?: string;
  lastName?: string;
  company?: string;
  country?: string;
}

/** The element that adds this profile: its hashed email, and the hints it has. */
export function addElement(profile: ProfileRecord): LinkedinUserElement {
  return {
    action: 'ADD',
    userIds: [{ idType: 'SHA256_EMAIL', idValue: linkedinMemberId(profile) }],
    ...(profile.firstName ? { firstName: profile.firstName } : {}),
    ...(profile.lastName ? { lastName: profile.lastName } : {}),
    ...(profile.company ? { company: profile.company } : {}),
    ...(profile.countryCode ? { country: profile.countryCode } : {}),
  };
}

/** The element that removes a member by its id (the hash the add sent). */
export const removeElement = (memberId: string): LinkedinUserElement => ({
  action: 'REMOVE',
  userIds: [{ idType: 'SHA256_EMAIL', idValue: memberId }],
});

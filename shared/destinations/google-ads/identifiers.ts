import { entryIdentifiers, sha256Hex, type SentIdentifiers } from '../common/identifiers.js';
import { identifierNames, type IdentifierName, type IdentifierSupport, type ProfileRecord } from '../types.js';
import { googleAdsMaxIdentifiersPerMember } from './definition.js';

/**
 * Customer Match identifiers as the Data Manager API takes them: an email, a phone, or an
 * address (given name, family name, postal code and region code, only all four together).
 * Hashed values are SHA-256 hex of Google's normalization; postal and region codes go plain.
 */
export const googleAdsIdentifiers: IdentifierSupport = {
  matchSets: [['email'], ['phone'], ['firstName', 'lastName', 'postalCode', 'countryCode']],
  encoding: { email: 'sha256-hex', phone: 'sha256-hex', firstName: 'sha256-hex', lastName: 'sha256-hex', postalCode: 'plain', countryCode: 'plain' },
};

const addressParts = ['firstName', 'lastName', 'postalCode', 'countryCode'] as const;
const GOOGLE_MAIL = new Set(['gmail.com', 'googlemail.com']);

/**
 * Google's email normalization: lower-case, every whitespace removed, and for gmail.com and
 * googlemail.com only, the local part's dots and any `+suffix` removed
 * (`Jane.Doe+ads@GMail.com` → `janedoe@gmail.com`). Other domains keep dots and `+`.
 */
export function normalizeGoogleEmail(email: string): string {
  const compact = email.replace(/\s+/g, '').toLowerCase();
  const at = compact.lastIndexOf('@');
  if (at <= 0) return compact;
  const domain = compact.slice(at + 1);
  if (!GOOGLE_MAIL.has(domain)) return compact;
  const local = compact.slice(0, at).split('+')[0]!.replaceAll('.', '');
  return `${local}@${domain}`;
}

/** Phones in E.164, `+` included (the app's preparation wrote them so; digits alone get it back). */
export function normalizeGooglePhone(phone: string): string {
  const compact = phone.replace(/[\s().-]/g, '');
  return compact.startsWith('+') ? compact : `+${compact}`;
}

/** Names lower-cased, trimmed (Google hashes them so). */
export const normalizeGoogleName = (name: string): string => name.trim().toLowerCase();

/**
 * The identifiers one member is sent with, encoded as they go out, in `identifierNames`
 * order: the ledger entry, the request body and the simulator's view are all built from
 * this. An address goes only when all four of its parts are there.
 */
export function googleSentIdentifiers(profile: ProfileRecord): SentIdentifiers {
  const sent: SentIdentifiers = {};
  if (profile.email) sent.email = sha256Hex(normalizeGoogleEmail(profile.email));
  if (profile.phone) sent.phone = sha256Hex(normalizeGooglePhone(profile.phone));
  if (addressParts.every((part) => profile[part] && profile[part].trim() !== '')) {
    sent.firstName = sha256Hex(normalizeGoogleName(profile.firstName!));
    sent.lastName = sha256Hex(normalizeGoogleName(profile.lastName!));
    sent.postalCode = profile.postalCode!.trim();
    sent.countryCode = profile.countryCode!.trim().toUpperCase();
  }
  return sent;
}

/**
 * The ledger entry (and member id) of a member: `email=<hex>&phone=<hex>&firstName=...`, as
 * `common/identifiers.ts` `memberEntry` writes it, but of Google's hashes (its email
 * normalization differs and it hashes phones with their `+`). The first match set the
 * member satisfies comes first; for Google's sets that is always `identifierNames` order, so
 * `email=<hex>` alone is the person's key (erasure finds entries by it).
 */
export function googleMemberEntry(profile: ProfileRecord): string {
  return entryOf(googleSentIdentifiers(profile));
}

export function entryOf(sent: SentIdentifiers): string {
  const parts = identifierNames.filter((name) => sent[name] !== undefined).map((name) => `${name}=${encodeURIComponent(sent[name]!)}`);
  if (parts.length === 0) throw new Error('a member without identifiers has no entry');
  return parts.join('&');
}

/** One of the request's `userIdentifiers`. */
export type UserIdentifier =
  | { emailAddress: string }
  | { phoneNumber: string }
  | { address: { givenName: string; familyName: string; regionCode: string; postalCode: string } };

/** The `userIdentifiers` of a member sent with these identifiers. */
export function userIdentifiers(sent: SentIdentifiers): UserIdentifier[] {
  const identifiers: UserIdentifier[] = [];
  if (sent.email) identifiers.push({ emailAddress: sent.email });
  if (sent.phone) identifiers.push({ phoneNumber: sent.phone });
  if (sent.firstName && sent.lastName && sent.postalCode && sent.countryCode) {
    identifiers.push({ address: { givenName: sent.firstName, familyName: sent.lastName, regionCode: sent.countryCode, postalCode: sent.postalCode } });
  }
  return identifiers;
}

/** The identifiers of a ledger entry (a removal sends exactly what the add sent). */
export const entryUserIdentifiers = (entry: string): UserIdentifier[] => userIdentifiers(entryIdentifiers(entry));

const HEX_64 = /^[0-9a-f]{64}$/;

/**
 * Why the service would refuse this member, checked before sending (one bad member fails
 * a whole request): undefined when it is fine.
 */
export function invalidMember(profile: ProfileRecord, sent: SentIdentifiers): string | undefined {
  if (profile.email !== undefined && profile.email !== '') {
    const normalized = normalizeGoogleEmail(profile.email);
    const at = normalized.indexOf('@');
    if (at <= 0 || at !== normalized.lastIndexOf('@') || !normalized.slice(at + 1).includes('.')) return 'invalid-email';
  }
  if (profile.phone !== undefined && profile.phone !== '' && !/^\+[1-9][0-9]{6,14}$/.test(normalizeGooglePhone(profile.phone))) return 'invalid-phone';
  if (sent.countryCode !== undefined && !/^[A-Z]{2}$/.test(sent.countryCode)) return 'invalid-country';
  const identifiers = userIdentifiers(sent);
  if (identifiers.length === 0) return 'no-identifier';
  if (identifiers.length > googleAdsMaxIdentifiersPerMember) return 'too-many-identifiers';
  for (const name of ['email', 'phone', 'firstName', 'lastName'] as IdentifierName[]) {
    if (sent[name] !== undefined && !HEX_64.test(sent[name])) return `invalid-${name}`;
  }
  return undefined;
}

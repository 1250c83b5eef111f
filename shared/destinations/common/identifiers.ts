import { hash } from 'node:crypto';
import type { IdentifierName, IdentifierSupport, ProfileRecord } from '../types.js';

/** The hashed (or plain) identifiers of one member, exactly as a destination sends them. */
export type SentIdentifiers = Partial<Record<IdentifierName, string>>;

/** SHA-256 as 64 lower-case hex, what Customer Match, Google and Meta take. */
export const sha256Hex = (value: string): string => hash('sha256', value, 'hex');

/**
 * Each identifier of the profile a destination takes, encoded as it goes out: the
 * normalized value (the app normalized it when preparing: emails trimmed and lower-cased,
 * phones in E.164, names trimmed) either as it is or as its SHA-256 hex. A phone is hashed
 * without its `+` (the form Meta documents; Google takes E.164 with it, so a destination
 * that wants it declares `plain` and hashes in its client).
 */
export function sentIdentifiers(support: IdentifierSupport, profile: ProfileRecord): SentIdentifiers {
  const sent: SentIdentifiers = {};
  for (const [name, encoding] of Object.entries(support.encoding) as [IdentifierName, string][]) {
    const value = profile[name];
    if (value === undefined || value === '') continue;
    sent[name] = encoding === 'sha256-hex' ? sha256Hex(hashInput(name, value)) : value;
  }
  return sent;
}

/** What goes into the hash for an identifier: names lower-cased, a phone's digits with the country code. */
function hashInput(name: IdentifierName, value: string): string {
  if (name === 'phone') return value.startsWith('+') ? value.slice(1) : value;
  if (name === 'firstName' || name === 'lastName' || name === 'countryCode' || name === 'postalCode') return value.toLowerCase();
  return value;
}

/** Whether the profile carries every identifier of one of the match sets. */
export const matchesASet = (support: Pick<IdentifierSupport, 'matchSets'>, profile: Partial<Record<IdentifierName, string>>): boolean =>
  support.matchSets.some((set) => set.every((name) => Boolean(profile[name])));

/**
 * The member key of a destination that matches on more than an email: the sent value of the
 * first match set the profile satisfies (`email`, else `phone`, ...), tagged with the set, so
 * it is stable per person and two people never share one. Destinations keyed on the email
 * alone keep their own key (the email, or its hash) as it always was.
 */
export function primaryMemberKey(support: IdentifierSupport, profile: ProfileRecord): string {
  const sent = sentIdentifiers(support, profile);
  for (const set of support.matchSets) {
    if (!set.every((name) => sent[name])) continue;
    const value = set.map((name) => sent[name]).join('|');
    return set.length === 1 && set[0] === 'email' ? value : `${set.join('+')}:${value}`;
  }
  throw new Error(`row ${profile.row} satisfies none of the destination's match sets`);
}

/**
 * The email of a profile sent to a destination that matches on the email alone: preparation
 * sends such a destination no row without one, so a missing email here is a bug, not data.
 */
export function emailOf(profile: ProfileRecord): string {
  if (profile.email === undefined) throw new Error(`row ${profile.row} has no email, which this destination matches on`);
  return profile.email;
}

/** The email-only support today's destinations declare. */
export const emailOnly = (encoding: 'plain' | 'sha256-hex', extra: Partial<Record<IdentifierName, 'plain'>> = {}): IdentifierSupport => ({
  matchSets: [['email']],
  encoding: { email: encoding, ...extra },
});

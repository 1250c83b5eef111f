import { hash } from 'node:crypto';
import { identifierNames, type IdentifierName, type IdentifierSupport, type ProfileRecord } from '../types.js';

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
  return primaryEntry(support, sentIdentifiers(support, profile)).join('&');
}

function primaryEntry(support: IdentifierSupport, sent: SentIdentifiers): string[] {
  const set = support.matchSets.find((candidate) => candidate.every((name) => sent[name]));
  if (!set) throw new Error(`a profile satisfies none of the destination's match sets`);
  return set.map((name) => `${name}=${encodeURIComponent(sent[name]!)}`);
}

/**
 * The ledger entry of a member of a destination that matches on more than an email: every
 * identifier exactly as it was sent, the primary key's first (`email=<hash>&phone=<hash>`),
 * so a removal sends the very identifiers the add sent (`entryIdentifiers`). When anything
 * sent changes (a new phone), the entry changes: the old entry, with the old phone's hash,
 * is removed and the new one added. Its first part stays the person's stable key
 * (`primaryMemberKey`), which erasure looks members up by.
 */
export function memberEntry(support: IdentifierSupport, profile: ProfileRecord): string {
  const sent = sentIdentifiers(support, profile);
  const primary = primaryEntry(support, sent);
  const rest = identifierNames
    .filter((name) => sent[name] !== undefined && !primary.some((part) => part.startsWith(`${name}=`)))
    .map((name) => `${name}=${encodeURIComponent(sent[name]!)}`);
  return [...primary, ...rest].join('&');
}

/** The identifiers a ledger entry (`memberEntry`) was sent with, to remove the member by all of them. */
export function entryIdentifiers(entry: string): SentIdentifiers {
  const sent: SentIdentifiers = {};
  for (const part of entry.split('&')) {
    const at = part.indexOf('=');
    const name = part.slice(0, at) as IdentifierName;
    if (at <= 0 || !identifierNames.includes(name)) throw new Error(`not a member entry: ${entry.slice(0, 80)}`);
    sent[name] = decodeURIComponent(part.slice(at + 1));
  }
  return sent;
}

/** Whether a ledger entry is the member a key (`primaryMemberKey`) names: the key itself, or the key and more. */
export const entryHasKey = (entry: string, key: string): boolean => entry === key || entry.startsWith(`${key}&`);

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

import { memberEntry, sentIdentifiers, type SentIdentifiers } from '../common/identifiers.js';
import type { IdentifierName, IdentifierSupport, ProfileRecord } from '../types.js';

/**
 * Meta's multi-key schema names for the identifiers it takes, in the order requests list them
 * (a company is not one of them).
 */
export const metaSchemaKeys = {
  email: 'EMAIL',
  phone: 'PHONE',
  firstName: 'FN',
  lastName: 'LN',
  postalCode: 'ZIP',
  countryCode: 'COUNTRY',
  externalId: 'EXTERN_ID',
} as const satisfies Partial<Record<IdentifierName, string>>;

/** An identifier Meta has a schema key for. */
export type MetaIdentifier = keyof typeof metaSchemaKeys;
export type MetaSchemaKey = (typeof metaSchemaKeys)[MetaIdentifier];

const schemaOrder = Object.keys(metaSchemaKeys) as MetaIdentifier[];

/**
 * An email or a phone matches on its own; names only with the postal code and country.
 * EXTERN_ID rides along (the advertiser's own id, which Meta matches only once it has seen it
 * beside another key), sent as it is: Meta does not take it hashed.
 */
export const metaIdentifiers: IdentifierSupport = {
  matchSets: [['email'], ['phone'], ['firstName', 'lastName', 'postalCode', 'countryCode']],
  encoding: {
    email: 'sha256-hex',
    phone: 'sha256-hex',
    firstName: 'sha256-hex',
    lastName: 'sha256-hex',
    postalCode: 'sha256-hex',
    countryCode: 'sha256-hex',
    externalId: 'plain',
  },
};

/**
 * Meta's normalization on top of the app's (which already trimmed everything, lower-cased
 * emails and wrote phones in E.164): names lose their punctuation. The rest happens as they
 * are hashed (`sentIdentifiers`): names, postal codes and countries lower-cased, the phone's
 * `+` dropped (digits with the country code; E.164 has no leading zeros).
 */
export function metaProfile(profile: ProfileRecord): ProfileRecord {
  const out = { ...profile };
  if (out.firstName !== undefined) out.firstName = withoutPunctuation(out.firstName);
  if (out.lastName !== undefined) out.lastName = withoutPunctuation(out.lastName);
  return out;
}

const withoutPunctuation = (name: string) => name.replace(/\p{P}/gu, '').replace(/\s+/g, ' ').trim();

/** Every identifier of the profile exactly as Meta receives it (hashed, EXTERN_ID plain). */
export const metaSent = (profile: ProfileRecord): SentIdentifiers => sentIdentifiers(metaIdentifiers, metaProfile(profile));

/** The ledger entry of a member: every identifier as sent, the primary key's first (`memberEntry`). */
export const metaMemberEntry = (profile: ProfileRecord): string => memberEntry(metaIdentifiers, metaProfile(profile));

/** Already-sent identifiers taken as they are: how an entry is rebuilt from what the service holds. */
const asSent: IdentifierSupport = {
  matchSets: metaIdentifiers.matchSets,
  encoding: Object.fromEntries(schemaOrder.map((name) => [name, 'plain'])),
};

/** The ledger entry of identifiers already as sent (the simulator lists its members this way). */
export const entryOfSent = (sent: SentIdentifiers): string => memberEntry(asSent, { row: 0, ...sent });

/** A request's schema: the keys any of its rows carries, in Meta's order (only what the export maps). */
export function schemaOf(rows: SentIdentifiers[]): MetaIdentifier[] {
  const present = new Set<IdentifierName>();
  for (const row of rows) for (const name of Object.keys(row) as IdentifierName[]) present.add(name);
  return schemaOrder.filter((name) => present.has(name));
}

/** One row of `payload.data`: a value per schema key, an empty string where the member has none. */
export const rowOf = (schema: MetaIdentifier[], sent: SentIdentifiers): string[] => schema.map((name) => sent[name] ?? '');

export const schemaKeysOf = (schema: MetaIdentifier[]): MetaSchemaKey[] => schema.map((name) => metaSchemaKeys[name]);

/** Schema keys back to the app's names (the simulator's side). */
export const identifierOfKey = Object.fromEntries(Object.entries(metaSchemaKeys).map(([name, key]) => [key, name])) as Record<
  MetaSchemaKey,
  MetaIdentifier
>;

import type { IdentifierName, ProfileRecord } from '../../destinations/types.js';
import { normalizeCountry, normalizeEmail, normalizeName, normalizePhone } from './normalize.js';

/**
 * Preparation of a destination that matches on more than an email alone: which identifiers
 * of a row are usable, which match set the row satisfies, and what to say about the rest.
 * (Destinations that match on the email alone keep the original path in prepare.ts, which
 * this reproduces exactly for them but more slowly.)
 */
export interface IdentifyPlan {
  /** The mapped identifiers, in the order their columns are selected. */
  names: IdentifierName[];
  /** Their columns, same order. */
  columns: string[];
  /** The destination's match sets (`Destination.identifiers.matchSets`). */
  matchSets: IdentifierName[][];
  /** The export's `defaultCountry`, for phones written without a country code. */
  defaultCountry?: string;
}

/** An identifier the row had but that could not be used, and why (`invalid-phone: Mobile`). */
export interface DroppedIdentifier {
  name: IdentifierName;
  reason: string;
  value: unknown;
}

export type Identified =
  | {
      ok: true;
      profile: Omit<ProfileRecord, 'row'>;
      /** The de-duplication key: the values of the first match set the row satisfies, tagged with it. */
      key: string;
      dropped: DroppedIdentifier[];
    }
  | { ok: false; reason: string; value: unknown };

type Check = { ok: true; value: string } | { ok: false; missing: boolean; reason: string };

function check(name: IdentifierName, raw: unknown, defaultCountry: string | undefined): Check {
  switch (name) {
    case 'email': {
      const email = normalizeEmail(raw);
      return email.ok ? { ok: true, value: email.email } : { ok: false, missing: email.reason === 'missing-email', reason: email.reason };
    }
    case 'phone': {
      const phone = normalizePhone(raw, defaultCountry);
      return phone.ok ? { ok: true, value: phone.phone } : { ok: false, missing: phone.reason === 'missing-phone', reason: phone.reason };
    }
    case 'countryCode': {
      const country = normalizeCountry(raw);
      return country.ok ? { ok: true, value: country.countryCode } : { ok: false, missing: country.reason === 'missing-country', reason: country.reason };
    }
    default: {
      const value = normalizeName(raw);
      return value === undefined ? { ok: false, missing: true, reason: `missing-${name}` } : { ok: true, value };
    }
  }
}

export function identify(values: readonly unknown[], plan: IdentifyPlan): Identified {
  const profile: Partial<Record<IdentifierName, string>> = {};
  const failures: DroppedIdentifier[] = [];
  plan.names.forEach((name, k) => {
    const result = check(name, values[k], plan.defaultCountry);
    if (result.ok) profile[name] = result.value;
    // An empty cell is no identifier, not a fault worth reporting.
    else if (!result.missing) failures.push({ name, reason: `${result.reason}: ${plan.columns[k]}`, value: values[k] });
  });
  const set = plan.matchSets.find((candidate) => candidate.every((name) => profile[name] !== undefined));
  if (!set) {
    // A malformed identifier the match sets needed says more than "nothing usable".
    const needed = failures.find((failure) => plan.matchSets.some((candidate) => candidate.includes(failure.name)));
    return needed ? { ok: false, reason: needed.reason, value: needed.value } : { ok: false, reason: 'no-identifier', value: undefined };
  }
  return { ok: true, profile, key: `${set.join('+')}:${set.map((name) => profile[name]).join('|')}`, dropped: failures };
}

import { emailOf } from '../common/identifiers.js';
import type { ProfileRecord } from '../types.js';

/** Ortto's person field ids for what the connector maps. */
export const orttoFields = {
  email: 'str::email',
  firstName: 'str::first',
  lastName: 'str::last',
  phone: 'phn::phone',
} as const;

/** A phone as Ortto takes it in `phn::phone`: the digits with the country code, parsed by Ortto. */
export interface OrttoPhone {
  phone: string;
  parse_with_country_code: true;
}

export type OrttoPersonFields = Partial<Record<(typeof orttoFields)[keyof typeof orttoFields], string | OrttoPhone>>;

/**
 * The fields Ortto receives for a profile: the email (the merge key), and the names and the
 * phone when the export maps them. The app normalized the phone to E.164; Ortto reads the
 * country code from the digits (`parse_with_country_code`).
 */
export function orttoPersonFields(profile: ProfileRecord): OrttoPersonFields {
  return {
    [orttoFields.email]: emailOf(profile),
    ...(profile.firstName ? { [orttoFields.firstName]: profile.firstName } : {}),
    ...(profile.lastName ? { [orttoFields.lastName]: profile.lastName } : {}),
    ...(profile.phone ? { [orttoFields.phone]: { phone: profile.phone.replace(/^\+/, ''), parse_with_country_code: true } } : {}),
  };
}

/**
 * The filter on the segment's tag: for `POST /v1/person/get` (a full sync lists the tag's
 * holders) and as the filter the admin gives the Ortto audience. Ortto's reference documents
 * the filter language by example only and says to copy a filter from the app; the shape of a
 * tag condition is therefore not confirmed, and kept here, in one place.
 */
export function tagFilter(tag: string): Record<string, unknown> {
  return { '$str::is': { field_id: 'tags', value: tag } };
}

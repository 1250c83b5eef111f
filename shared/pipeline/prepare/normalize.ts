import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/**
 * Email normalization shared by every destination: trim and lower-case, then the
 * plausibility rules of the destination contracts (one `@`, a dot in the domain, no
 * spaces, at most 254 characters), plus no control characters (a NUL or an escape has no
 * place in an address and would reach the destination as is) and no U+FFFD (the mark of a
 * character lost to a wrong encoding upstream). Hashing, where a destination wants it,
 * happens after.
 */
export type EmailCheck =
  | { ok: true; email: string }
  | { ok: false; reason: 'missing-email' | 'invalid-email' };

const MAX_EMAIL_LENGTH = 254;
// Whitespace, C0 and C1 control characters, DEL, and the replacement character.
// eslint-disable-next-line no-control-regex
const NOT_IN_AN_ADDRESS = /[\s\u0000-\u001f\u007f-\u009f\uFFFD]/;
// Anything a name needs work for: C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex
const NAME_NEEDS_CLEANING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// Controls that are not word breaks (tab, LF, VT, FF, CR and NEL are).
// eslint-disable-next-line no-control-regex
const NON_BREAK_CONTROLS = /[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f]/g;
// A run of word breaks (tab, LF, VT, FF, CR, NEL, U+2028, U+2029) with the spaces around it.
const BREAK_RUN = / *[\t\n\v\f\r\u0085\u2028\u2029][ \t\n\v\f\r\u0085\u2028\u2029]*/g;

export function normalizeEmail(raw: unknown): EmailCheck {
  if (raw === undefined || raw === null) return { ok: false, reason: 'missing-email' };
  if (typeof raw !== 'string') return { ok: false, reason: 'invalid-email' };
  const trimmed = raw.trim();
  if (trimmed === '') return { ok: false, reason: 'missing-email' };
  // The length first: a 10 MB value is refused without lower-casing it.
  if (trimmed.length > MAX_EMAIL_LENGTH) return { ok: false, reason: 'invalid-email' };
  const email = trimmed.toLowerCase();
  return isPlausibleEmail(email) ? { ok: true, email } : { ok: false, reason: 'invalid-email' };
}

// Runs once a row: searches, no slices (they showed in the preparation profile).
function isPlausibleEmail(email: string): boolean {
  const at = email.indexOf('@');
  if (at <= 0 || at !== email.lastIndexOf('@')) return false;
  if (NOT_IN_AN_ADDRESS.test(email)) return false;
  // A dot inside the domain, with labels on both sides of every dot.
  return email.indexOf('.', at + 1) > at + 1 && email.charCodeAt(email.length - 1) !== DOT && email.indexOf('..', at) < 0;
}

const DOT = 46;

/**
 * Names are sent as given, trimmed (a name is optional: the row is still delivered by its
 * email); an empty value is treated as absent. A quoted CSV field may hold a line break: a
 * run of line breaks and tabs (CR, LF, tab, vertical tab, form feed, NEL, U+2028, U+2029),
 * with the spaces around it, becomes one space, so `Name⏎163` arrives as `Name 163`, not
 * `Name163`. Other control characters (NUL, escape, DEL...) are dropped: no destination
 * should receive them in a name.
 */
export function normalizeName(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  const text = String(raw);
  // Controls go first, so a break with a NUL inside it is still one run.
  const value = (NAME_NEEDS_CLEANING.test(text) ? text.replace(NON_BREAK_CONTROLS, '').replace(BREAK_RUN, ' ') : text).trim();
  return value === '' ? undefined : value.slice(0, 256);
}

export type PhoneCheck = { ok: true; phone: string } | { ok: false; reason: 'missing-phone' | 'invalid-phone' };

const MAX_PHONE_LENGTH = 64;

/**
 * A phone number in E.164 (`+14155550123`), parsed and validated by libphonenumber-js with
 * the full metadata (the trimmed metadata checks only lengths): international numbers as
 * written, national ones (`(415) 555-0123`, `020 7946 0018`) in `defaultCountry`. A
 * national number without a default country cannot be placed, so it is invalid.
 */
export function normalizePhone(raw: unknown, defaultCountry: string | undefined): PhoneCheck {
  if (raw === undefined || raw === null) return { ok: false, reason: 'missing-phone' };
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : undefined;
  if (text === undefined) return { ok: false, reason: 'invalid-phone' };
  if (text === '') return { ok: false, reason: 'missing-phone' };
  if (text.length > MAX_PHONE_LENGTH || NAME_NEEDS_CLEANING.test(text)) return { ok: false, reason: 'invalid-phone' };
  const parsed = parsePhoneNumberFromString(text, defaultCountry ? { defaultCountry: defaultCountry as CountryCode } : {});
  return parsed?.isValid() ? { ok: true, phone: parsed.number } : { ok: false, reason: 'invalid-phone' };
}

export type CountryCheck = { ok: true; countryCode: string } | { ok: false; reason: 'missing-country' | 'invalid-country' };

/** ISO 3166-1 alpha-2, upper case (`us` and ` US ` become `US`); a country libphonenumber-js does not know is invalid. */
export function normalizeCountry(raw: unknown): CountryCheck {
  const value = normalizeName(raw);
  if (value === undefined) return { ok: false, reason: 'missing-country' };
  const code = value.toUpperCase();
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code) ? { ok: true, countryCode: code } : { ok: false, reason: 'invalid-country' };
}

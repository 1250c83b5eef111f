/**
 * Email normalization shared by every destination: trim and lower-case, then the
 * plausibility rules of the destination contracts (one `@`, a dot in the domain, no
 * spaces, at most 254 characters). Hashing, where a destination wants it, happens after.
 */
export type EmailCheck =
  | { ok: true; email: string }
  | { ok: false; reason: 'missing-email' | 'invalid-email' };

const MAX_EMAIL_LENGTH = 254;

export function normalizeEmail(raw: unknown): EmailCheck {
  if (raw === undefined || raw === null) return { ok: false, reason: 'missing-email' };
  if (typeof raw !== 'string') return { ok: false, reason: 'invalid-email' };
  const email = raw.trim().toLowerCase();
  if (email === '') return { ok: false, reason: 'missing-email' };
  return isPlausibleEmail(email) ? { ok: true, email } : { ok: false, reason: 'invalid-email' };
}

function isPlausibleEmail(email: string): boolean {
  if (email.length > MAX_EMAIL_LENGTH) return false;
  const at = email.indexOf('@');
  if (at <= 0 || at !== email.lastIndexOf('@')) return false;
  if (/\s/.test(email)) return false;
  const domain = email.slice(at + 1);
  const dot = domain.indexOf('.');
  // A dot inside the domain, with labels on both sides of every dot.
  return dot > 0 && !domain.endsWith('.') && !domain.includes('..');
}

/** Names are sent as given, trimmed; an empty value is treated as absent. */
export function normalizeName(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  const value = String(raw).trim();
  return value === '' ? undefined : value.slice(0, 256);
}

import { createHash } from 'node:crypto';

/**
 * What a simulator holds for a member differs by service: an email or a SHA-256 hex string
 * (NextRoll, Autopilot, Microsoft Advertising), or an object of identifiers, nested or
 * keyed by the service's schema (Google `{emailAddress, phoneNumber, address}`, Meta
 * `{EMAIL, FN, ...}`, LinkedIn `{SHA256_EMAIL, ...}`, Ortto `{email, first, ...}`).
 * The demo tells its own members apart by any string in them: an address it sent, or its hash.
 */
export function memberStrings(member: unknown): string[] {
  if (typeof member === 'string') return [member];
  if (Array.isArray(member)) return member.flatMap(memberStrings);
  if (typeof member === 'object' && member !== null) return Object.values(member).flatMap(memberStrings);
  return [];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Every form a simulator may hold one of these addresses in: as sent (lower case) and its SHA-256 hex. */
export function addressForms(emails: Iterable<string>): Set<string> {
  const forms = new Set<string>();
  for (const email of emails) {
    const normalized = email.trim().toLowerCase();
    forms.add(normalized);
    forms.add(sha256(normalized));
  }
  return forms;
}

/** How many members carry one of `forms`, and the first member shown as the simulator holds it. */
export function summarizeMembers(members: unknown[], forms: Set<string>, maxExample = 120): { total: number; ours: number; example?: string } {
  const ours = members.filter((member) => memberStrings(member).some((text) => forms.has(text.toLowerCase()))).length;
  const first = members[0];
  if (first === undefined) return { total: 0, ours };
  const shown = typeof first === 'string' ? first : JSON.stringify(first);
  return { total: members.length, ours, example: shown.length > maxExample ? `${shown.slice(0, maxExample - 3)}...` : shown };
}

import { PreconditionFailedError } from '../errors.js';

/**
 * If-Match as the API uses it: absent or `*` means "whatever is current"; otherwise one
 * or more ETags, one of which must be the entity's current ETag. Compared weakly (the
 * `W/` prefix is ignored), since table ETags are weak validators.
 */
export function parseIfMatch(header: string | null | undefined): string[] | undefined {
  if (!header || header.trim() === '' || header.trim() === '*') return undefined;
  return (header.match(/(?:W\/)?"(?:[^"\\]|\\.)*"|[^,\s][^,]*/g) ?? []).map((tag) => tag.trim()).filter(Boolean);
}

const opaque = (tag: string) => tag.replace(/^W\//, '');

export function etagMatches(current: string, ifMatch: string[] | undefined): boolean {
  return !ifMatch || ifMatch.some((tag) => opaque(tag) === opaque(current));
}

/** 412 unless the caller's If-Match names the current ETag. */
export function assertIfMatch(what: string, id: string, current: string | undefined, ifMatch: string[] | undefined): void {
  if (!ifMatch) return;
  if (current === undefined || !etagMatches(current, ifMatch)) throw new PreconditionFailedError(what, id);
}

import { hash } from 'node:crypto';

/**
 * The one form in which the app keeps an address it must remember without holding it: SHA-256
 * as 64 lower-case hex of the normalized (trimmed, lower-cased) address, the same digest
 * Customer Match takes.
 */
export const addressHash = (normalizedEmail: string): string => hash('sha256', normalizedEmail, 'hex');

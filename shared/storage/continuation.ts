import { z } from 'zod';
import { ValidationError } from '../errors.js';

/**
 * Continuation tokens the API hands out: base64url JSON naming the list they page (`of`)
 * and where the next page starts. Decoding checks both, so a garbage token, one built by
 * hand, or one from another list is a 400 on `continuation`, never a storage error (500)
 * or a page of some other list.
 */
const tokenSchema = z.object({ of: z.string(), at: z.record(z.string(), z.string().max(1024)) }).strict();

export function encodeContinuation(list: string, at: Record<string, string>): string {
  return Buffer.from(JSON.stringify({ of: list, at }), 'utf8').toString('base64url');
}

/** Where the next page of `list` starts, with exactly the `keys` the encoder wrote; undefined without a token. */
export function decodeContinuation<K extends string>(list: string, token: string | undefined, keys: readonly K[]): Record<K, string> | undefined {
  if (token === undefined) return undefined;
  let parsed: z.infer<typeof tokenSchema> | undefined;
  try {
    if (/^[A-Za-z0-9_-]+$/.test(token)) parsed = tokenSchema.parse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
  } catch {
    // fall through to the validation error
  }
  const at = parsed?.at;
  const fits = parsed?.of === list && at !== undefined && Object.keys(at).every((k) => (keys as readonly string[]).includes(k)) && keys.every((k) => k in at);
  if (!fits) throw ValidationError.field('continuation', 'not a continuation token of this list; start again without it');
  return at as Record<K, string>;
}

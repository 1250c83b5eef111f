import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Signed tokens, so that a refresh token a simulator issued stays valid after the simulator
 * restarts (the app keeps the rotated token in its secret store across `npm start`s). The
 * key is public on purpose: these guard nothing but a local stand-in.
 */
const SIGNING_KEY = 'segment-export local simulators';

export interface TokenClaims {
  kind: string;
  /** Who the token belongs to (the OAuth client id). */
  sub: string;
  jti: string;
  /** Epoch milliseconds after which the token is refused; absent: never expires. */
  exp?: number;
}

export function issueToken(kind: string, sub: string, lifetimeMs?: number): string {
  const claims: TokenClaims = { kind, sub, jti: randomUUID(), ...(lifetimeMs ? { exp: Date.now() + lifetimeMs } : {}) };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${kind}.${payload}.${sign(`${kind}.${payload}`)}`;
}

/** The claims of a token this simulator family signed, of the given kind and not expired. */
export function verifyToken(token: string, kind: string): TokenClaims | undefined {
  const [tokenKind, payload, signature] = token.split('.');
  if (tokenKind !== kind || !payload || !signature) return undefined;
  const expected = Buffer.from(sign(`${tokenKind}.${payload}`));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    if (claims.exp !== undefined && claims.exp < Date.now()) return undefined;
    return claims;
  } catch {
    return undefined;
  }
}

function sign(text: string): string {
  return createHmac('sha256', SIGNING_KEY).update(text).digest('base64url');
}

/** `Authorization: <scheme> <value>` → value, when the scheme matches (case-insensitive). */
export function authorizationValue(header: string | undefined, scheme: string): string | undefined {
  if (!header) return undefined;
  const [given, ...rest] = header.trim().split(/\s+/);
  return given?.toLowerCase() === scheme.toLowerCase() && rest.length === 1 ? rest[0] : undefined;
}

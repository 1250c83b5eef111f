import { DestinationError } from '../types.js';

/** What a refresh-token grant returns. */
export interface OAuthGrant {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** The refresh token to use next time: a rotated one, or the same. */
  refreshToken: string;
}

interface Entry {
  grant?: OAuthGrant;
  /** The refresh token the grant was obtained with: the stored one until the rotation is saved. */
  obtainedWith?: string;
  pending?: Promise<OAuthGrant>;
}

/** Refresh a little before expiry so that a long upload never starts on a dying token. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * Access tokens per connection for the whole process. Parallel activities of one run ask at
 * once; only one refresh happens (single flight), which matters doubly for NextRoll, whose
 * refresh tokens are single-use: two concurrent refreshes with the same token would leave
 * one of them with a dead grant.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();

  /**
   * A valid access token for `key`. `currentRefreshToken` is what the caller's credentials
   * hold; when it is neither the token the cached grant came from nor its rotation, the
   * connection's credentials were replaced and the cached grant no longer applies.
   */
  async accessToken(
    key: string,
    currentRefreshToken: string,
    refresh: (refreshToken: string) => Promise<OAuthGrant>,
  ): Promise<string> {
    const entry = this.entry(key);
    const grant = entry.grant;
    const sameGrant = grant && (grant.refreshToken === currentRefreshToken || entry.obtainedWith === currentRefreshToken);
    if (grant && sameGrant && grant.expiresAt - EXPIRY_MARGIN_MS > Date.now()) return grant.accessToken;
    const startFrom = sameGrant && grant ? grant.refreshToken : currentRefreshToken;
    return (await this.refreshOnce(key, startFrom, refresh)).accessToken;
  }

  /** Drops the grant that produced `accessToken` (a 401); a newer grant is kept. */
  invalidate(key: string, accessToken: string): void {
    const entry = this.entries.get(key);
    if (entry?.grant?.accessToken === accessToken) entry.grant = { ...entry.grant, expiresAt: 0 };
  }

  private refreshOnce(key: string, refreshToken: string, refresh: (refreshToken: string) => Promise<OAuthGrant>): Promise<OAuthGrant> {
    const entry = this.entry(key);
    if (!entry.pending) {
      entry.pending = refresh(refreshToken)
        .then((grant) => {
          entry.grant = grant;
          entry.obtainedWith = refreshToken;
          return grant;
        })
        .finally(() => {
          entry.pending = undefined;
        });
    }
    return entry.pending;
  }

  private entry(key: string): Entry {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = {};
      this.entries.set(key, entry);
    }
    return entry;
  }
}

export const tokenCache = new TokenCache();

/** Reads an RFC 6749 §5.1 token response. */
export function readTokenResponse(body: unknown, usedRefreshToken: string, service: string): OAuthGrant {
  const value = (body ?? {}) as Record<string, unknown>;
  const accessToken = value.access_token;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new DestinationError('destination-error', `${service} token endpoint answered without an access_token`);
  }
  const expiresIn = Number(value.expires_in);
  const refreshToken = typeof value.refresh_token === 'string' && value.refresh_token !== '' ? value.refresh_token : usedRefreshToken;
  return {
    accessToken,
    expiresAt: Date.now() + (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : 3_600_000),
    refreshToken,
  };
}

/** RFC 6749 §5.2 error bodies: `{ error, error_description }`. */
export function readOAuthError(body: unknown): string {
  const value = (body ?? {}) as Record<string, unknown>;
  const parts = [value.error, value.error_description].filter((part) => typeof part === 'string' && part !== '');
  return parts.length > 0 ? parts.join(': ') : typeof body === 'string' ? body.slice(0, 200) : 'token request refused';
}

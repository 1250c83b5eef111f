import { handleAll, retry } from 'cockatiel';
import { DestinationError, type ConnectorContext, type Logger } from '../types.js';
import type { ServiceClient } from './http.js';
import { readOAuthError, readTokenResponse, tokenCache, type OAuthGrant, type TokenCache } from './oauth.js';

export interface OAuthFlowOptions<C> {
  /** Cache key: one grant per connection and service endpoint. */
  key: string;
  service: string;
  client: ServiceClient;
  tokenUrl: string;
  /** The form of a refresh-token grant request (client id, secret, scope...). */
  grantForm(refreshToken: string): Record<string, string>;
  credentials: C;
  refreshTokenOf(credentials: C): string | undefined;
  withRefreshToken(credentials: C, refreshToken: string): C;
  saveCredentials(credentials: C): Promise<void>;
  reloadCredentials?(): Promise<C | undefined>;
  log?: Logger;
  cache?: TokenCache;
}

/**
 * The credential plumbing of a connector whose credentials are `{ refreshToken }`: where the
 * token is, how a rotated one is written back, and how the stored one is read again.
 */
export function refreshTokenCredentials<C extends { refreshToken?: string }>(
  context: ConnectorContext<C, unknown>,
): Pick<OAuthFlowOptions<C>, 'credentials' | 'refreshTokenOf' | 'withRefreshToken' | 'saveCredentials' | 'reloadCredentials' | 'log'> {
  return {
    credentials: context.credentials,
    refreshTokenOf: (credentials) => credentials.refreshToken,
    withRefreshToken: (credentials, refreshToken) => ({ ...credentials, refreshToken }),
    saveCredentials: (credentials) => context.saveCredentials(credentials),
    ...(context.reloadCredentials ? { reloadCredentials: () => context.reloadCredentials!() } : {}),
    ...(context.log ? { log: context.log } : {}),
  };
}

/**
 * OAuth 2.0 refresh-token flow for one connection: cached access tokens, one refresh at a
 * time, rotated refresh tokens written back to the secret store, and a 401 answered by one
 * refresh. Never logs a token.
 */
export class OAuthFlow<C> {
  private refreshToken: string;
  private lastAccessToken: string | undefined;
  private readonly cache: TokenCache;

  constructor(private readonly options: OAuthFlowOptions<C>) {
    const token = options.refreshTokenOf(options.credentials);
    if (!token) throw new DestinationError('auth-failed', `${options.service}: the connection has no refresh token`);
    this.refreshToken = token;
    this.cache = options.cache ?? tokenCache;
  }

  async accessToken(): Promise<string> {
    const token = await this.cache.accessToken(this.options.key, this.refreshToken, (refreshToken) => this.refresh(refreshToken));
    this.lastAccessToken = token;
    return token;
  }

  /** For ServiceClient.onUnauthorized: forget the refused token; the next attempt refreshes. */
  async unauthorized(): Promise<boolean> {
    if (this.lastAccessToken) this.cache.invalidate(this.options.key, this.lastAccessToken);
    return true;
  }

  private async refresh(refreshToken: string): Promise<OAuthGrant> {
    let grant: OAuthGrant;
    try {
      grant = await this.requestGrant(refreshToken);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      // Another process may have used (and rotated) this single-use token a moment ago.
      const stored = await this.options.reloadCredentials?.();
      const storedToken = stored ? this.options.refreshTokenOf(stored) : undefined;
      if (!storedToken || storedToken === refreshToken) throw refusal(this.options.service, error);
      try {
        grant = await this.requestGrant(storedToken);
      } catch (retryError) {
        throw isRefusal(retryError) ? refusal(this.options.service, retryError) : retryError;
      }
      refreshToken = storedToken;
    }
    this.refreshToken = grant.refreshToken;
    if (grant.refreshToken !== refreshToken) await this.saveRotated(grant.refreshToken);
    return grant;
  }

  private async requestGrant(refreshToken: string): Promise<OAuthGrant> {
    const response = await this.options.client.send({
      method: 'POST',
      path: '/token',
      url: this.options.tokenUrl,
      form: this.options.grantForm(refreshToken),
      anonymous: true,
      unmetered: true,
      readFailure: (_status, body) => ({ message: readOAuthError(body) }),
    });
    return readTokenResponse(response.body, refreshToken, this.options.service);
  }

  /** The old token is already spent: losing the new one would strand the connection, so insist. */
  private async saveRotated(refreshToken: string): Promise<void> {
    const credentials = this.options.withRefreshToken(this.options.credentials, refreshToken);
    try {
      await retry(handleAll, { maxAttempts: 3 }).execute(() => this.options.saveCredentials(credentials));
    } catch (error) {
      this.options.log?.error(
        `${this.options.service}: could not store the rotated refresh token (${(error as Error).message}); ` +
          'the connection will need to be authorized again once this process ends',
      );
    }
  }
}

function isRefusal(error: unknown): error is DestinationError {
  return error instanceof DestinationError && (error.code === 'auth-failed' || error.code === 'invalid-request');
}

function refusal(service: string, error: DestinationError): DestinationError {
  return new DestinationError(
    'auth-failed',
    `${service} refused the connection's refresh token (${error.message}); authorize the connection again`,
    false,
    error.status,
  );
}

import { asRecord, json, type SimRequest, type SimResponse } from './server.js';

/** What a simulator holds that the shared test controls act on; each is optional. */
export interface ControlledState {
  /** OAuth access tokens issued so far: expiring them makes the next call answer 401. */
  accessTokens?: { clear(): void };
  /** Items (member entries or hashes) the service refuses from now on. */
  refused?: Set<string>;
}

/**
 * The test controls every OAuth simulator has, for an app in a separate process:
 * `POST /__sim/expire-access-tokens`, and `POST /__sim/refuse {"items": ["<entry or sha-256>", ...]}`
 * (the handle's `refuseItems`). Undefined when the request is not one of them.
 */
export function sharedControl(request: SimRequest, state: ControlledState): SimResponse | undefined {
  if (request.method !== 'POST') return undefined;
  if (request.path === '/__sim/expire-access-tokens' && state.accessTokens) {
    state.accessTokens.clear();
    return json(204);
  }
  if (request.path === '/__sim/refuse' && state.refused) {
    const items = asRecord(request.body)?.items;
    if (!Array.isArray(items) || !items.every((item) => typeof item === 'string')) return json(400, { error: 'items: an array of strings' });
    for (const item of items) state.refused.add(item);
    return json(204);
  }
  return undefined;
}

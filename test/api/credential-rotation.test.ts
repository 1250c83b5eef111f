import { describe, expect, it } from 'vitest';
import { devConnections, type RunningSimulators } from '../../dev/simulators/index.js';
import { connectionSecretName } from '../../shared/secrets/types.js';
import { createConnection, useApiWithSimulators, type ApiHarness } from './harness.js';

/**
 * Credentials changed while a client is in use: the refresh token it rotates must not
 * overwrite what an admin saved meanwhile, and the connection test calls the service with
 * what is stored now.
 */

let api: ApiHarness;
let sims: RunningSimulators;
useApiWithSimulators((started) => ({ api, sims } = started));

const stored = async (id: string) => JSON.parse((await api.services().secrets.get(connectionSecretName(id)))!) as { refreshToken: string };

describe('credentials rotated by an in-flight client', () => {
  it('do not overwrite credentials PATCHed since the client read them', async () => {
    const connection = await createConnection(api, 'microsoft-advertising', { credentials: devConnections['microsoft-advertising'].credentials });
    // A client in flight (an upload) holding the credentials as they were.
    const inFlight = await api.services().destinationClient({ id: connection.id, type: 'microsoft-advertising' });
    const patched = await api.call('PATCH', `/api/connections/${connection.id}`, { body: { credentials: { refreshToken: 'a-newer-refresh-token' } } });
    expect(patched.status, patched.text).toBe(200);
    // Its next call refreshes with the old token, which the service rotates.
    await inFlight.testConnection();
    expect((await stored(connection.id)).refreshToken).toBe('a-newer-refresh-token');
  });

  it('the connection test uses the stored credentials, calling the token endpoint and the service', async () => {
    const connection = await createConnection(api, 'microsoft-advertising', { credentials: devConnections['microsoft-advertising'].credentials });
    expect((await api.call('POST', `/api/connections/${connection.id}/test`)).body).toEqual({ ok: true });
    const patched = await api.call('PATCH', `/api/connections/${connection.id}`, { body: { credentials: { refreshToken: 'not-a-token-the-service-issued' } } });
    expect(patched.status).toBe(200);
    const before = sims.microsoftAdvertising.requests.all().length;
    const test = await api.call('POST', `/api/connections/${connection.id}/test`);
    expect(test.body).toMatchObject({ ok: false, reason: 'auth-failed' });
    expect(sims.microsoftAdvertising.requests.all().length).toBeGreaterThan(before);
  });
});

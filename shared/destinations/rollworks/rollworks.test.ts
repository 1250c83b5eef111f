import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNextRollSimulator, type NextRollSimulator } from '../../../dev/simulators/nextroll/server.js';
import { devCredentials } from '../../../dev/simulators/credentials.js';
import { makeProfiles, memorySecretStore } from '../../../dev/simulators/testing.js';
import { loadConfig } from '../../config.js';
import { connectionSecretName } from '../../secrets/types.js';
import { connectDestination } from '../connect.js';
import { getDestination } from '../registry.js';

const creds = devCredentials.rollworks;
let sim: NextRollSimulator;

beforeAll(async () => {
  sim = await startNextRollSimulator({ brand: 'rollworks', rateLimits: false });
});
afterAll(async () => {
  await sim.stop();
});

async function connect(id: string, credentials: object, settings?: Record<string, string>) {
  const secrets = memorySecretStore({ [connectionSecretName(id)]: JSON.stringify(credentials) });
  const endpoints = loadConfig({
    ROLLWORKS_API_URL: sim.url,
    ROLLWORKS_CLIENT_ID: creds.clientId,
    ROLLWORKS_CLIENT_SECRET: creds.clientSecret,
    // AdRoll's application must not be the one RollWorks connections use.
    ADROLL_CLIENT_ID: devCredentials.adroll.clientId,
  }).destinations;
  return { secrets, client: await connectDestination({ secrets, endpoints }, { id, type: 'rollworks' }, settings) };
}

describe('RollWorks connector (the NextRoll implementation under its own brand)', () => {
  it('is the AdRoll destination with its own name and the same limits', () => {
    const rollworks = getDestination('rollworks');
    expect(rollworks.type).toBe('rollworks');
    expect(rollworks.displayName).toBe('RollWorks');
    expect(rollworks.limits).toEqual(getDestination('adroll').limits);
  });

  it('authenticates with the RollWorks application and exports a segment', async () => {
    const { secrets, client } = await connect('rollworks-1', { refreshToken: creds.refreshToken }, { advertiserId: creds.advertiserId });
    await client.testConnection();
    const profiles = makeProfiles(400);
    const { audienceId } = await client.ensureAudience('Target accounts', profiles.slice(0, 200));
    await client.uploadBatch(audienceId, profiles.slice(200));

    expect(new Set(sim.audience('Target accounts')!.members)).toEqual(new Set(profiles.map((p) => p.email)));
    expect(secrets.writes).toHaveLength(1);
    // Every request carried the RollWorks client id as apikey (AdRoll's would have been refused).
    expect(sim.requests.all((r) => r.status === 401)).toHaveLength(0);
  });

  it('refuses AdRoll credentials with a clear auth failure', async () => {
    const { client } = await connect('rollworks-2', { personalAccessToken: devCredentials.adroll.personalAccessToken });
    await expect(client.testConnection()).rejects.toMatchObject({
      code: 'auth-failed',
      message: expect.stringMatching(/^RollWorks GET \/audience\/v1\/advertisers: 401/),
    });
  });
});

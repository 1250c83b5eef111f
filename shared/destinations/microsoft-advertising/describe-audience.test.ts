import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { devCredentials } from '../../../dev/simulators/credentials.js';
import { startMicrosoftAdvertisingSimulator, type MicrosoftAdvertisingSimulator } from '../../../dev/simulators/microsoft-advertising/server.js';
import { batches, makeProfiles, memorySecretStore } from '../../../dev/simulators/testing.js';
import { loadConfig } from '../../config.js';
import { connectionSecretName } from '../../secrets/types.js';
import { connectDestination } from '../connect.js';
import { DestinationError, type DestinationClient } from '../types.js';
import { describeCustomerList } from './audience-size.js';
import { hashEmail } from './client.js';

const creds = devCredentials.microsoftAdvertising;
let sim: MicrosoftAdvertisingSimulator;
let connectionSeq = 0;

beforeAll(async () => {
  sim = await startMicrosoftAdvertisingSimulator({ rateLimits: false });
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(() => {
  sim.reset();
});

async function connect(): Promise<DestinationClient> {
  const id = `msads-describe-${++connectionSeq}`;
  const secrets = memorySecretStore({ [connectionSecretName(id)]: JSON.stringify({ refreshToken: creds.refreshToken }) });
  const endpoints = loadConfig({
    MSADS_API_URL: sim.url,
    MSADS_TOKEN_URL: sim.tokenUrl,
    MSADS_CLIENT_ID: creds.clientId,
    MSADS_CLIENT_SECRET: creds.clientSecret,
    MSADS_DEVELOPER_TOKEN: creds.developerToken,
  }).destinations;
  return connectDestination({ secrets, endpoints }, { id, type: 'microsoft-advertising' }, { customerId: creds.customerId, accountId: creds.accountId });
}

async function audienceWith(client: DestinationClient, name: string, count: number): Promise<string> {
  const { audienceId } = await client.ensureAudience(name, []);
  for (const batch of batches(makeProfiles(count), 1_000)) await client.uploadBatch(audienceId, batch);
  return audienceId;
}

describe('Microsoft Advertising describeAudience against its simulator', () => {
  it('reads SearchSize and AudienceNetworkSize once processing is over, as matched estimates', async () => {
    const client = await connect();
    const audienceId = await audienceWith(client, 'Sized', 1_200);
    sim.sizeReporting.matchRate = 0.5;
    const matched = makeProfiles(1_200).filter((p) => parseInt(hashEmail(p.email!).slice(0, 8), 16) / 2 ** 32 < 0.5).length;

    const description = await client.describeAudience!(audienceId);

    expect(matched).toBeGreaterThan(300);
    expect(matched).toBeLessThan(1_200);
    expect(description).toEqual({
      sizes: { SearchSize: matched, AudienceNetworkSize: matched },
      size: matched,
      counts: 'matched',
      estimate: true,
      state: 'ready',
      shownFrom: 300,
    });
  });

  it('says processing while the sizes are withheld after an upload', async () => {
    const client = await connect();
    sim.sizeReporting.delayMs = 60_000;
    const audienceId = await audienceWith(client, 'Fresh', 500);

    const description = await client.describeAudience!(audienceId);

    expect(description).toMatchObject({ sizes: { SearchSize: null, AudienceNetworkSize: null }, size: null, state: 'processing', shownFrom: 300 });
    expect(description.detail).toContain('48 hours');
  });

  it('withholds the sizes of a list under 300 members, as the service does', async () => {
    const client = await connect();
    const audienceId = await audienceWith(client, 'Small', 120);
    expect(await client.describeAudience!(audienceId)).toMatchObject({ size: null, state: 'processing' });
  });

  it('answers not-found for an audience the account does not hold', async () => {
    const failure = await (await connect()).describeAudience!('123456').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DestinationError);
    expect(failure).toMatchObject({ code: 'not-found', retryable: false });
  });
});

describe('describeCustomerList', () => {
  it('takes the larger of the two sizes and reads numbers sent as strings', () => {
    expect(describeCustomerList({ SearchSize: '900', AudienceNetworkSize: 1_100 })).toMatchObject({ size: 1_100, state: 'ready' });
    expect(describeCustomerList({ SearchSize: null })).toMatchObject({ size: null, state: 'processing' });
  });
});

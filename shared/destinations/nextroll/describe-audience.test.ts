import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startNextRollSimulator, type NextRollSimulator } from '../../../dev/simulators/nextroll/server.js';
import { devCredentials } from '../../../dev/simulators/credentials.js';
import { makeProfiles, memorySecretStore } from '../../../dev/simulators/testing.js';
import { loadConfig } from '../../config.js';
import { connectionSecretName } from '../../secrets/types.js';
import { connectDestination } from '../connect.js';
import { DestinationError, type DestinationClient } from '../types.js';

const creds = devCredentials.adroll;
let sim: NextRollSimulator;
let connectionSeq = 0;

beforeAll(async () => {
  sim = await startNextRollSimulator({ brand: 'adroll', rateLimits: false });
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(() => {
  sim.reset();
});

async function connect(settings: Record<string, string> = {}): Promise<DestinationClient> {
  const id = `adroll-describe-${++connectionSeq}`;
  const secrets = memorySecretStore({ [connectionSecretName(id)]: JSON.stringify({ personalAccessToken: creds.personalAccessToken }) });
  const endpoints = loadConfig({ ADROLL_API_URL: sim.url, ADROLL_CLIENT_ID: creds.clientId, ADROLL_CLIENT_SECRET: creds.clientSecret }).destinations;
  return connectDestination({ secrets, endpoints }, { id, type: 'adroll' }, { advertiserId: creds.advertiserId, ...settings });
}

describe('NextRoll describeAudience against its simulator', () => {
  it("reports each segment's email count, describing several segments with one listing", async () => {
    const client = await connect();
    const a = await client.ensureAudience('Segment A', makeProfiles(150));
    const b = await client.ensureAudience('Segment B', makeProfiles(120, { prefix: 'other' }));
    const before = sim.requests.all().length;

    const [first, second] = [await client.describeAudience!(a.audienceId), await client.describeAudience!(b.audienceId)];

    expect(first).toEqual({ sizes: { emails: 150 }, size: 150, counts: 'members', estimate: false, state: 'not-reported' });
    expect(second.size).toBe(120);
    expect(sim.requests.all().length - before).toBe(1);
  });

  it('shows that a replace on an appending account left the old members in the segment', async () => {
    const client = await connect({ segmentUpdates: 'replace' });
    const { audienceId } = await client.ensureAudience('Appending', makeProfiles(200));
    // The segment now should hold 150 (100 stayed, 50 joined); the simulator appends by default.
    await client.uploadBatch(audienceId, [...makeProfiles(100), ...makeProfiles(50, { prefix: 'joiner' })]);

    const fresh = await connect({ segmentUpdates: 'replace' });
    expect((await fresh.describeAudience!(audienceId)).size).toBe(250);
  });

  it('answers not-found for a segment the advertiser does not hold', async () => {
    const failure = await (await connect()).describeAudience!('NOSUCHSEGMENT').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DestinationError);
    expect(failure).toMatchObject({ code: 'not-found' });
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAutopilotSimulator, type AutopilotSimulator } from '../../../dev/simulators/autopilot/server.js';
import { devCredentials } from '../../../dev/simulators/credentials.js';
import { batches, makeProfiles, memorySecretStore } from '../../../dev/simulators/testing.js';
import { loadConfig } from '../../config.js';
import { connectionSecretName } from '../../secrets/types.js';
import { connectDestination } from '../connect.js';
import type { DestinationClient } from '../types.js';

let sim: AutopilotSimulator;
let connectionSeq = 0;

beforeAll(async () => {
  sim = await startAutopilotSimulator({ rateLimits: false });
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(() => {
  sim.reset();
});

async function connect(): Promise<DestinationClient> {
  const id = `autopilot-describe-${++connectionSeq}`;
  const secrets = memorySecretStore({ [connectionSecretName(id)]: JSON.stringify({ apiKey: devCredentials.autopilot.apiKey }) });
  return connectDestination({ secrets, endpoints: loadConfig({ AUTOPILOT_API_URL: sim.url }).destinations }, { id, type: 'autopilot' }, {});
}

describe('Autopilot describeAudience against its simulator', () => {
  it("reports the list's total_contacts in one request, and no processing state", async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Counted', []);
    for (const batch of batches(makeProfiles(250), 100)) await client.uploadBatch(audienceId, batch);
    const before = sim.requests.all().length;

    const description = await client.describeAudience!(audienceId);

    expect(description).toEqual({ sizes: { total_contacts: 250 }, size: 250, counts: 'members', estimate: false, state: 'not-reported' });
    expect(sim.requests.all().length - before).toBe(1);
  });

  it('counts a member removed at the service', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Shrinking', []);
    await client.uploadBatch(audienceId, makeProfiles(10));
    await client.removeMembers(audienceId, [makeProfiles(1)[0]!.email!]);
    expect((await client.describeAudience!(audienceId)).size).toBe(9);
  });
});

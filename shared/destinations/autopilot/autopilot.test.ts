import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAutopilotSimulator, autopilotRateLimit, type AutopilotSimulator } from '../../../dev/simulators/autopilot/server.js';
import { devCredentials } from '../../../dev/simulators/credentials.js';
import { batches, makeProfiles, memorySecretStore } from '../../../dev/simulators/testing.js';
import { loadConfig } from '../../config.js';
import { connectionSecretName } from '../../secrets/types.js';
import { connectDestination } from '../connect.js';
import { DestinationError, type DestinationClient, type HttpTuning } from '../types.js';
import { autopilotLimits } from './definition.js';

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

/** Each test gets its own connection id, hence its own client-side limiter. */
async function connect(apiKey: string = devCredentials.autopilot.apiKey, http?: HttpTuning): Promise<DestinationClient> {
  const id = `autopilot-${++connectionSeq}`;
  const secrets = memorySecretStore({ [connectionSecretName(id)]: JSON.stringify({ apiKey }) });
  const endpoints = loadConfig({ AUTOPILOT_API_URL: sim.url }).destinations;
  return connectDestination({ secrets, endpoints, http }, { id, type: 'autopilot' }, {});
}

describe('Autopilot connector against its simulator', () => {
  it('passes the connection test with a valid key and fails it clearly with a wrong one', async () => {
    await expect((await connect()).testConnection()).resolves.toBeUndefined();

    const failure = await (await connect('not-the-key')).testConnection().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DestinationError);
    expect(failure).toMatchObject({ code: 'auth-failed', retryable: false, status: 401 });
    expect((failure as Error).message).toContain('Provided autopilotapikey not valid');
  });

  it('creates the list named after the segment once and finds it afterwards', async () => {
    const client = await connect();
    const first = await client.ensureAudience('VIP customers', []);
    const second = await client.ensureAudience('VIP customers', []);

    expect(first).toMatchObject({ created: true, membersIncluded: false });
    expect(second).toEqual({ audienceId: first.audienceId, created: false, membersIncluded: false });
    expect(sim.audiences().map((list) => list.name)).toEqual(['VIP customers']);
  });

  it('delivers every profile exactly once with first and last names, in batches of at most 100', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Newsletter', []);
    const profiles = makeProfiles(1_000, { names: true });

    let accepted = 0;
    for (const batch of batches(profiles, autopilotLimits.batchSize)) accepted += (await client.uploadBatch(audienceId, batch)).accepted;

    const members = sim.audience('Newsletter')!.members;
    expect(accepted).toBe(1_000);
    expect(members).toHaveLength(1_000);
    expect(new Set(members)).toEqual(new Set(profiles.map((profile) => profile.email)));
    expect(sim.contact('person.1@example.com')).toMatchObject({ FirstName: 'First1', LastName: 'Last1' });
    expect(sim.contact('person.3@example.com')).toMatchObject({ FirstName: 'First3', LastName: undefined });
    expect(sim.requests.maxBatchSize((request) => request.path === '/v1/contacts')).toBe(100);
  });

  it('refuses a batch larger than the service takes before sending it', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Too big', []);
    await expect(client.uploadBatch(audienceId, makeProfiles(101))).rejects.toMatchObject({ code: 'invalid-request' });
    expect(sim.requests.all((request) => request.path === '/v1/contacts')).toHaveLength(0);
  });

  it('keeps under the published 5 requests per second, so the service never throttles it', async () => {
    sim.setRateLimits(true);
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Paced', []);
    const profiles = makeProfiles(2_000);
    // Parallel uploads, as concurrent activities would do: they share the connection's limiter.
    const results = await Promise.all(batches(profiles, 100).map((batch) => client.uploadBatch(audienceId, batch)));

    expect(results.reduce((sum, result) => sum + result.accepted, 0)).toBe(2_000);
    expect(sim.requests.all((request) => request.rateLimited === true)).toHaveLength(0);
    // The published rate over any one-second window.
    expect(sim.requests.maxInWindow(1_000)).toBeLessThanOrEqual(autopilotRateLimit.requestsPerSecond);
    expect(sim.audience('Paced')!.members).toHaveLength(2_000);
  });

  it('answers the simulator rate limit with 429 and Retry-After when a client ignores it', async () => {
    sim.setRateLimits(true);
    const statuses: number[] = [];
    const retryAfter: (string | null)[] = [];
    for (let i = 0; i < autopilotRateLimit.burst + 2; i++) {
      const response = await fetch(`${sim.url}/lists`, { headers: { autopilotapikey: devCredentials.autopilot.apiKey } });
      statuses.push(response.status);
      retryAfter.push(response.headers.get('retry-after'));
      await response.text();
    }
    expect(statuses.slice(0, autopilotRateLimit.burst).every((status) => status === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    expect(Number(retryAfter.at(-1))).toBeGreaterThanOrEqual(1);
  });

  it('retries injected 500s, 429s, a timeout and a dropped connection to success without loss or duplicates', async () => {
    const client = await connect(undefined, { timeoutMs: 400 });
    const { audienceId } = await client.ensureAudience('Flaky', []);
    sim.inject({ kind: 'status', status: 500, count: 2, path: '/contacts' });
    sim.inject({ kind: 'status', status: 429, retryAfterSeconds: 1, count: 1, path: '/contacts' });
    sim.inject({ kind: 'slow', delayMs: 1_000, count: 1, path: '/contacts' });
    sim.inject({ kind: 'drop', count: 1, path: '/contacts' });
    const profiles = makeProfiles(500);

    let accepted = 0;
    for (const batch of batches(profiles, 100)) accepted += (await client.uploadBatch(audienceId, batch)).accepted;

    expect(sim.faults.pending()).toBe(0);
    expect(sim.requests.all((request) => request.fault !== undefined)).toHaveLength(5);
    expect(accepted).toBe(500);
    const members = sim.audience('Flaky')!.members;
    expect(members).toHaveLength(500);
    expect(new Set(members)).toEqual(new Set(profiles.map((profile) => profile.email)));
  });

  it('gives up with a retryable error when the service keeps failing', async () => {
    const client = await connect(undefined, { maxAttempts: 3 });
    const { audienceId } = await client.ensureAudience('Down', []);
    sim.inject({ kind: 'status', status: 503, count: 3, path: '/contacts' });

    const failure = await client.uploadBatch(audienceId, makeProfiles(10)).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'transient', retryable: true, status: 503 });
    expect(sim.requests.all((request) => request.path === '/v1/contacts')).toHaveLength(3);
  });

  it('reports the rows the service refuses and delivers the rest of their batch', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Mixed', []);
    const profiles = makeProfiles(10);
    profiles[3] = { row: 4, email: 'broken@@example.com' };

    const result = await client.uploadBatch(audienceId, profiles);

    expect(result.accepted).toBe(9);
    expect(result.rejected).toEqual([
      { row: 4, reason: expect.stringContaining('contacts[0].Email: not a valid email address'), value: 'broken@@example.com' },
    ]);
    expect(sim.audience('Mixed')!.members).toHaveLength(9);
  });

  it('removes members from the list', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Leavers', []);
    const profiles = makeProfiles(20);
    await client.uploadBatch(audienceId, profiles);

    const result = await client.removeMembers(audienceId, [...profiles.slice(0, 5).map((p) => p.email!), 'never.there@example.com']);

    expect(result).toEqual({ removed: 6, failed: [] });
    expect(new Set(sim.audience('Leavers')!.members)).toEqual(new Set(profiles.slice(5).map((profile) => profile.email)));
  });

  it('lists every member of a list across pages', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Listed', []);
    const profiles = makeProfiles(250);
    for (const batch of batches(profiles, 100)) await client.uploadBatch(audienceId, batch);

    const members = await client.listMembers!(audienceId);

    expect(members.sort()).toEqual(profiles.map((p) => p.email).sort());
  });

  it('fails an upload to a list that does not exist as not-found, without blaming the rows', async () => {
    const client = await connect();
    await expect(client.uploadBatch('contactlist_missing', makeProfiles(4))).rejects.toMatchObject({ code: 'not-found' });
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOrttoSimulator, orttoRateLimit, type OrttoSimulator } from '../../../dev/simulators/ortto/server.js';
import { devCredentials } from '../../../dev/simulators/credentials.js';
import { batches, makeProfiles, memorySecretStore } from '../../../dev/simulators/testing.js';
import { loadConfig } from '../../config.js';
import { connectionSecretName } from '../../secrets/types.js';
import { connectDestination } from '../connect.js';
import { DestinationError, type DestinationClient, type HttpTuning } from '../types.js';
import { orttoLimits } from './definition.js';
import { orttoBaseUrl, readOrttoFailure } from './client.js';
import { orttoPersonFields } from './person.js';

let sim: OrttoSimulator;
let connectionSeq = 0;

beforeAll(async () => {
  sim = await startOrttoSimulator({ rateLimits: false });
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(() => {
  sim.reset();
});

/** Each test gets its own connection id, hence its own client-side limiter. */
async function connect(credentials: Record<string, string> = { apiKey: devCredentials.ortto.apiKey }, http?: HttpTuning): Promise<DestinationClient> {
  const id = `ortto-${++connectionSeq}`;
  const secrets = memorySecretStore({ [connectionSecretName(id)]: JSON.stringify(credentials) });
  const endpoints = loadConfig({ ORTTO_API_URL: sim.url }).destinations;
  return connectDestination({ secrets, endpoints, http }, { id, type: 'ortto' }, {});
}

describe('Ortto person fields', () => {
  it('sends the email, the names and the phone as digits with the country code for Ortto to parse', () => {
    expect(orttoPersonFields({ row: 1, email: 'ann@example.com', firstName: 'Ann', lastName: 'Lee', phone: '+61401234567' })).toEqual({
      'str::email': 'ann@example.com',
      'str::first': 'Ann',
      'str::last': 'Lee',
      'phn::phone': { phone: '61401234567', parse_with_country_code: true },
    });
    expect(orttoPersonFields({ row: 2, email: 'bob@example.com' })).toEqual({ 'str::email': 'bob@example.com' });
  });

  it("reads the rate limit's try-in-seconds as the wait, and other errors by their message", () => {
    expect(readOrttoFailure(429, { error: { code: 'rate-limit', message: 'rate limit', 'try-in-seconds': 10 } })).toEqual({
      message: 'rate limit',
      code: 'rate-limited',
      retryAfterMs: 10_000,
    });
    expect(readOrttoFailure(400, { error: { code: 'bad-request', message: 'people[0]: no' } })).toEqual({ message: 'people[0]: no' });
    expect(readOrttoFailure(502, 'Bad Gateway')).toEqual({ message: 'Bad Gateway' });
  });
});

describe('Ortto connector against its simulator', () => {
  it('passes the connection test with a valid key and fails it clearly with a wrong one', async () => {
    await expect((await connect()).testConnection()).resolves.toBeUndefined();
    const failure = await (await connect({ apiKey: 'not-the-key' })).testConnection().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DestinationError);
    expect(failure).toMatchObject({ code: 'auth-failed', retryable: false, status: 401 });
  });

  it("goes to the region's host, unless the app setting points every region elsewhere", () => {
    const unset = loadConfig({}).destinations;
    expect(orttoBaseUrl(unset, undefined)).toBe('https://api.ap3api.com/v1');
    expect(orttoBaseUrl(unset, 'au')).toBe('https://api.au.ap3api.com/v1');
    expect(orttoBaseUrl(unset, 'eu')).toBe('https://api.eu.ap3api.com/v1');
    expect(orttoBaseUrl(loadConfig({ ORTTO_API_URL: sim.url }).destinations, 'eu')).toBe(sim.url);
  });

  it('refuses a region Ortto does not have, naming the field', async () => {
    const failure = await connect({ apiKey: devCredentials.ortto.apiKey, region: 'us' }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'auth-failed' });
    expect((failure as Error).message).toContain('region');
  });

  it('tags every person once, in asynchronous merges of at most 100 by email, with names and phone', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Newsletter', []);
    const profiles = makeProfiles(450, { names: true }).map((p) => (p.row === 2 ? { ...p, phone: '+14155550123' } : p));
    let accepted = 0;
    for (const batch of batches(profiles, orttoLimits.batchSize)) accepted += (await client.uploadBatch(audienceId, batch)).accepted;
    await client.uploadBatch(audienceId, profiles.slice(0, 100));

    expect(accepted).toBe(450);
    expect(new Set(sim.audience('Newsletter')!.members)).toEqual(new Set(profiles.map((p) => p.email)));
    expect(sim.audience('Newsletter')!.members).toHaveLength(450);
    expect(sim.person('person.2@example.com')).toMatchObject({ first: 'First2', last: 'Last2', phone: '14155550123', tags: ['Newsletter'] });
    expect(sim.requests.maxBatchSize((r) => r.path === '/v1/person/merge')).toBe(100);
    expect(sim.mergeModes()).toEqual({ async: 6, sync: 0 });
  });

  it('keeps the tag as the audience id, and says in the notice how to set up the Ortto audience until it exists', async () => {
    const client = await connect();
    const missing = await client.ensureAudience('VIP', []);
    expect(missing).toMatchObject({ audienceId: 'VIP', created: false, membersIncluded: false });
    expect(missing.notice).toContain('Ortto has no audience named "VIP"');
    expect(missing.notice).toContain('filter Tags is "VIP"');

    sim.createOrttoAudience('VIP', 'Something else');
    expect((await client.ensureAudience('VIP', [])).notice).toContain('does not filter on the tag "VIP"');

    sim.reset();
    sim.createOrttoAudience('VIP');
    expect(await client.ensureAudience('VIP', [])).toEqual({ audienceId: 'VIP', created: false, membersIncluded: false });
  });

  it('untags leavers (an absent person is harmless) and lists the tag across pages for a full sync', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Leavers', []);
    const profiles = makeProfiles(1_200);
    for (const batch of batches(profiles, 100)) await client.uploadBatch(audienceId, batch);

    const result = await client.removeMembers(audienceId, [...profiles.slice(0, 150).map((p) => p.email!), 'never.there@example.com']);

    expect(result).toEqual({ removed: 151, failed: [] });
    const listed = await client.listMembers!(audienceId);
    expect(listed.sort()).toEqual(profiles.slice(150).map((p) => p.email!).sort());
    expect(sim.requests.all((r) => r.path === '/v1/person/get')).toHaveLength(3);
    expect(sim.person('person.1@example.com')).toMatchObject({ tags: [] });
  });

  it("reports the tag's count for insights in one request, and a tag that is gone as not-found", async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Counted', []);
    await client.uploadBatch(audienceId, makeProfiles(40));
    await client.removeMembers(audienceId, [makeProfiles(1)[0]!.email!]);
    const before = sim.requests.all().length;

    expect(await client.describeAudience!(audienceId)).toEqual({ sizes: { count: 39 }, size: 39, counts: 'members', estimate: false, state: 'not-reported' });
    expect(sim.requests.all().length - before).toBe(1);
    sim.deleteAudience('Counted');
    await expect(client.describeAudience!(audienceId)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('reports the person Ortto refuses and tags the rest of the batch', async () => {
    const client = await connect();
    const profiles = makeProfiles(10);
    profiles[6] = { row: 7, email: 'broken@@example.com' };
    const result = await client.uploadBatch('Mixed', profiles);
    expect(result.accepted).toBe(9);
    expect(result.rejected).toEqual([{ row: 7, reason: expect.stringContaining('str::email: not a valid email address'), value: 'broken@@example.com' }]);
    expect(sim.audience('Mixed')!.members).toHaveLength(9);
  });

  it("waits out a 429's try-in-seconds (Ortto sends no Retry-After)", async () => {
    const client = await connect();
    sim.inject({ kind: 'status', status: 429, retryAfterSeconds: 2, count: 1, path: '/person/merge' });
    const started = performance.now();
    expect((await client.uploadBatch('Throttled', makeProfiles(50))).accepted).toBe(50);
    expect(performance.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(sim.faults.pending()).toBe(0);
    expect(sim.audience('Throttled')!.members).toHaveLength(50);
  });

  it("keeps within the account's rate when uploads run in parallel", async () => {
    sim.setRateLimits(true);
    const client = await connect();
    const profiles = makeProfiles(9_000);
    const results = await Promise.all(batches(profiles, 100).map((batch) => client.uploadBatch('Paced', batch)));

    expect(results.reduce((sum, r) => sum + r.accepted, 0)).toBe(9_000);
    expect(sim.requests.all((r) => r.rateLimited === true)).toHaveLength(0);
    // 90 requests at 30 a second: about three seconds. Arrival times on a loaded machine bunch
    // (a window's requests can arrive late, beside the next), so a longer window is looked at.
    expect(sim.requests.maxInWindow(3_000)).toBeLessThanOrEqual(4 * orttoRateLimit.requestsPerSecond);
    expect(sim.audience('Paced')!.members).toHaveLength(9_000);
  });
});

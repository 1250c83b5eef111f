import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nextRollRateLimit, startNextRollSimulator, type NextRollSimulator } from '../../../dev/simulators/nextroll/server.js';
import { devCredentials } from '../../../dev/simulators/credentials.js';
import { makeProfiles, memorySecretStore } from '../../../dev/simulators/testing.js';
import { loadConfig } from '../../config.js';
import { connectionSecretName } from '../../secrets/types.js';
import { connectDestination } from '../connect.js';
import { DestinationError, type HttpTuning } from '../types.js';

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

function endpoints(overrides: Record<string, string> = {}) {
  return loadConfig({
    ADROLL_API_URL: sim.url,
    ADROLL_CLIENT_ID: creds.clientId,
    ADROLL_CLIENT_SECRET: creds.clientSecret,
    ...overrides,
  }).destinations;
}

/** A fresh connection (own id: own token cache entry and limiter) with its secret store. */
function connection(credentials: object = { refreshToken: creds.refreshToken }) {
  const id = `adroll-${++connectionSeq}`;
  const secrets = memorySecretStore({ [connectionSecretName(id)]: JSON.stringify(credentials) });
  const stored = () => JSON.parse(secrets.values.get(connectionSecretName(id))!) as Record<string, string>;
  /** `null`: no export settings, as in a connection test. */
  const connect = (settings: Record<string, string> | null = { advertiserId: creds.advertiserId }, http?: HttpTuning, env?: Record<string, string>) =>
    connectDestination({ secrets, endpoints: endpoints(env), http }, { id, type: 'adroll' }, settings ?? undefined);
  return { id, secrets, stored, connect };
}

describe('NextRoll connector, as AdRoll, against its simulator', () => {
  it('passes the connection test with OAuth and stores the rotated single-use refresh token', async () => {
    const conn = connection();
    await (await conn.connect(null)).testConnection();

    const rotated = conn.stored().refreshToken!;
    expect(rotated).not.toBe(creds.refreshToken);
    expect(conn.secrets.writes).toEqual([connectionSecretName(conn.id)]);

    // The rotated token works once; presenting it again is refused, as NextRoll refuses it.
    const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: rotated, client_id: creds.clientId, client_secret: creds.clientSecret });
    expect((await fetch(`${sim.url}/auth/token`, { method: 'POST', body })).status).toBe(200);
    const again = await fetch(`${sim.url}/auth/token`, { method: 'POST', body });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('passes the connection test with a personal access token', async () => {
    await expect((await connection({ personalAccessToken: creds.personalAccessToken }).connect(null)).testConnection()).resolves.toBeUndefined();
  });

  it('fails the connection test clearly for a refused refresh token, a wrong token or a missing client id', async () => {
    const refused = await (await connection({ refreshToken: 'not-a-token' }).connect(null)).testConnection().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DestinationError);
    expect(refused).toMatchObject({ code: 'auth-failed', retryable: false });
    expect((refused as Error).message).toMatch(/AdRoll refused the connection's refresh token .*invalid_grant/);

    const wrongPat = await (await connection({ personalAccessToken: 'nope' }).connect(null)).testConnection().catch((e: unknown) => e);
    expect(wrongPat).toMatchObject({ code: 'auth-failed', status: 401 });
    expect((wrongPat as Error).message).toContain('Invalid or expired access token');

    await expect(connection().connect(null, undefined, { ADROLL_CLIENT_ID: '' })).rejects.toMatchObject({
      code: 'auth-failed',
      message: expect.stringContaining('ADROLL_CLIENT_ID'),
    });
  });

  it('names an inaccessible advertiser in the connection test', async () => {
    const failure = await (await connection().connect({ advertiserId: 'SOMEONEELSE' })).testConnection().catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'not-found', message: expect.stringContaining('SOMEONEELSE') });
  });

  it('creates the CRM segment named after the segment with its first members, and finds it afterwards', async () => {
    const client = await connection().connect();
    const profiles = makeProfiles(150);

    const created = await client.ensureAudience('Spring buyers', profiles);
    const found = await client.ensureAudience('Spring buyers', profiles);

    expect(created).toMatchObject({ created: true, membersIncluded: true, initialResult: { accepted: 150, rejected: [] } });
    expect(found).toEqual({ audienceId: created.audienceId, created: false, membersIncluded: false });
    expect(sim.audiences()).toHaveLength(1);
    expect(new Set(sim.audience('Spring buyers')!.members)).toEqual(new Set(profiles.map((p) => p.email)));
  });

  it('refuses to create a segment from fewer than 100 unique emails', async () => {
    const client = await connection().connect();
    const failure = await client.ensureAudience('Tiny', makeProfiles(99)).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'invalid-request', message: expect.stringContaining('at least 100 unique emails') });
    expect(sim.audiences()).toHaveLength(0);
  });

  it('appends a whole segment in one request when the service appends', async () => {
    const client = await connection().connect();
    const first = makeProfiles(100);
    const { audienceId } = await client.ensureAudience('Loyal', first);
    const rest = makeProfiles(5_000, { firstRow: 101 });

    const result = await client.uploadBatch(audienceId, rest);

    expect(result).toEqual({ accepted: 5_000, rejected: [] });
    expect(sim.audience('Loyal')!.members).toHaveLength(5_100);
    const updates = sim.requests.all((r) => r.method === 'POST' && r.path === `/audience/v1/segments/${audienceId}`);
    expect(updates.map((r) => r.batchSize)).toEqual([5_000]);
  });

  it('leaves exactly the uploaded membership when the service replaces', async () => {
    sim.segmentUpdates = 'replace';
    const client = await connection().connect({ advertiserId: creds.advertiserId, segmentUpdates: 'replace' });
    const { audienceId } = await client.ensureAudience('Current', makeProfiles(200));
    const now = makeProfiles(300, { firstRow: 1_000 });

    await client.uploadBatch(audienceId, now);

    expect(new Set(sim.audience('Current')!.members)).toEqual(new Set(now.map((p) => p.email)));
    await expect(client.removeMembers(audienceId, [now[0]!.email!])).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringContaining('replaces the old one'),
    });
  });

  it('refreshes an expired access token once and carries on', async () => {
    const conn = connection();
    const client = await conn.connect();
    const { audienceId } = await client.ensureAudience('Renewed', makeProfiles(100));
    const before = conn.stored().refreshToken;

    sim.expireAccessTokens();
    await client.uploadBatch(audienceId, makeProfiles(100, { firstRow: 500 }));

    expect(sim.audience('Renewed')!.members).toHaveLength(200);
    expect(conn.stored().refreshToken).not.toBe(before);
    expect(sim.requests.all((r) => r.status === 401)).toHaveLength(1);
  });

  it('recovers when another process spent the refresh token it holds', async () => {
    const conn = connection();
    await (await conn.connect(null)).testConnection();
    const rotated = conn.stored().refreshToken!;
    // A second connection record on the same grant, as a second process would hold it.
    const other = connection({ refreshToken: rotated });
    const stale = await other.connect(null);
    // The "other process" refreshes first and stores the successor.
    const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: rotated, client_id: creds.clientId, client_secret: creds.clientSecret });
    const successor = ((await (await fetch(`${sim.url}/auth/token`, { method: 'POST', body })).json()) as { refresh_token: string }).refresh_token;
    await other.secrets.set(connectionSecretName(other.id), JSON.stringify({ refreshToken: successor }));

    await expect(stale.testConnection()).resolves.toBeUndefined();
    expect(other.stored().refreshToken).not.toBe(successor);
  });

  it('retries injected 500, 429, a timeout and a dropped connection to success without loss or duplicates', async () => {
    const client = await connection().connect(undefined, { timeoutMs: 1_000 });
    const { audienceId } = await client.ensureAudience('Flaky', makeProfiles(100));
    const path = `/audience/v1/segments/${audienceId}`;
    sim.inject({ kind: 'status', status: 500, count: 1, path });
    sim.inject({ kind: 'status', status: 429, retryAfterSeconds: 1, count: 1, path });
    sim.inject({ kind: 'slow', delayMs: 2_000, count: 1, path });
    sim.inject({ kind: 'drop', count: 1, path });
    const more = makeProfiles(1_000, { firstRow: 101 });

    const result = await client.uploadBatch(audienceId, more);

    expect(result.accepted).toBe(1_000);
    expect(sim.faults.pending()).toBe(0);
    const members = sim.audience('Flaky')!.members;
    expect(members).toHaveLength(1_100);
    expect(new Set(members).size).toBe(1_100);
  });

  it('never creates a segment twice when the create call breaks', async () => {
    const client = await connection().connect(undefined, { timeoutMs: 1_000 });
    // The first create takes effect but its answer is lost; the second attempt is dropped unprocessed.
    sim.inject({ kind: 'slow', delayMs: 2_000, count: 1, path: '/audience/v1/segments' });
    const slow = await client.ensureAudience('Once', makeProfiles(120));
    expect(slow.created).toBe(true);
    expect(sim.audiences().filter((a) => a.name === 'Once')).toHaveLength(1);

    sim.inject({ kind: 'drop', count: 1, path: '/audience/v1/segments' });
    const dropped = await client.ensureAudience('Twice', makeProfiles(120));
    expect(dropped.created).toBe(true);
    expect(sim.audiences().filter((a) => a.name === 'Twice')).toHaveLength(1);
  });

  it('keeps under the simulator rate limit', async () => {
    sim.setRateLimits(true);
    const client = await connection().connect();
    const { audienceId } = await client.ensureAudience('Paced', makeProfiles(100));
    await Promise.all(Array.from({ length: 6 }, (_, i) => client.uploadBatch(audienceId, makeProfiles(100, { firstRow: 1_000 * (i + 1) }))));

    expect(sim.requests.all((r) => r.rateLimited === true)).toHaveLength(0);
    expect(sim.requests.maxInWindow(1_000, (r) => r.path.startsWith('/audience'))).toBeLessThanOrEqual(nextRollRateLimit.requestsPerSecond);
    expect(sim.audience('Paced')!.members).toHaveLength(700);
  });
});

describe('NextRoll daily quota, as AdRoll', () => {
  it('ends with a retryable rate-limited error when the quota is spent', async () => {
    const quotaSim = await startNextRollSimulator({ brand: 'adroll', rateLimits: false, quota: 1 });
    try {
      const id = 'adroll-quota';
      const secrets = memorySecretStore({ [connectionSecretName(id)]: JSON.stringify({ personalAccessToken: creds.personalAccessToken }) });
      const env = loadConfig({ ADROLL_API_URL: quotaSim.url, ADROLL_CLIENT_ID: creds.clientId }).destinations;
      const client = await connectDestination({ secrets, endpoints: env, http: { maxAttempts: 2 } }, { id, type: 'adroll' });
      await client.testConnection();
      await expect(client.testConnection()).rejects.toMatchObject({ code: 'rate-limited', retryable: true, status: 429 });
    } finally {
      await quotaSim.stop();
    }
  });
});

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { devCredentials } from '../../../dev/simulators/credentials.js';
import {
  msadsRateLimit,
  startMicrosoftAdvertisingSimulator,
  type MicrosoftAdvertisingSimulator,
} from '../../../dev/simulators/microsoft-advertising/server.js';
import { batches, makeProfiles, memorySecretStore } from '../../../dev/simulators/testing.js';
import { loadConfig } from '../../config.js';
import { connectionSecretName } from '../../secrets/types.js';
import { connectDestination } from '../connect.js';
import { DestinationError, type HttpTuning } from '../types.js';
import { customerManagementUrl, hashEmail } from './client.js';
import { microsoftAdvertisingLimits } from './definition.js';

const creds = devCredentials.microsoftAdvertising;
const accountSettings = { customerId: creds.customerId, accountId: creds.accountId };
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

function connection(refreshToken: string = creds.refreshToken) {
  const id = `msads-${++connectionSeq}`;
  const secrets = memorySecretStore({ [connectionSecretName(id)]: JSON.stringify({ refreshToken }) });
  /** `null`: no export settings, as in a connection test. */
  const connect = (settings: Record<string, string> | null = accountSettings, http?: HttpTuning, env: Record<string, string> = {}) =>
    connectDestination(
      {
        secrets,
        http,
        endpoints: loadConfig({
          MSADS_API_URL: sim.url,
          MSADS_TOKEN_URL: sim.tokenUrl,
          MSADS_CLIENT_ID: creds.clientId,
          MSADS_CLIENT_SECRET: creds.clientSecret,
          MSADS_DEVELOPER_TOKEN: creds.developerToken,
          ...env,
        }).destinations,
      },
      { id, type: 'microsoft-advertising' },
      settings ?? undefined,
    );
  return { id, secrets, connect };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('Microsoft Advertising connector against its simulator', () => {
  it('hashes the normalized address: the documented test vector', () => {
    expect(hashEmail('test@contoso.com')).toBe('f25ad364d33972379a7a4f4df33db142205f5c40eb19cfdb2fc5aaf117e10101');
    expect(hashEmail('  Test@Contoso.com ')).toBe(hashEmail('test@contoso.com'));
  });

  it('derives the Customer Management host from the Campaign Management one', () => {
    expect(customerManagementUrl('https://campaign.api.bingads.microsoft.com')).toBe('https://clientcenter.api.bingads.microsoft.com');
    expect(customerManagementUrl('https://campaign.api.sandbox.bingads.microsoft.com')).toBe('https://clientcenter.api.sandbox.bingads.microsoft.com');
    expect(customerManagementUrl('http://127.0.0.1:7103')).toBe('http://127.0.0.1:7103');
  });

  it('passes the connection test (token refresh, then GetUser) and stores the new refresh token', async () => {
    const conn = connection();
    await (await conn.connect(null)).testConnection();
    const stored = JSON.parse(conn.secrets.values.get(connectionSecretName(conn.id))!) as { refreshToken: string };
    expect(stored.refreshToken).not.toBe(creds.refreshToken);
    expect(sim.requests.all((r) => r.path === '/CustomerManagement/v13/User/Query' && r.status === 200)).toHaveLength(1);
  });

  it('fails the connection test clearly for a refused refresh token or a wrong developer token', async () => {
    const refused = await (await connection('revoked').connect(null)).testConnection().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DestinationError);
    expect(refused).toMatchObject({ code: 'auth-failed', retryable: false });
    expect((refused as Error).message).toMatch(/refused the connection's refresh token .*invalid_grant: AADSTS70000/);

    const devToken = await (await connection().connect(null, undefined, { MSADS_DEVELOPER_TOKEN: 'wrong' })).testConnection().catch((e: unknown) => e);
    expect(devToken).toMatchObject({ code: 'auth-failed', status: 401 });
    expect((devToken as Error).message).toContain('105 InvalidCredentials');
  });

  it('creates one CustomerList audience named after the segment in the account and finds it afterwards', async () => {
    const client = await (await connection()).connect();
    const created = await client.ensureAudience('High value', []);
    const found = await client.ensureAudience('High value', []);

    expect(created).toMatchObject({ created: true, membersIncluded: false });
    expect(found).toEqual({ audienceId: created.audienceId, created: false, membersIncluded: false });
    expect(sim.audiences().map((a) => a.name)).toEqual(['High value']);
    const add = sim.requests.all((r) => r.path === '/CampaignManagement/v13/Audiences');
    expect(add).toHaveLength(1);
  });

  it('refuses audience names over 128 characters and calls without account settings', async () => {
    const client = await connection().connect();
    await expect(client.ensureAudience('x'.repeat(129), [])).rejects.toMatchObject({ code: 'invalid-request' });
    const noAccount = await connection().connect(null);
    await expect(noAccount.ensureAudience('Anything', [])).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringContaining('customerId and accountId'),
    });
  });

  it('sends only SHA-256 hashes of the normalized emails, every one exactly once, 1,000 a call at most', async () => {
    const client = await connection().connect();
    const { audienceId } = await client.ensureAudience('Hashed', []);
    const profiles = makeProfiles(5_000);
    profiles[0] = { row: 1, email: 'test@contoso.com' };

    let accepted = 0;
    for (const batch of batches(profiles, microsoftAdvertisingLimits.batchSize)) accepted += (await client.uploadBatch(audienceId, batch)).accepted;

    const members = sim.audience('Hashed')!.members;
    expect(accepted).toBe(5_000);
    expect(members).toHaveLength(5_000);
    expect(new Set(members)).toEqual(new Set(profiles.map((p) => sha256(p.email!))));
    expect(members).toContain('f25ad364d33972379a7a4f4df33db142205f5c40eb19cfdb2fc5aaf117e10101');
    expect(members.every((member) => /^[0-9a-f]{64}$/.test(member))).toBe(true);
    expect(sim.requests.maxBatchSize((r) => r.path.endsWith('/CustomerListUserData/Apply'))).toBe(1_000);
  });

  it('maps PartialErrors of single items to rejected rows and keeps the rest', async () => {
    const client = await connection().connect();
    const { audienceId } = await client.ensureAudience('Partial', []);
    const profiles = makeProfiles(10);
    sim.refuseItems([sha256(profiles[2]!.email!), sha256(profiles[7]!.email!)]);

    const result = await client.uploadBatch(audienceId, profiles);

    expect(result.accepted).toBe(8);
    expect(result.rejected).toEqual([
      { row: 3, reason: expect.stringContaining('8007 CustomerListItemInvalid'), value: sha256(profiles[2]!.email!) },
      { row: 8, reason: expect.stringContaining('8007 CustomerListItemInvalid'), value: sha256(profiles[7]!.email!) },
    ]);
    expect(sim.audience('Partial')!.members).toHaveLength(8);
  });

  it('raises terms-not-accepted (8003) from a 200 answer instead of swallowing it', async () => {
    const client = await connection().connect();
    const { audienceId } = await client.ensureAudience('Terms', []);
    sim.termsAccepted = false;

    const upload = await client.uploadBatch(audienceId, makeProfiles(5)).catch((e: unknown) => e);
    expect(upload).toMatchObject({ code: 'terms-not-accepted', retryable: false });
    expect((upload as Error).message).toContain('8003');
    await expect(client.ensureAudience('Another', [])).rejects.toMatchObject({ code: 'terms-not-accepted' });
    expect(sim.audience('Terms')!.members).toHaveLength(0);
  });

  it('accepts the Customer Match terms with the upload when the export says so', async () => {
    sim.termsAccepted = false;
    const client = await connection().connect({ ...accountSettings, acceptCustomerMatchTerms: 'true' });
    sim.termsAccepted = true;
    const { audienceId } = await client.ensureAudience('Accepting', []);
    sim.termsAccepted = false;

    await client.uploadBatch(audienceId, makeProfiles(5));

    expect(sim.termsAccepted).toBe(true);
    expect(sim.audience('Accepting')!.members).toHaveLength(5);
  });

  it('retries injected 500, 117 throttling, a timeout and a dropped connection without loss or duplicates', async () => {
    const client = await connection().connect(accountSettings, { timeoutMs: 500 });
    const { audienceId } = await client.ensureAudience('Flaky', []);
    const path = '/CustomerListUserData/Apply';
    sim.inject({ kind: 'status', status: 500, count: 2, path });
    sim.inject({ kind: 'status', status: 429, retryAfterSeconds: 1, count: 1, path });
    sim.inject({ kind: 'slow', delayMs: 1_500, count: 1, path });
    sim.inject({ kind: 'drop', count: 1, path });
    const profiles = makeProfiles(3_000);

    let accepted = 0;
    for (const batch of batches(profiles, 1_000)) accepted += (await client.uploadBatch(audienceId, batch)).accepted;

    expect(sim.faults.pending()).toBe(0);
    expect(accepted).toBe(3_000);
    expect(new Set(sim.audience('Flaky')!.members)).toEqual(new Set(profiles.map((p) => sha256(p.email!))));
  });

  it('refreshes an expired access token once and carries on', async () => {
    const client = await connection().connect();
    const { audienceId } = await client.ensureAudience('Renewed', []);
    sim.expireAccessTokens();

    await client.uploadBatch(audienceId, makeProfiles(10));

    expect(sim.audience('Renewed')!.members).toHaveLength(10);
    const expired = sim.requests.all((r) => r.status === 401);
    expect(expired).toHaveLength(1);
  });

  it('keeps under the simulator rate limit with parallel uploads', async () => {
    sim.setRateLimits(true);
    const client = await connection().connect();
    const { audienceId } = await client.ensureAudience('Paced', []);
    const profiles = makeProfiles(20_000);

    const results = await Promise.all(batches(profiles, 1_000).map((batch) => client.uploadBatch(audienceId, batch)));

    expect(results.reduce((sum, r) => sum + r.accepted, 0)).toBe(20_000);
    expect(sim.requests.all((r) => r.rateLimited === true)).toHaveLength(0);
    // Arrival times, not send times: on a loaded machine a request can reach the simulator up
    // to a couple of hundred milliseconds after its turn, so the window looked at is that much
    // shorter than the limiter's (1 s and 50 ms). Unpaced, twenty uploads would arrive at once.
    expect(sim.requests.maxInWindow(800, (r) => r.path.startsWith('/CampaignManagement'))).toBeLessThanOrEqual(msadsRateLimit.requestsPerSecond);
  });

  it('removes members by hash', async () => {
    const client = await connection().connect();
    const { audienceId } = await client.ensureAudience('Shrinking', []);
    const profiles = makeProfiles(30);
    await client.uploadBatch(audienceId, profiles);

    const result = await client.removeMembers(audienceId, profiles.slice(0, 10).map((p) => sha256(p.email!)));

    expect(result).toEqual({ removed: 10, failed: [] });
    expect(new Set(sim.audience('Shrinking')!.members)).toEqual(new Set(profiles.slice(10).map((p) => sha256(p.email!))));
  });

  it('replaces the whole membership with a Replace batch', async () => {
    const client = await connection().connect();
    const { audienceId } = await client.ensureAudience('Replaced', []);
    await client.uploadBatch(audienceId, makeProfiles(30));
    const now = makeProfiles(5, { firstRow: 500 });

    await client.uploadBatch(audienceId, now, { replace: true });

    expect(new Set(sim.audience('Replaced')!.members)).toEqual(new Set(now.map((p) => sha256(p.email!))));
  });
});

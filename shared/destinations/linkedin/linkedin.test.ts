import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { devConnections, devCredentials } from '../../../dev/simulators/credentials.js';
import { startLinkedinSimulator, type LinkedinSimulator } from '../../../dev/simulators/linkedin/server.js';
import { memorySecretStore } from '../../../dev/simulators/testing.js';
import { loadConfig } from '../../config.js';
import { connectionSecretName } from '../../secrets/types.js';
import { sha256Hex } from '../common/identifiers.js';
import { connectDestination } from '../connect.js';
import type { DestinationClient, HttpTuning, ProfileRecord } from '../types.js';
import { describeSegment } from './client.js';
import { readLinkedinFailure } from './errors.js';
import { addElement, removeElement } from './identifiers.js';
import { linkedin } from './index.js';

const creds = devCredentials.linkedin;
let sim: LinkedinSimulator;
let connectionSeq = 0;

beforeAll(async () => {
  sim = await startLinkedinSimulator({ rateLimits: false });
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(() => {
  sim.reset();
});

async function connect(options: { http?: HttpTuning; settings?: Record<string, string> } = {}): Promise<DestinationClient> {
  const id = `linkedin-${++connectionSeq}`;
  const secrets = memorySecretStore({ [connectionSecretName(id)]: JSON.stringify(devConnections.linkedin.credentials) });
  const endpoints = loadConfig({
    LINKEDIN_API_URL: sim.apiUrl,
    LINKEDIN_TOKEN_URL: sim.tokenUrl,
    LINKEDIN_CLIENT_ID: creds.clientId,
    LINKEDIN_CLIENT_SECRET: creds.clientSecret,
  }).destinations;
  return connectDestination({ secrets, endpoints, http: options.http }, { id, type: 'linkedin' }, options.settings ?? devConnections.linkedin.settings);
}

const person = (n: number): ProfileRecord => ({ row: n, email: `person.${n}@example.com`, firstName: `Ada${n}`, lastName: 'Lovelace', company: 'Analytical Engines Ltd', countryCode: 'GB' });
const people = (count: number, from = 1) => Array.from({ length: count }, (_, k) => person(from + k));

describe("LinkedIn's elements and member ids", () => {
  it('hashes the email as preparation left it and sends names and country as they are', () => {
    expect(addElement({ row: 1, email: 'test@contoso.com', firstName: 'Ada', lastName: "O'Neil", countryCode: 'GB' })).toEqual({
      action: 'ADD',
      userIds: [{ idType: 'SHA256_EMAIL', idValue: 'f25ad364d33972379a7a4f4df33db142205f5c40eb19cfdb2fc5aaf117e10101' }],
      firstName: 'Ada',
      lastName: "O'Neil",
      country: 'GB',
    });
    // Hints the profile lacks are left out, not sent empty.
    expect(addElement({ row: 2, email: 'a@example.com' })).toEqual({ action: 'ADD', userIds: [{ idType: 'SHA256_EMAIL', idValue: sha256Hex('a@example.com') }] });
    expect(linkedin.memberId({ row: 3, email: 'a@example.com', firstName: 'Changed' })).toBe(sha256Hex('a@example.com'));
    expect(removeElement(sha256Hex('a@example.com'))).toEqual({ action: 'REMOVE', userIds: [{ idType: 'SHA256_EMAIL', idValue: sha256Hex('a@example.com') }] });
  });

  it('sends a mapped company as the element\'s company, as preparation left it (not hashed), and none when unmapped', () => {
    const element = addElement({ row: 1, email: 'test@contoso.com', company: 'Contoso Ltd.', countryCode: 'US' });
    expect(element).toEqual({
      action: 'ADD',
      userIds: [{ idType: 'SHA256_EMAIL', idValue: sha256Hex('test@contoso.com') }],
      company: 'Contoso Ltd.',
      country: 'US',
    });
    expect(addElement({ row: 2, email: 'test@contoso.com', countryCode: 'US' })).not.toHaveProperty('company');
    // The company is a hint: it changes neither the member id nor what a removal names.
    expect(linkedin.memberId({ row: 3, email: 'test@contoso.com', company: 'Fabrikam' })).toBe(sha256Hex('test@contoso.com'));
    // The catalog offers it for LinkedIn, sent plain.
    expect(linkedin.dataMatching.optional).toContain('company');
    expect(linkedin.identifiers.encoding.company).toBe('plain');
  });
});

describe('reading LinkedIn failures', () => {
  it('reads code and message, a refused permission as auth-failed, and waits a daily quota out until midnight UTC', () => {
    expect(readLinkedinFailure(400, { status: 400, code: 'ILLEGAL_ARGUMENT', message: '/elements: at most 5000' })).toEqual({ message: 'ILLEGAL_ARGUMENT: /elements: at most 5000' });
    expect(readLinkedinFailure(403, { status: 403, code: 'ACCESS_DENIED', message: 'Not enough permissions' })).toMatchObject({ code: 'auth-failed' });
    const now = Date.parse('2026-12-07T23:00:00Z');
    const daily = readLinkedinFailure(429, { status: 429, message: 'Resource level throttle APPLICATION DAY limit for calls to this resource is reached.' }, undefined, now);
    expect(daily).toMatchObject({ code: 'rate-limited', retryAfterMs: 3_600_000 });
    // A minute's throttle is a plain 429: the status and Retry-After decide.
    expect(readLinkedinFailure(429, { status: 429, message: 'Resource level throttle MEMBER MINUTE limit' }).code).toBeUndefined();
  });

  it('reads segment statuses as audience states, a READY segment under 300 as too small to serve', () => {
    expect(describeSegment({ id: 1, status: 'BUILDING' })).toMatchObject({ state: 'processing', size: null, counts: 'matched', shownFrom: 300 });
    expect(describeSegment({ id: 1, status: 'UPDATING', audienceSize: 900 })).toMatchObject({ state: 'processing', size: 900 });
    expect(describeSegment({ id: 1, status: 'READY', audienceSize: 1_200, matchedCount: 40 })).toEqual({
      sizes: { audienceSize: 1_200, matchedCount: 40 },
      size: 1_200,
      counts: 'matched',
      estimate: false,
      state: 'ready',
      shownFrom: 300,
      detail: 'status READY',
    });
    expect(describeSegment({ id: 1, status: 'READY', audienceSize: 299 })).toMatchObject({ state: 'too-small-to-serve', detail: expect.stringMatching(/299 matched members.*from 300/) });
    expect(describeSegment({ id: 1, status: 'ARCHIVED', audienceSize: 500 }).state).toBe('ready');
    for (const status of ['EXPIRED', 'FAILED']) expect(describeSegment({ id: 1, status, audienceSize: 500 }).state).toBe('failed');
  });
});

describe('LinkedIn connector against its simulator', () => {
  it('creates one DMP segment per name in the ad account, found again by its source segment id', async () => {
    const client = await connect();
    const { audienceId, created } = await client.ensureAudience('B2B buyers', []);
    expect(created).toBe(true);
    expect(await client.ensureAudience('B2B buyers', [])).toEqual({ audienceId, created: false, membersIncluded: false });
    expect(sim.audiences().filter((audience) => audience.name === 'B2B buyers')).toHaveLength(1);
    const create = sim.requests.all((request) => request.method === 'POST' && request.path === '/rest/dmpSegments');
    expect(create).toHaveLength(1);
  });

  it('lands members with their hints, and the simulator lists them as received', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Landing', []);
    const records = people(40);
    const result = await client.uploadBatch(audienceId, records);
    expect(result.accepted).toBe(40);
    expect(result.rejected).toEqual([]);
    expect(new Set(sim.audience('Landing')!.members)).toEqual(new Set(records.map(linkedin.memberId)));
    const listed = (await (await fetch(`${sim.url}/__sim/audiences/${encodeURIComponent('Landing')}`)).json()) as { members: Record<string, string>[] };
    expect(listed.members).toContainEqual({
      SHA256_EMAIL: sha256Hex('person.7@example.com'),
      firstName: 'Ada7',
      lastName: 'Lovelace',
      company: 'Analytical Engines Ltd',
      country: 'GB',
    });
  });

  it('reports a refused element by its row and counts the others', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Refusals', []);
    const records = people(10);
    sim.refuseItems([linkedin.memberId(records[1]!), linkedin.memberId(records[8]!)]);
    const result = await client.uploadBatch(audienceId, records);
    expect(result.accepted).toBe(8);
    expect(result.rejected).toEqual([
      { row: 2, reason: 'destination-rejected: 400 The user id could not be processed', value: 'person.2@example.com' },
      { row: 9, reason: 'destination-rejected: 400 The user id could not be processed', value: 'person.9@example.com' },
    ]);
    expect(sim.audience('Refusals')!.members).toHaveLength(8);
  });

  it('removes by hashed email and names the removals it refused', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Removals', []);
    const records = people(20);
    await client.uploadBatch(audienceId, records);
    const gone = records.slice(0, 5).map(linkedin.memberId);
    sim.refuseItems([gone[4]!]);
    const result = await client.removeMembers(audienceId, gone);
    expect(result).toEqual({ removed: 4, failed: [{ memberId: gone[4], reason: '400 The user id could not be processed' }] });
    expect(new Set(sim.audience('Removals')!.members)).toEqual(new Set(records.slice(4).map(linkedin.memberId)));
  });

  it('sends LinkedIn-Version, the Rest.li protocol and BATCH_CREATE; the simulator refuses calls without them', async () => {
    const client = await connect({ settings: { ...devConnections.linkedin.settings, linkedinVersion: '202610' } });
    const { audienceId } = await client.ensureAudience('Headers', []);
    await client.uploadBatch(audienceId, people(3));
    const token = (await (
      await fetch(sim.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.refreshToken, client_id: creds.clientId, client_secret: creds.clientSecret }),
      })
    ).json()) as { access_token: string };
    const body = JSON.stringify({ elements: [removeElement(sha256Hex('person.1@example.com'))] });
    const post = (headers: Record<string, string>) =>
      fetch(`${sim.apiUrl}/dmpSegments/${audienceId}/users`, { method: 'POST', headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json', ...headers }, body });
    const all = { 'linkedin-version': '202610', 'x-restli-protocol-version': '2.0.0', 'x-restli-method': 'BATCH_CREATE' };
    expect((await post({ ...all, 'x-restli-protocol-version': '1.0.0' })).status).toBe(400);
    expect((await post({ 'x-restli-protocol-version': '2.0.0', 'x-restli-method': 'BATCH_CREATE' })).status).toBe(426);
    expect((await post({ 'linkedin-version': '202610', 'x-restli-protocol-version': '2.0.0' })).status).toBe(400);
    expect((await post(all)).status).toBe(200);
    expect(sim.audience('Headers')!.members).toHaveLength(2);
  });

  it('refuses a batch over 5,000 before sending it', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Too many', []);
    const before = sim.requests.all().length;
    await expect(client.uploadBatch(audienceId, people(5_001))).rejects.toMatchObject({ code: 'invalid-request', retryable: false });
    expect(sim.requests.all()).toHaveLength(before);
  });

  it('refreshes an expired access token once and goes on', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Expiry', []);
    sim.expireAccessTokens();
    expect((await client.uploadBatch(audienceId, people(5))).accepted).toBe(5);
    expect(sim.requests.all((request) => request.status === 401)).toHaveLength(1);
  });

  it('reads BUILDING, then READY with audienceSize at the match rate; under 300 matched the segment cannot serve', async () => {
    const client = await connect();
    sim.statusDelayMs = 300;
    sim.matchRate = 0.5;
    const { audienceId } = await client.ensureAudience('Sizes', []);
    const records = people(1_000);
    await client.uploadBatch(audienceId, records);
    // Never READY yet: BUILDING, with no size.
    expect(await client.describeAudience!(audienceId)).toMatchObject({ state: 'processing', size: null, detail: 'status BUILDING' });
    await sleep(350);
    const matched = records.map(linkedin.memberId).filter((hash) => parseInt(hash.slice(0, 8), 16) / 2 ** 32 < 0.5).length;
    expect(matched).toBeGreaterThan(300);
    expect(matched).toBeLessThan(1_000);
    expect(await client.describeAudience!(audienceId)).toMatchObject({ state: 'ready', size: matched, sizes: { audienceSize: matched, matchedCount: matched } });
    // A change after READY reads UPDATING, keeping the last size, until the delay is over.
    await client.uploadBatch(audienceId, people(1, 9_000));
    expect(await client.describeAudience!(audienceId)).toMatchObject({ state: 'processing', detail: 'status UPDATING', size: expect.any(Number) });

    const { audienceId: small } = await client.ensureAudience('Small', []);
    expect(await client.describeAudience!(small)).toMatchObject({ state: 'processing', size: null, detail: 'status BUILDING' });
    sim.statusDelayMs = 0;
    await sleep(350);
    await client.uploadBatch(small, people(200, 5_000));
    expect(await client.describeAudience!(small)).toMatchObject({ state: 'too-small-to-serve', size: expect.any(Number) });
    await expect(client.describeAudience!('999')).rejects.toMatchObject({ code: 'not-found' });
  });

  it('keeps to 10 requests a second and waits a 429 out', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Paced', []);
    sim.setRateLimits(true);
    try {
      sim.inject({ kind: 'status', status: 429, retryAfterSeconds: 1, count: 1 });
      const batches = Array.from({ length: 25 }, (_, k) => people(10, 1 + k * 10));
      const results = await Promise.all(batches.map((batch) => client.uploadBatch(audienceId, batch)));
      expect(results.reduce((sum, result) => sum + result.accepted, 0)).toBe(250);
      expect(sim.faults.pending()).toBe(0);
      expect(sim.requests.all((request) => request.rateLimited === true)).toHaveLength(0);
      expect(sim.requests.maxInWindow(1_000, (request) => request.path.endsWith('/users'))).toBeLessThanOrEqual(20);
      expect(sim.audience('Paced')!.members).toHaveLength(250);
    } finally {
      sim.setRateLimits(false);
    }
  });
});

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { devCredentials } from '../../../dev/simulators/credentials.js';
import { startGoogleAdsSimulator, type GoogleAdsSimulator } from '../../../dev/simulators/google-ads/server.js';
import { loadConfig } from '../../config.js';
import { entryHasKey } from '../common/identifiers.js';
import { withPacing } from '../common/pacing.js';
import { RequestPending, type ProfileRecord } from '../types.js';
import { connectGoogleAds, type GoogleAdsClient } from './client.js';
import { readGoogleFailure } from './errors.js';
import { describeUserList } from './user-list.js';
import { googleMemberEntry, googleSentIdentifiers, invalidMember, normalizeGoogleEmail } from './identifiers.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('Google normalization and hashing', () => {
  it('removes dots and +suffix from gmail.com and googlemail.com addresses only, after lower-casing and removing whitespace', () => {
    expect(normalizeGoogleEmail('Jane.Doe+ads@GMail.com')).toBe('janedoe@gmail.com');
    expect(normalizeGoogleEmail(' j.a.n.e+x+y@googlemail.com ')).toBe('jane@googlemail.com');
    expect(normalizeGoogleEmail('Jane.Doe+ads@Example.com')).toBe('jane.doe+ads@example.com');
    expect(normalizeGoogleEmail('jane .doe@example. com')).toBe('jane.doe@example.com');
    expect(normalizeGoogleEmail('jane.doe@gmail.com.au')).toBe('jane.doe@gmail.com.au');
  });

  it('hashes email, phone (E.164 with its +) and names as SHA-256 hex, and sends postal and region codes plain', () => {
    // A known SHA-256 vector, so the hashing itself is checked, not only compared with itself.
    expect(googleSentIdentifiers({ row: 1, email: 'abc' }).email).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const sent = googleSentIdentifiers({ row: 1, email: 'J.Doe@gmail.com', phone: '+14155550123', firstName: ' Jane ', lastName: 'DOE', postalCode: '94103', countryCode: 'us' });
    expect(sent).toEqual({
      email: sha256('jdoe@gmail.com'),
      phone: sha256('+14155550123'),
      firstName: sha256('jane'),
      lastName: sha256('doe'),
      postalCode: '94103',
      countryCode: 'US',
    });
  });

  it('sends an address only with all four of its parts', () => {
    expect(googleSentIdentifiers({ row: 1, email: 'a@example.com', firstName: 'Jane', lastName: 'Doe', countryCode: 'US' })).toEqual({ email: sha256('a@example.com') });
  });

  it("keys the ledger by the first identifier the member has, so erasure finds the person's entry by the email", () => {
    const entry = googleMemberEntry({ row: 1, email: 'jane@example.com', phone: '+14155550123' });
    expect(entry).toBe(`email=${sha256('jane@example.com')}&phone=${sha256('+14155550123')}`);
    expect(entryHasKey(entry, googleMemberEntry({ row: 0, email: 'jane@example.com' }))).toBe(true);
    expect(googleMemberEntry({ row: 2, phone: '+14155550124' })).toBe(`phone=${sha256('+14155550124')}`);
  });

  it('refuses before sending what the service would refuse', () => {
    const check = (profile: ProfileRecord) => invalidMember(profile, googleSentIdentifiers(profile));
    expect(check({ row: 1, email: '+only.a.tag@gmail.com' })).toBe('invalid-email');
    expect(check({ row: 1, phone: '+12' })).toBe('invalid-phone');
    expect(check({ row: 1, firstName: 'Jane', lastName: 'Doe' })).toBe('no-identifier');
    expect(check({ row: 1, firstName: 'Jane', lastName: 'Doe', postalCode: '1', countryCode: 'USA' })).toBe('invalid-country');
    expect(check({ row: 1, email: 'jane@example.com', phone: '+14155550123' })).toBeUndefined();
  });
});

describe('google.rpc errors', () => {
  const body = (status: string, details: unknown[] = [], message = 'm') => ({ error: { code: 0, status, message, details } });
  it('waits as RetryInfo says on RESOURCE_EXHAUSTED', () => {
    expect(readGoogleFailure(429, body('RESOURCE_EXHAUSTED', [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.5s' }]))).toMatchObject({
      code: 'rate-limited',
      retryAfterMs: 1_500,
    });
  });
  it('tells the terms from other refusals, and a bad member from a bad request', () => {
    expect(readGoogleFailure(403, body('PERMISSION_DENIED', [], 'Customer Match terms of service not accepted')).code).toBe('terms-not-accepted');
    expect(readGoogleFailure(403, body('PERMISSION_DENIED')).code).toBe('auth-failed');
    const violation = (field: string) => [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field, description: 'bad' }] }];
    expect(readGoogleFailure(400, body('INVALID_ARGUMENT', violation('audienceMembers[3].userData'))).code).toBe('invalid-request');
    expect(readGoogleFailure(400, body('INVALID_ARGUMENT', violation('destinations[0].productDestinationId'))).code).toBe('destination-error');
  });
});

describe('Google Ads client on the simulator', () => {
  let sim: GoogleAdsSimulator;
  let seq = 0;
  beforeAll(async () => {
    sim = await startGoogleAdsSimulator({ rateLimits: false });
  });
  afterAll(() => sim?.stop());
  beforeEach(() => sim.reset());

  const connect = (credentials: Partial<{ refreshToken: string; customerId: string; loginCustomerId: string }> = {}, requestsPerSecond = 1_000): GoogleAdsClient => {
    const creds = devCredentials.googleAds;
    const endpoints = loadConfig({
      GOOGLE_ADS_API_URL: sim.apiUrl,
      GOOGLE_ADS_TOKEN_URL: sim.tokenUrl,
      GOOGLE_ADS_CLIENT_ID: creds.clientId,
      GOOGLE_ADS_CLIENT_SECRET: creds.clientSecret,
    }).destinations;
    return connectGoogleAds({
      connectionId: `google-test-${++seq}`,
      credentials: { refreshToken: creds.refreshToken, customerId: '123-456-7890', ...credentials },
      settings: { adUserData: 'granted', adPersonalization: 'denied', membershipDurationDays: '30' },
      endpoints,
      saveCredentials: async () => undefined,
      http: { requestsPerSecond },
    });
  };

  it('sends email-only, phone-only and address-only members with the consent, as the list shows them over HTTP', async () => {
    const client = connect();
    const { audienceId, created } = await client.ensureAudience('Mixed identifiers', []);
    expect(created).toBe(true);
    const records: ProfileRecord[] = [
      { row: 1, email: 'Jane.Doe+news@gmail.com' },
      { row: 2, phone: '+4930123456789' },
      { row: 3, firstName: 'Ann', lastName: 'Lee', postalCode: '10115', countryCode: 'DE' },
      { row: 4, firstName: 'Bo' },
    ];
    const result = await client.uploadBatch(audienceId, records);
    expect(result).toEqual({ accepted: 3, rejected: [{ row: 4, reason: 'no-identifier' }] });
    const response = await fetch(`${sim.url}/__sim/audiences/${encodeURIComponent('Mixed identifiers')}`);
    expect(((await response.json()) as { members: unknown[] }).members).toEqual([
      { emailAddress: sha256('janedoe@gmail.com') },
      { phoneNumber: sha256('+4930123456789') },
      { address: { givenName: sha256('ann'), familyName: sha256('lee'), regionCode: 'DE', postalCode: '10115' } },
    ]);
    expect(new Set(sim.audience('Mixed identifiers')!.members)).toEqual(new Set(records.slice(0, 3).map(googleMemberEntry)));
  });

  it('bisects a refused request down to the members at fault: only their rows are reported, the rest arrive, in few requests', async () => {
    const client = connect();
    const { audienceId } = await client.ensureAudience('Bisect', []);
    const records = Array.from({ length: 1_000 }, (_, k): ProfileRecord => ({ row: k + 1, email: `person.${k + 1}@example.com` }));
    const bad = [records[17]!, records[500]!, records[999]!];
    sim.refuseItems(bad.map(googleMemberEntry));
    const before = sim.requests.all().length;
    const result = await client.uploadBatch(audienceId, records);
    expect(result.accepted).toBe(997);
    expect(result.rejected.map((rejection) => rejection.row)).toEqual([18, 501, 1000]);
    expect(result.rejected[0]!.reason).toMatch(/^destination-rejected: .*INVALID_ARGUMENT/);
    expect(new Set(sim.audience('Bisect')!.members)).toEqual(new Set(records.filter((record) => !bad.includes(record)).map(googleMemberEntry)));
    // Three culprits among 1,000: about 3 × 2 × log2(1000), far from one request a member.
    expect(sim.requests.all().length - before).toBeLessThan(70);
  });

  it('keeps each request id, and reads PROCESSING, then the outcome with the match-rate range', async () => {
    const client = connect();
    const { audienceId } = await client.ensureAudience('Status', []);
    sim.processingDelayMs = 300;
    await client.uploadBatch(audienceId, [{ row: 1, email: 'a@example.com' }, { row: 2, phone: '+14155550123' }]);
    const [requestId] = client.requestIds;
    expect(requestId).toBeDefined();
    expect((await client.requestStatus(requestId!)).state).toBe('PROCESSING');
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await client.requestStatus(requestId!)).toMatchObject({ state: 'SUCCESS', recordCount: 2, userIdentifierCount: 2, uploadMatchRateRange: expect.stringMatching(/^MATCH_RATE_RANGE_/) });
  });

  it('reads FAILED for a request the service could not process, which changed nothing', async () => {
    const client = connect();
    const { audienceId } = await client.ensureAudience('Failed', []);
    sim.failNextRequests(1);
    await client.uploadBatch(audienceId, [{ row: 1, email: 'a@example.com' }]);
    expect((await client.requestStatus(client.requestIds[0]!)).state).toBe('FAILED');
    expect(sim.audience('Failed')!.members).toEqual([]);
  });

  it('sends the manager account as loginAccount, and a manager that cannot reach the customer is an auth failure', async () => {
    const good = connect({ loginCustomerId: devCredentials.googleAds.loginCustomerId });
    const { audienceId } = await good.ensureAudience('Managed', []);
    expect((await good.uploadBatch(audienceId, [{ row: 1, email: 'a@example.com' }])).accepted).toBe(1);
    const wrong = connect({ loginCustomerId: '999-999-9999' });
    await expect(wrong.uploadBatch(audienceId, [{ row: 1, email: 'a@example.com' }])).rejects.toMatchObject({ code: 'auth-failed' });
  });

  it('names a customer id that is not one', async () => {
    await expect(connect({ customerId: 'not-an-id' }).testConnection()).rejects.toMatchObject({ code: 'invalid-request', message: expect.stringContaining('credentials.customerId') });
  });

  it('hands over each accepted request once, with the member ids it carried, as the ledger keeps them', async () => {
    const client = connect();
    const { audienceId } = await client.ensureAudience('Accepted', []);
    const records: ProfileRecord[] = [{ row: 1, email: 'a@example.com' }, { row: 2, phone: '+14155550123' }];
    await client.uploadBatch(audienceId, records);
    await client.removeMembers(audienceId, [googleMemberEntry(records[0]!)]);
    const taken = client.processing!.takeAccepted();
    expect(taken).toEqual([
      { requestId: client.requestIds[0], operation: 'add', memberIds: records.map(googleMemberEntry) },
      { requestId: client.requestIds[1], operation: 'remove', memberIds: [googleMemberEntry(records[0]!)] },
    ]);
    expect(client.processing!.takeAccepted()).toEqual([]);
    sim.partlySucceedNextRequests(1);
    await client.uploadBatch(audienceId, [{ row: 3, email: 'c@example.com' }]);
    expect(await client.processing!.status(client.requestIds[2]!)).toMatchObject({ state: 'partially-succeeded', serviceState: 'PARTIAL_SUCCESS', matchRateRange: expect.stringMatching(/^MATCH_RATE_RANGE_/) });
  });

  it('a full sync whose remove-all is processing sends nothing and says when to check again; checked later, it adds', async () => {
    const client = connect();
    const { audienceId } = await client.ensureAudience('Replace', []);
    await client.uploadBatch(audienceId, [{ row: 1, email: 'old@example.com' }]);
    sim.processingDelayMs = 400;
    const segment: ProfileRecord[] = [{ row: 1, email: 'new@example.com' }];
    const pending = await client.uploadBatch(audienceId, segment, { replace: true }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(pending).toBeInstanceOf(RequestPending);
    const { pending: removal, checkAfterMs } = pending as RequestPending;
    expect(checkAfterMs).toBeGreaterThanOrEqual(2_000);
    expect(sim.audience('Replace')!.members).toEqual([]);
    const removeAlls = () => sim.requests.all().filter((request) => request.path.endsWith(':removeAll')).length;
    expect(removeAlls()).toBe(1);
    // Checked again too soon: still pending, and no second remove-all.
    await expect(client.uploadBatch(audienceId, segment, { replace: true, pendingRemoval: removal })).rejects.toBeInstanceOf(RequestPending);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await client.uploadBatch(audienceId, segment, { replace: true, pendingRemoval: removal })).toEqual({ accepted: 1, rejected: [] });
    expect(removeAlls()).toBe(1);
    expect(sim.audience('Replace')!.members).toEqual(segment.map(googleMemberEntry));
  });

  it('hands back a remove-all whose check waits for the rate, so the next attempt checks it instead of starting another', async () => {
    // One request a second: the remove-all takes the turn, and its check has none left.
    const client = connect({}, 1);
    const { audienceId } = await client.ensureAudience('Paced replace', []);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const segment: ProfileRecord[] = [{ row: 1, email: 'new@example.com' }];
    const pacing = { patienceMs: 0, holder: 'replace', share: 'run' };
    const refused = await withPacing(pacing, () => client.uploadBatch(audienceId, segment, { replace: true })).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(RequestPending);
    const removeAlls = () => sim.requests.all().filter((request) => request.path.endsWith(':removeAll')).length;
    expect(removeAlls()).toBe(1);

    // Back at its turn with the request id: the removal is checked, not started again.
    await new Promise((resolve) => setTimeout(resolve, (refused as RequestPending).checkAfterMs));
    const result = await withPacing({ ...pacing, patienceMs: 2_000 }, () => client.uploadBatch(audienceId, segment, { replace: true, pendingRemoval: (refused as RequestPending).pending }));
    expect(result).toEqual({ accepted: 1, rejected: [] });
    expect(removeAlls()).toBe(1);
  }, 20_000);

  it('describes the list: matched members on Search and Display as estimates', async () => {
    const client = connect();
    const { audienceId } = await client.ensureAudience('Described', []);
    expect(await client.describeAudience!(audienceId)).toMatchObject({ size: null, state: 'processing', counts: 'matched', estimate: true });
    const records = Array.from({ length: 40 }, (_, k): ProfileRecord => ({ row: k + 1, email: `p${k}@example.com` }));
    await client.uploadBatch(audienceId, records);
    const matched = records.filter((record) => /^[0-9a-b]/.test(googleSentIdentifiers(record).email!)).length;
    expect(matched).toBeGreaterThan(0);
    expect(await client.describeAudience!(audienceId)).toEqual({
      sizes: { searchNetworkMembersCount: matched, displayNetworkMembersCount: matched },
      size: matched,
      counts: 'matched',
      estimate: true,
      state: 'ready',
    });
    await expect(client.describeAudience!('424242')).rejects.toMatchObject({ code: 'not-found' });
  });

  it('creates the list once, and finds it again by name', async () => {
    const client = connect();
    const first = await client.ensureAudience('Duration', []);
    expect(await client.ensureAudience('Duration', [])).toEqual({ audienceId: first.audienceId, created: false, membersIncluded: false });
    const state = (await (await fetch(`${sim.url}/__sim/state`)).json()) as { audiences: { name: string }[] };
    expect(state.audiences.filter((audience) => audience.name === 'Duration')).toHaveLength(1);
  });
});

describe('a Google user list described', () => {
  it('reads the largest network size, a closed list as failed, and no size yet as processing', () => {
    expect(describeUserList({ sizeInfo: { searchNetworkMembersCount: '1200', displayNetworkMembersCount: '1500', gmailMembersCount: 900 } })).toMatchObject({
      sizes: { searchNetworkMembersCount: 1200, displayNetworkMembersCount: 1500, gmailMembersCount: 900 },
      size: 1500,
      state: 'ready',
    });
    expect(describeUserList({ membershipStatus: 'CLOSED', closingReason: 'UNUSED', sizeInfo: { searchNetworkMembersCount: 10 } })).toMatchObject({ state: 'failed', detail: expect.stringContaining('UNUSED') });
    expect(describeUserList({})).toMatchObject({ size: null, state: 'processing' });
    expect(describeUserList({ sizeInfo: { searchNetworkMembersCount: '0' } })).toMatchObject({ size: null, state: 'processing' });
  });
});

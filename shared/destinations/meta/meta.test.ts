import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { devConnections } from '../../../dev/simulators/credentials.js';
import { startMetaSimulator, type MetaSimulator } from '../../../dev/simulators/meta/server.js';
import { memorySecretStore } from '../../../dev/simulators/testing.js';
import { loadConfig } from '../../config.js';
import { connectionSecretName } from '../../secrets/types.js';
import { sha256Hex } from '../common/identifiers.js';
import { connectDestination } from '../connect.js';
import { ACTIVITY_PATIENCE_MS, PacedOut, withPacing } from '../common/pacing.js';
import { BatchStopped, type DestinationClient, type HttpTuning, type ProfileRecord, type RecordRejection } from '../types.js';
import { readMetaFailure } from './errors.js';
import { metaMemberEntry, metaSent } from './identifiers.js';
import { meta } from './index.js';

let sim: MetaSimulator;
let connectionSeq = 0;

beforeAll(async () => {
  sim = await startMetaSimulator({ rateLimits: false });
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(() => {
  sim.reset();
});

async function connect(http?: HttpTuning, credentials: Record<string, string> = devConnections.meta.credentials): Promise<DestinationClient> {
  const id = `meta-${++connectionSeq}`;
  const secrets = memorySecretStore({ [connectionSecretName(id)]: JSON.stringify(credentials) });
  const endpoints = loadConfig({ META_API_URL: sim.url }).destinations;
  return connectDestination({ secrets, endpoints, http }, { id, type: 'meta' }, devConnections.meta.settings);
}

/** A person with every identifier Meta takes, as preparation leaves them (normalized, not hashed). */
const person = (n: number): ProfileRecord => ({
  row: n,
  email: `person.${n}@example.com`,
  phone: `+4915112${String(n).padStart(6, '0')}`,
  firstName: `Mary-Ann${n}`,
  lastName: "O'Neil",
  postalCode: '10115',
  countryCode: 'DE',
  externalId: `crm-${n}`,
});
const people = (count: number, from = 1) => Array.from({ length: count }, (_, k) => person(from + k));

/**
 * Sends a batch as the sync layer does (send.ts and the orchestration): inside a paced step
 * with an activity's patience, going on after a refused turn from where the batch stopped.
 * Gives up after `maxCalls` calls: a batch that never ends is what the test looks for.
 */
async function sendPaced(client: DestinationClient, audienceId: string, records: ProfileRecord[], maxCalls: number) {
  const pacing = { patienceMs: ACTIVITY_PATIENCE_MS, holder: `paced-${++connectionSeq}` };
  const rejected: RecordRejection[] = [];
  let accepted = 0;
  let offset = 0;
  let calls = 0;
  while (offset < records.length) {
    if (++calls > maxCalls) throw new Error(`the batch did not end in ${maxCalls} calls (at record ${offset} of ${records.length})`);
    try {
      const result = await withPacing(pacing, () => client.uploadBatch(audienceId, records.slice(offset)));
      [accepted, offset] = [accepted + result.accepted, records.length];
      rejected.push(...result.rejected);
    } catch (error) {
      const stopped = error instanceof BatchStopped ? error : undefined;
      const cause = stopped ? stopped.stoppedBy : error;
      if (!(cause instanceof PacedOut)) throw error;
      if (stopped) [accepted, offset] = [accepted + stopped.result.accepted, offset + stopped.done];
      rejected.push(...(stopped?.result.rejected ?? []));
      await sleep(cause.retryAfterMs!);
    }
  }
  return { accepted, rejected, calls };
}

describe("Meta's normalization and hashing", () => {
  it('hashes each identifier as Meta documents, EXTERN_ID as it is', () => {
    const sent = metaSent({
      row: 1,
      email: 'test@contoso.com',
      phone: '+4915112345678',
      firstName: 'Mary-Ann',
      lastName: "O'Neil",
      postalCode: 'SW1A 1AA',
      countryCode: 'GB',
      externalId: 'CRM-42',
    });
    // The same rule as Customer Match's (trimmed, lower-cased, SHA-256 hex), checked there too.
    expect(sent.email).toBe('f25ad364d33972379a7a4f4df33db142205f5c40eb19cfdb2fc5aaf117e10101');
    expect(sent.phone).toBe(sha256Hex('4915112345678'));
    expect(sent.firstName).toBe(sha256Hex('maryann'));
    expect(sent.lastName).toBe(sha256Hex('oneil'));
    expect(sent.postalCode).toBe(sha256Hex('sw1a 1aa'));
    expect(sent.countryCode).toBe(sha256Hex('gb'));
    expect(sent.externalId).toBe('CRM-42');
  });

  it('keys the ledger by the primary identifier first, with every identifier sent', () => {
    const entry = metaMemberEntry({ row: 1, phone: '+4915112345678', firstName: 'Mary', externalId: 'x 1' });
    expect(entry).toBe(`phone=${sha256Hex('4915112345678')}&firstName=${sha256Hex('mary')}&externalId=x%201`);
    expect(meta.memberId({ row: 1, email: 'test@contoso.com' })).toBe('email=f25ad364d33972379a7a4f4df33db142205f5c40eb19cfdb2fc5aaf117e10101');
  });
});

describe('reading Meta failures', () => {
  it('takes 17, 613, 4 and 80004 and an exhausted X-Business-Use-Case-Usage as throttling, 190 as a refused token', () => {
    for (const code of [17, 613, 4, 80004]) expect(readMetaFailure(400, { error: { message: 'limit', code } })).toMatchObject({ code: 'rate-limited' });
    const usage = new Headers({ 'x-business-use-case-usage': JSON.stringify({ '1': [{ call_count: 100, total_time: 3, estimated_time_to_regain_access: 2 }] }) });
    expect(readMetaFailure(400, { error: { message: 'busy', code: 1 } }, usage)).toMatchObject({ code: 'rate-limited', retryAfterMs: 120_000 });
    const calm = new Headers({ 'x-business-use-case-usage': JSON.stringify({ '1': [{ call_count: 40 }] }) });
    expect(readMetaFailure(400, { error: { message: 'bad field', code: 100 } }, calm).code).toBeUndefined();
    expect(readMetaFailure(400, { error: { message: 'Invalid OAuth access token', code: 190 } })).toMatchObject({ code: 'auth-failed' });
  });
});

describe('Meta connector against its simulator', () => {
  it('lands a segment with email, phone, names, postal code and country, hashed as Meta normalizes them', async () => {
    const client = await connect();
    const { audienceId, created } = await client.ensureAudience('Meta landing', []);
    expect(created).toBe(true);
    const records = people(50);
    expect(await client.uploadBatch(audienceId, records)).toEqual({ accepted: 50, rejected: [] });
    const rows = sim.rows('Meta landing')!;
    expect(rows).toHaveLength(50);
    expect(rows).toContainEqual({
      EMAIL: sha256Hex('person.7@example.com'),
      PHONE: sha256Hex('4915112000007'),
      FN: sha256Hex('maryann7'),
      LN: sha256Hex('oneil'),
      ZIP: sha256Hex('10115'),
      COUNTRY: sha256Hex('de'),
      EXTERN_ID: 'crm-7',
    });
    // The same over HTTP, as a test of the running app reads it.
    const listed = (await (await fetch(`${sim.url}/__sim/audiences/${encodeURIComponent('Meta landing')}`)).json()) as { members: Record<string, string>[] };
    expect(listed.members).toHaveLength(50);
    expect(new Set(sim.audience('Meta landing')!.members)).toEqual(new Set(records.map(meta.memberId)));
    // Found again by name, not created twice.
    expect(await client.ensureAudience('Meta landing', [])).toMatchObject({ audienceId, created: false });
  });

  it('sends only the keys the records carry', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Meta email only', []);
    await client.uploadBatch(audienceId, [{ row: 1, email: 'a@example.com' }]);
    expect(sim.rows('Meta email only')).toEqual([{ EMAIL: sha256Hex('a@example.com') }]);
  });

  it('reports the invalid entries the answer names and does not count them accepted', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Meta invalid', []);
    const records = people(10);
    sim.refuseItems([meta.memberId(records[2]!), meta.memberId(records[6]!)]);
    const result = await client.uploadBatch(audienceId, records);
    expect(result.accepted).toBe(8);
    expect(result.rejected.map((rejection) => rejection.row)).toEqual([3, 7]);
    expect(result.rejected[0]!.reason).toMatch(/^destination-rejected: /);
    expect(sim.rows('Meta invalid')).toHaveLength(8);
  });

  it('keeps each request under the payload bound and 10,000 rows, however many keys', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Meta bounded', []);
    const records = people(1_000);
    expect((await client.uploadBatch(audienceId, records)).accepted).toBe(1_000);
    const requests = sim.requests.all((request) => request.path.endsWith('/users'));
    expect(requests.length).toBeGreaterThan(1);
    expect(sim.requests.maxBatchSize()).toBeLessThan(1_000);
    expect(sim.rows('Meta bounded')).toHaveLength(1_000);
  });

  it('removes members by every identifier the add sent', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Meta removals', []);
    const records = people(20);
    await client.uploadBatch(audienceId, records);
    expect(await client.removeMembers(audienceId, records.slice(0, 5).map(meta.memberId))).toEqual({ removed: 5, failed: [] });
    expect(new Set(sim.audience('Meta removals')!.members)).toEqual(new Set(records.slice(5).map(meta.memberId)));
  });

  it('replaces the membership through a usersreplace session, in order, the last batch flagged', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Meta replace', []);
    await client.uploadBatch(audienceId, people(30, 5_000));
    const segment = people(400);
    expect((await client.uploadBatch(audienceId, segment, { replace: true })).accepted).toBe(400);
    expect(new Set(sim.audience('Meta replace')!.members)).toEqual(new Set(segment.map(meta.memberId)));
    expect(sim.requests.all((request) => request.path.endsWith('/usersreplace')).length).toBeGreaterThan(1);
  });

  it('says how far a replace session got when a request fails part-way; a new session from its first batch ends exact', async () => {
    const client = await connect({ maxAttempts: 1 });
    const { audienceId } = await client.ensureAudience('Meta replace again', []);
    const old = people(30, 5_000);
    await client.uploadBatch(audienceId, old);
    const segment = people(400);
    const session = client.replaceSession!;
    // The rows go as several requests (the payload bound): the second one fails.
    const first = await session.send(audienceId, segment.slice(0, 200), { sessionId: '11', batchSeq: 1, total: 400, last: false });
    expect(first.error).toBeUndefined();
    sim.inject({ kind: 'status', status: 500, count: 1, path: 'usersreplace' });
    const broken = await session.send(audienceId, segment.slice(200), { sessionId: '11', batchSeq: first.nextBatchSeq, total: 400, last: true });
    expect(broken.error).toBeDefined();
    expect(broken.done).toBe(0);
    expect(broken.nextBatchSeq).toBe(first.nextBatchSeq);
    // Nothing swapped: the audience holds its old members.
    expect(new Set(sim.audience('Meta replace again')!.members)).toEqual(new Set(old.map(meta.memberId)));
    const again = await session.send(audienceId, segment, { sessionId: '12', batchSeq: 1, total: 400, last: true });
    expect(again).toMatchObject({ done: 400, accepted: 400, rejected: [] });
    expect(new Set(sim.audience('Meta replace again')!.members)).toEqual(new Set(segment.map(meta.memberId)));
  }, 30_000);

  it('finds the invalid entries the samples do not name by sending halves again, and accepts only the rest', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Meta unnamed', []);
    const records = people(64);
    // Meta names at most one sample here: the other two are counted, not named.
    sim.maxSamples = 1;
    sim.refuseItems([7, 30, 51].map((k) => meta.memberId(records[k]!)));
    const result = await client.uploadBatch(audienceId, records);
    expect(result.accepted).toBe(61);
    expect(result.rejected.map((rejection) => rejection.row).sort((a, b) => a - b)).toEqual([8, 31, 52]);
    for (const rejection of result.rejected) expect(rejection.reason).toMatch(/destination-rejected: /);
    expect(new Set(sim.audience('Meta unnamed')!.members)).toEqual(new Set(records.filter((_, k) => ![7, 30, 51].includes(k)).map(meta.memberId)));
  });

  it('ends a batch of more requests than one activity has turns for, going on from where each call stopped', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Meta paced', []);
    // Every key Meta takes, as the demo maps them: 1,000 rows are about eight requests, more than a second's five turns.
    const records = people(1_000);
    const { accepted, rejected, calls } = await sendPaced(client, audienceId, records, 10);
    expect({ accepted, rejected }).toEqual({ accepted: 1_000, rejected: [] });
    expect(calls).toBeGreaterThan(1);
    expect(new Set(sim.audience('Meta paced')!.members)).toEqual(new Set(records.map(meta.memberId)));
    // Each row went once: a call went on from where the last stopped, not from the batch's first record.
    const sent = sim.requests.all((request) => request.path.endsWith('/users')).reduce((sum, request) => sum + (request.batchSize ?? 0), 0);
    expect(sent).toBe(1_000);
  }, 30_000);

  it('ends a removal of more requests than one activity has turns for, going on from where each call stopped', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Meta paced removal', []);
    const records = people(1_000);
    await client.uploadBatch(audienceId, records);
    const ids = records.map(meta.memberId);
    const pacing = { patienceMs: ACTIVITY_PATIENCE_MS, holder: 'paced-removal' };
    let [offset, calls] = [0, 0];
    while (offset < ids.length) {
      if (++calls > 10) throw new Error(`the removal did not end in 10 calls (at ${offset} of ${ids.length})`);
      try {
        const result = await withPacing(pacing, () => client.removeMembers(audienceId, ids.slice(offset)));
        expect(result.failed).toEqual([]);
        offset = ids.length;
      } catch (error) {
        const stopped = error instanceof BatchStopped ? error : undefined;
        const cause = stopped ? stopped.stoppedBy : error;
        if (!(cause instanceof PacedOut)) throw error;
        offset += stopped?.done ?? 0;
        await sleep(cause.retryAfterMs!);
      }
    }
    expect(calls).toBeGreaterThan(1);
    expect(sim.rows('Meta paced removal')).toEqual([]);
    const sent = sim.requests.all((request) => request.method === 'DELETE').reduce((sum, request) => sum + (request.batchSize ?? 0), 0);
    expect(sent).toBe(1_000);
  }, 30_000);

  it('bounds the search for unnamed invalid entries per batch, paced or not, and reports the rows in doubt refused', async () => {
    const records = people(1_000);
    const invalid = new Set(records.filter((_, k) => k % 7 === 3).map((record) => record.row));
    for (const paced of [false, true]) {
      sim.reset();
      const client = await connect();
      const name = `Meta unnamed ${paced ? 'paced' : 'at once'}`;
      const { audienceId } = await client.ensureAudience(name, []);
      // Meta names none of them: every request's answer only counts its invalid entries.
      sim.maxSamples = 0;
      sim.refuseItems(records.filter((record) => invalid.has(record.row)).map(meta.memberId));
      const result = paced ? await sendPaced(client, audienceId, records, 20) : await client.uploadBatch(audienceId, records);
      const refused = new Set(result.rejected.map((rejection) => rejection.row));
      // Every invalid row is reported, with a reason; the accepted ones are all members.
      for (const row of invalid) expect(refused.has(row), `row ${row}`).toBe(true);
      for (const rejection of result.rejected) expect(rejection.reason).toMatch(/^destination-rejected: /);
      expect(result.accepted + refused.size).toBe(1_000);
      const members = new Set(sim.audience(name)!.members);
      for (const record of records) if (!refused.has(record.row)) expect(members.has(meta.memberId(record)), `row ${record.row}`).toBe(true);
      // The batch's own requests, plus at most 40 spent searching, however many requests it took.
      const users = sim.requests.all((request) => request.path.endsWith('/users'));
      const batchRows = users.filter((request) => request.status === 200).reduce((sum, request) => sum + (request.batchSize ?? 0), 0);
      expect(users.length).toBeLessThanOrEqual(12 + 40);
      expect(batchRows).toBeGreaterThanOrEqual(1_000);
    }
  }, 60_000);

  it('reports the approximate counts and the processing state once Meta has matched', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Meta insights', []);
    sim.reportDelayMs = 60_000;
    await client.uploadBatch(audienceId, people(200));
    expect(await client.describeAudience!(audienceId)).toMatchObject({
      sizes: { approximate_count_lower_bound: null, approximate_count_upper_bound: null },
      size: null,
      counts: 'matched',
      estimate: true,
      state: 'processing',
    });
    sim.reportDelayMs = 0;
    expect(await client.describeAudience!(audienceId)).toMatchObject({
      sizes: { approximate_count_lower_bound: 190, approximate_count_upper_bound: 210 },
      size: 190,
      state: 'ready',
    });
    sim.flag('Meta insights');
    expect(await client.describeAudience!(audienceId)).toMatchObject({ state: 'failed', detail: expect.stringMatching(/471/) });
  });

  it('keeps the old members while a session is open, and refuses batches out of order', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Meta session', []);
    await client.uploadBatch(audienceId, people(3));
    const body = (batchSeq: number, last: boolean) => ({
      session: { session_id: 77, batch_seq: batchSeq, last_batch_flag: last, estimated_num_total: 2 },
      payload: { schema: ['EMAIL'], data: [[sha256Hex(`new.${batchSeq}@example.com`)]] },
    });
    const post = (json: unknown) =>
      fetch(`${sim.url}/v22.0/${audienceId}/usersreplace`, {
        method: 'POST',
        headers: { authorization: `Bearer ${devConnections.meta.credentials.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(json),
      });
    expect((await post(body(1, false))).status).toBe(200);
    expect(sim.rows('Meta session')).toHaveLength(3);
    expect((await post(body(3, true))).status).toBe(400);
    expect((await post(body(2, true))).status).toBe(200);
    expect(sim.rows('Meta session')).toEqual([{ EMAIL: sha256Hex('new.1@example.com') }, { EMAIL: sha256Hex('new.2@example.com') }]);
  });

  it('ends a flagged audience with its reason, and leaves its removals owed', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Meta flagged', []);
    await client.uploadBatch(audienceId, people(5));
    sim.flag('Meta flagged');
    await expect(client.uploadBatch(audienceId, people(5, 10))).rejects.toMatchObject({ code: 'destination-error', retryable: false, message: expect.stringMatching(/flagged.*operation_status 471/) });
    await expect(client.removeMembers(audienceId, [meta.memberId(person(1))])).rejects.toMatchObject({ retryable: false, message: expect.stringMatching(/flagged/) });
    expect(sim.rows('Meta flagged')).toHaveLength(5);
  });

  it('says so when the audience is too small to remove from', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Meta small', []);
    await client.uploadBatch(audienceId, people(5));
    sim.minimumSizeForRemoval = 1_000;
    await expect(client.removeMembers(audienceId, [meta.memberId(person(1))])).rejects.toMatchObject({ code: 'destination-error', message: expect.stringMatching(/Audience size too low/) });
    expect(sim.rows('Meta small')).toHaveLength(5);
  });

  it('answers terms-not-accepted when the Custom Audience terms are not accepted', async () => {
    sim.termsAccepted = false;
    const client = await connect();
    await expect(client.ensureAudience('Meta terms', [])).rejects.toMatchObject({ code: 'terms-not-accepted', retryable: false });
  });

  it('waits out a user request limit (17) mid-run and ends exact', async () => {
    const client = await connect();
    const { audienceId } = await client.ensureAudience('Meta throttled', []);
    sim.setRateLimits(true);
    try {
      // Another tool spends the account's budget: the simulator answers code 17 until it refills.
      await Promise.all(Array.from({ length: 8 }, () => fetch(`${sim.url}/v22.0/me`, { headers: { authorization: `Bearer ${devConnections.meta.credentials.accessToken}` } })));
      const records = people(40);
      expect((await client.uploadBatch(audienceId, records)).accepted).toBe(40);
      expect(sim.requests.all((request) => request.rateLimited === true).length).toBeGreaterThan(0);
      expect(new Set(sim.audience('Meta throttled')!.members)).toEqual(new Set(records.map(meta.memberId)));
    } finally {
      sim.setRateLimits(false);
    }
  });
});

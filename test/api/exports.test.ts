import { readLedger, sortedIds, writeLedger } from '../../shared/sync/ledger.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportResponseSchema } from '../../shared/api/schemas.js';
import { createConnection, createExport, startApi, uniqueName, validSettings, type ApiHarness } from './harness.js';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
  // Segments the catalog knows (as after a file landed); `unknown-yet` has no file so far.
  await api.services().segments.recordFile({
    name: 'buyers',
    latestFile: 'buyers/2025-01-01.csv',
    format: 'csv',
    gzip: false,
    columns: ['email', 'first_name', 'last_name'],
    refreshedAt: '2025-01-01T00:00:00.000Z',
  });
  await api.services().segments.recordFile({
    name: 'newsletter',
    latestFile: 'newsletter/n.jsonl',
    format: 'jsonl',
    gzip: false,
    columns: ['mail'],
    refreshedAt: '2025-01-01T00:00:00.000Z',
  });
});
afterAll(async () => {
  await api?.stop();
});

const fields = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field);

describe('exports', () => {
  it('creates an export with defaults, and saving does not run it', async () => {
    const connection = await createConnection(api, 'autopilot');
    const response = await api.call('POST', '/api/exports', {
      body: {
        name: 'Buyers to Autopilot',
        connectionId: connection.id,
        segments: ['buyers', 'unknown-yet'],
        dataMatching: { email: 'email', firstName: 'first_name', lastName: 'last_name' },
      },
    });
    expect(response.status).toBe(201);
    const body = exportResponseSchema.parse(response.body);
    expect(response.headers.location).toBe(`/api/exports/${body.id}`);
    expect(response.headers.etag).toBe(body.etag);
    expect(body).toMatchObject({
      name: 'Buyers to Autopilot',
      connectionId: connection.id,
      destinationType: 'autopilot',
      settings: {},
      enabled: true,
      runOnSegmentRefresh: true,
      schedule: 'inherit',
      truncate: false,
      createdBy: { userId: 'user-admin' },
    });
    const runs = await api.services().runs.listByExport(body.id, { top: 10 });
    expect(runs.items).toEqual([]);

    const read = await api.call('GET', `/api/exports/${body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(body);
  });

  it('takes the destination settings of each type', async () => {
    for (const type of ['adroll', 'rollworks', 'microsoft-advertising'] as const) {
      const connection = await createConnection(api, type);
      const created = await createExport(api, connection, { settings: validSettings[type] });
      expect(created).toMatchObject({ destinationType: type, settings: validSettings[type] });
    }
  });

  it('lists exports, filtered by connection and paged', async () => {
    const connection = await createConnection(api);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await createExport(api, connection)).id);
    const first = await api.call('GET', `/api/exports?connectionId=${connection.id}&top=2`);
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    const second = await api.call('GET', `/api/exports?connectionId=${connection.id}&top=2&continuation=${first.body.continuation}`);
    expect([...first.body.items, ...second.body.items].map((e: { id: string }) => e.id)).toEqual(ids.sort());
    expect(second.body.continuation).toBeUndefined();
  });

  it('patches an export and validates the result', async () => {
    const connection = await createConnection(api, 'adroll');
    const created = await createExport(api, connection);
    const response = await api.call('PATCH', `/api/exports/${created.id}`, {
      body: { name: 'New name', settings: { advertiserId: 'OTHER', segmentUpdates: 'replace' }, truncate: true, schedule: 'none' },
      headers: { 'if-match': created.etag },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ name: 'New name', settings: { advertiserId: 'OTHER', segmentUpdates: 'replace' }, truncate: true, schedule: 'none' });
    const invalid = await api.call('PATCH', `/api/exports/${created.id}`, { body: { settings: {} } });
    expect(invalid.status).toBe(400);
    expect(fields(invalid.body)).toEqual(['settings.advertiserId']);
  });

  it('deletes an export, its run history and its membership ledgers', async () => {
    const connection = await createConnection(api);
    const created = await createExport(api, connection);
    const runId = `9999999999999-${created.id.slice(0, 8)}`;
    await api.services().runs.create({
      id: runId, exportId: created.id, destinationType: 'autopilot', trigger: 'on-demand', status: 'succeeded', segments: [], startedAt: new Date().toISOString(),
    });
    const { storage, config } = api.services();
    const ledgers = await storage.ensureContainer(config.containers.ledgers);
    await writeLedger(ledgers, created.id, 'buyers', { audienceId: 'list-1', members: sortedIds(['kept@example.com']), pendingRemovals: sortedIds([]), updatedAt: new Date().toISOString() });
    const other = await createExport(api, connection);
    await writeLedger(ledgers, other.id, 'buyers', { audienceId: 'list-2', members: sortedIds(['other@example.com']), pendingRemovals: sortedIds([]), updatedAt: new Date().toISOString() });
    const response = await api.call('DELETE', `/api/exports/${created.id}`);
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expect((await api.call('GET', `/api/exports/${created.id}`)).status).toBe(404);
    expect(await api.services().runs.find(runId)).toBeUndefined();
    expect(await readLedger(ledgers, created.id, 'buyers')).toBeUndefined();
    expect((await readLedger(ledgers, other.id, 'buyers'))?.members.toArray()).toEqual(['other@example.com']);
    expect((await api.call('DELETE', `/api/exports/${created.id}`)).status).toBe(404);
  });

  describe('validation', () => {
    let adroll: { id: string };
    let autopilot: { id: string };
    beforeAll(async () => {
      adroll = await createConnection(api, 'adroll');
      autopilot = await createConnection(api, 'autopilot');
    });
    const body = (connectionId: string, extra: Record<string, unknown> = {}) => ({
      name: uniqueName('e'),
      connectionId,
      segments: ['buyers'],
      dataMatching: { email: 'email' },
      settings: { advertiserId: 'ADV1' },
      ...extra,
    });

    it.each([
      ['a connection that does not exist', () => body('00000000-0000-0000-0000-00000000abcd'), ['connectionId']],
      ['AdRoll settings without advertiserId', () => body(adroll.id, { settings: {} }), ['settings.advertiserId']],
      ['a malformed advertiserId', () => body(adroll.id, { settings: { advertiserId: 'has spaces' } }), ['settings.advertiserId']],
      ['a setting the destination does not have', () => body(adroll.id, { settings: { advertiserId: 'A', color: 'red' } }), ['settings.color']],
      ['AdRoll settings given to Autopilot', () => body(autopilot.id, { settings: { advertiserId: 'A' } }), ['settings.advertiserId']],
      ['firstName for AdRoll (only Autopilot takes names)', () => body(adroll.id, { dataMatching: { email: 'email', firstName: 'first_name' } }), ['dataMatching.firstName']],
      // Every issue at once: the field AdRoll does not take, and the one it needs.
      ['no email mapping', () => body(adroll.id, { dataMatching: { firstName: 'first_name' } }), ['dataMatching.firstName', 'dataMatching.email']],
      ['an unknown data matching field', () => body(adroll.id, { dataMatching: { email: 'email', phone: 'phone' } }), ['dataMatching.phone']],
      ['a column missing from the segment\'s latest file', () => body(adroll.id, { dataMatching: { email: 'e_mail' } }), ['dataMatching.email']],
      ['a column missing in one of two segments', () => body(adroll.id, { segments: ['buyers', 'newsletter'] }), ['dataMatching.email']],
      ['no segments', () => body(adroll.id, { segments: [] }), ['segments']],
      ['a segment listed twice', () => body(adroll.id, { segments: ['buyers', 'buyers'] }), ['segments.1']],
      ['a segment name with a slash', () => body(adroll.id, { segments: ['a/b'] }), ['segments.0']],
      ['an empty name', () => body(adroll.id, { name: '' }), ['name']],
      ['an invalid schedule', () => body(adroll.id, { schedule: 'hourly' }), ['schedule']],
      ['an unknown field', () => body(adroll.id, { owner: 'me' }), ['owner']],
      ['a server-managed field', () => body(adroll.id, { destinationType: 'adroll' }), ['destinationType']],
    ])('%s: 400 naming the field', async (_, make, expected) => {
      const response = await api.call('POST', '/api/exports', { body: make() });
      expect(response.status, response.text).toBe(400);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(fields(response.body)).toEqual(expected);
    });

    it('reports every issue at once', async () => {
      const response = await api.call('POST', '/api/exports', {
        body: body(adroll.id, { settings: {}, dataMatching: { email: 'nope', firstName: 'first_name' } }),
      });
      expect(response.status).toBe(400);
      expect(fields(response.body).sort()).toEqual(['dataMatching.email', 'dataMatching.firstName', 'settings.advertiserId']);
    });

    it('accepts Autopilot name mappings that exist in the file', async () => {
      const response = await api.call('POST', '/api/exports', {
        body: body(autopilot.id, { settings: {}, dataMatching: { email: 'email', firstName: 'first_name', lastName: 'last_name' } }),
      });
      expect(response.status).toBe(201);
    });

    it('a patch must change something', async () => {
      const created = await createExport(api, autopilot);
      const response = await api.call('PATCH', `/api/exports/${created.id}`, { body: {} });
      expect(response.status).toBe(400);
    });
  });
});

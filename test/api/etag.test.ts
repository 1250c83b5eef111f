import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnection, createExport, startApi, type ApiHarness } from './harness.js';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.stop();
});

describe('optimistic concurrency', () => {
  it('PATCH /connections/{id} with a stale If-Match is 412 and changes nothing', async () => {
    const created = await createConnection(api);
    const first = await api.call('PATCH', `/api/connections/${created.id}`, { body: { allowContributors: true }, headers: { 'if-match': created.etag } });
    expect(first.status).toBe(200);
    const stale = await api.call('PATCH', `/api/connections/${created.id}`, { body: { displayName: 'Lost update' }, headers: { 'if-match': created.etag } });
    expect(stale.status).toBe(412);
    expect(stale.headers['content-type']).toBe('application/problem+json');
    const read = await api.call('GET', `/api/connections/${created.id}`);
    expect(read.body.displayName).toBe(created.displayName);
    expect(read.headers.etag).toBe(first.headers.etag);
  });

  it('a stale If-Match with new credentials does not touch the stored secret', async () => {
    const created = await createConnection(api);
    await api.call('PATCH', `/api/connections/${created.id}`, { body: { allowContributors: true } });
    const stale = await api.call('PATCH', `/api/connections/${created.id}`, { body: { credentials: { apiKey: 'replacement' } }, headers: { 'if-match': created.etag } });
    expect(stale.status).toBe(412);
    expect(await api.services().secrets.get(`connection-${created.id}`)).toBe(JSON.stringify({ apiKey: 'autopilot-api-key-value' }));
  });

  it('DELETE /connections/{id} with a stale If-Match is 412', async () => {
    const created = await createConnection(api);
    await api.call('PATCH', `/api/connections/${created.id}`, { body: { allowContributors: true } });
    expect((await api.call('DELETE', `/api/connections/${created.id}`, { headers: { 'if-match': created.etag } })).status).toBe(412);
    const current = await api.call('GET', `/api/connections/${created.id}`);
    expect((await api.call('DELETE', `/api/connections/${created.id}`, { headers: { 'if-match': current.headers.etag! } })).status).toBe(200);
  });

  it('PATCH and DELETE /exports/{id} with a stale If-Match are 412', async () => {
    const connection = await createConnection(api);
    const created = await createExport(api, connection);
    const changed = await api.call('PATCH', `/api/exports/${created.id}`, { body: { name: 'first' }, headers: { 'if-match': created.etag } });
    expect(changed.status).toBe(200);
    expect((await api.call('PATCH', `/api/exports/${created.id}`, { body: { name: 'second' }, headers: { 'if-match': created.etag } })).status).toBe(412);
    expect((await api.call('DELETE', `/api/exports/${created.id}`, { headers: { 'if-match': created.etag } })).status).toBe(412);
    expect((await api.call('GET', `/api/exports/${created.id}`)).body.name).toBe('first');
    expect((await api.call('DELETE', `/api/exports/${created.id}`, { headers: { 'if-match': changed.headers.etag! } })).status).toBe(204);
  });

  it('If-Match: * and an absent If-Match are unconditional', async () => {
    const connection = await createConnection(api);
    const created = await createExport(api, connection);
    expect((await api.call('PATCH', `/api/exports/${created.id}`, { body: { name: 'a' }, headers: { 'if-match': '*' } })).status).toBe(200);
    expect((await api.call('PATCH', `/api/exports/${created.id}`, { body: { name: 'b' } })).status).toBe(200);
  });

  it('two writers with the same ETag: one wins, the other gets 412', async () => {
    const connection = await createConnection(api);
    const created = await createExport(api, connection);
    const results = await Promise.all(
      ['x', 'y'].map((name) => api.call('PATCH', `/api/exports/${created.id}`, { body: { name }, headers: { 'if-match': created.etag } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
  });

  it('PUT /schedule with a stale If-Match is 412', async () => {
    const first = await api.call('PUT', '/api/schedule', { body: { cron: '0 0 1 * * *' } });
    expect(first.status).toBe(200);
    const second = await api.call('PUT', '/api/schedule', { body: { cron: '0 0 2 * * *' }, headers: { 'if-match': first.headers.etag! } });
    expect(second.status).toBe(200);
    const stale = await api.call('PUT', '/api/schedule', { body: { cron: '0 0 3 * * *' }, headers: { 'if-match': first.headers.etag! } });
    expect(stale.status).toBe(412);
    expect((await api.call('GET', '/api/schedule')).body.cron).toBe('0 0 2 * * *');
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { registeredRoutes } from '../../functions/http/route.js';
import { resetServices } from '../../shared/services.js';
import { createConnection, createExport, useApiWithSimulators, uniqueName, validConnection, type ApiHarness, type Caller } from './harness.js';

let api: ApiHarness;
useApiWithSimulators((started) => ({ api } = started));

interface Fixture {
  connection: { id: string };
  exp: { id: string };
}

interface Case {
  method: string;
  path: (f: Fixture) => string;
  body?: (f: Fixture) => unknown;
  expected: Record<Caller, number>;
}

const adminOnly = (success: number) => ({ anonymous: 401, 'no-role': 403, contributor: 403, admin: success });
const both = (success: number) => ({ anonymous: 401, 'no-role': 403, contributor: success, admin: success });

/** Every route × every kind of caller. Each call gets fresh entities (on a connection open to contributors). */
const matrix: Case[] = [
  { method: 'GET', path: () => '/api/destinations', expected: both(200) },
  { method: 'GET', path: () => '/api/connections', expected: both(200) },
  {
    method: 'POST',
    path: () => '/api/connections',
    body: () => ({ ...validConnection.autopilot, displayName: uniqueName('matrix'), consent: true }),
    expected: adminOnly(201),
  },
  { method: 'GET', path: (f) => `/api/connections/${f.connection.id}`, expected: both(200) },
  { method: 'PATCH', path: (f) => `/api/connections/${f.connection.id}`, body: () => ({ displayName: uniqueName('renamed') }), expected: adminOnly(200) },
  { method: 'DELETE', path: (f) => `/api/connections/${f.connection.id}?force=true`, expected: adminOnly(200) },
  { method: 'POST', path: (f) => `/api/connections/${f.connection.id}/test`, expected: adminOnly(200) },
  { method: 'GET', path: () => '/api/exports', expected: both(200) },
  {
    method: 'POST',
    path: () => '/api/exports',
    body: (f) => ({ name: uniqueName('e'), connectionId: f.connection.id, segments: ['s'], dataMatching: { email: 'email' } }),
    expected: both(201),
  },
  { method: 'GET', path: (f) => `/api/exports/${f.exp.id}`, expected: both(200) },
  { method: 'PATCH', path: (f) => `/api/exports/${f.exp.id}`, body: () => ({ enabled: false }), expected: both(200) },
  { method: 'DELETE', path: (f) => `/api/exports/${f.exp.id}`, expected: both(204) },
  { method: 'GET', path: () => '/api/segments', expected: both(200) },
  { method: 'POST', path: (f) => `/api/exports/${f.exp.id}/run`, expected: both(202) },
  { method: 'GET', path: (f) => `/api/exports/${f.exp.id}/runs`, expected: both(200) },
  { method: 'GET', path: () => '/api/schedule', expected: adminOnly(200) },
  { method: 'PUT', path: () => '/api/schedule', body: () => ({ cron: '0 0 3 * * *' }), expected: adminOnly(200) },
  { method: 'GET', path: () => '/api/openapi.json', expected: { anonymous: 200, 'no-role': 200, contributor: 200, admin: 200 } },
];

async function fixture(): Promise<Fixture> {
  const connection = await createConnection(api, 'autopilot', { allowContributors: true });
  return { connection, exp: await createExport(api, connection) };
}

const callerKinds: Caller[] = ['anonymous', 'no-role', 'contributor', 'admin'];

describe('role matrix', () => {
  it.each(matrix.flatMap((c) => callerKinds.map((as) => [`${c.method} ${c.path({ connection: { id: '{id}' }, exp: { id: '{id}' } })}`, as, c] as const)))(
    '%s as %s',
    async (_, as, c) => {
      const f = await fixture();
      const response = await api.call(c.method, c.path(f), { as, ...(c.body ? { body: c.body(f) } : {}) });
      expect(response.status, response.text).toBe(c.expected[as]);
      if (response.status >= 400) expect(response.headers['content-type']).toBe('application/problem+json');
    },
  );

  it('covers every route of this API, and every other route refuses anonymous callers', async () => {
    const covered = new Set(matrix.map((c) => `${c.method} ${c.path({ connection: { id: '{id}' }, exp: { id: '{id}' } }).replace(/\?.*$/, '').replace(/^\/api\//, '')}`));
    const f = await fixture();
    for (const route of registeredRoutes()) {
      const key = `${route.method} ${route.path}`;
      if (covered.has(key)) continue;
      // A route added elsewhere through the same adapter: at least the principal check must hold.
      expect(route.roles, `${key} is public`).not.toBe('public');
      const path = `/api/${route.path.replace(/\{[^}]+\}/g, f.exp.id)}`;
      const response = await api.call(route.method, path, { as: 'anonymous', body: {} });
      expect(response.status, key).toBe(401);
    }
    for (const key of covered) expect(registeredRoutes().some((r) => `${r.method} ${r.path}` === key), key).toBe(true);
  });
});

describe('contributors and connections not open to them', () => {
  let closed: { id: string };
  let exportOnClosed: { id: string; etag: string };
  let open: { id: string };
  beforeAll(async () => {
    closed = await createConnection(api, 'autopilot', { allowContributors: false });
    open = await createConnection(api, 'autopilot', { allowContributors: true });
    exportOnClosed = await createExport(api, closed);
  });

  it('cannot read the connection, nor see it listed', async () => {
    const read = await api.call('GET', `/api/connections/${closed.id}`, { as: 'contributor' });
    // As if it did not exist: a 403 would confirm it does.
    expect(read.status).toBe(404);
    const all: string[] = [];
    let continuation: string | undefined;
    do {
      const page = await api.call('GET', `/api/connections?top=50${continuation ? `&continuation=${continuation}` : ''}`, { as: 'contributor' });
      all.push(...page.body.items.map((c: { id: string; allowContributors: boolean }) => (expect(c.allowContributors).toBe(true), c.id)));
      continuation = page.body.continuation;
    } while (continuation);
    expect(all).toContain(open.id);
    expect(all).not.toContain(closed.id);
  });

  it('cannot create, read, change or delete exports on it', async () => {
    const create = await api.call('POST', '/api/exports', {
      as: 'contributor',
      body: { name: 'x', connectionId: closed.id, segments: ['s'], dataMatching: { email: 'email' } },
    });
    expect(create.status).toBe(400);
    expect(create.body.errors).toEqual([{ field: 'connectionId', message: `connection ${closed.id} does not exist` }]);
    expect((await api.call('GET', `/api/exports/${exportOnClosed.id}`, { as: 'contributor' })).status).toBe(404);
    expect((await api.call('PATCH', `/api/exports/${exportOnClosed.id}`, { as: 'contributor', body: { name: 'mine' } })).status).toBe(404);
    expect((await api.call('DELETE', `/api/exports/${exportOnClosed.id}`, { as: 'contributor' })).status).toBe(404);
    // Unchanged and still there for admins.
    const read = await api.call('GET', `/api/exports/${exportOnClosed.id}`);
    expect(read.status).toBe(200);
    expect(read.headers.etag).toBe(exportOnClosed.etag);
  });

  it('cannot move an export of theirs onto it', async () => {
    const mine = await createExport(api, open, {}, 'contributor');
    const moved = await api.call('PATCH', `/api/exports/${mine.id}`, { as: 'contributor', body: { connectionId: closed.id } });
    expect(moved.status).toBe(400);
  });

  it('does not see its exports in the list', async () => {
    const mine = await createExport(api, open, {}, 'contributor');
    const list = await api.call('GET', '/api/exports?top=1000', { as: 'contributor' });
    const ids = list.body.items.map((e: { id: string }) => e.id);
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(exportOnClosed.id);
  });

  it('loses access when an admin closes the connection', async () => {
    const connection = await createConnection(api, 'autopilot', { allowContributors: true });
    const mine = await createExport(api, connection, {}, 'contributor');
    expect((await api.call('PATCH', `/api/connections/${connection.id}`, { body: { allowContributors: false } })).status).toBe(200);
    expect((await api.call('GET', `/api/exports/${mine.id}`, { as: 'contributor' })).status).toBe(404);
  });
});

describe('the principal', () => {
  it('a malformed x-ms-client-principal is 401', async () => {
    const response = await api.call('GET', '/api/connections', { as: 'anonymous', headers: { 'x-ms-client-principal': '%%%not-base64-json' } });
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toBe('application/problem+json');
  });

  it('DEV_PRINCIPAL stands in only when the header is absent', async () => {
    process.env.DEV_PRINCIPAL = JSON.stringify({ userId: 'dev-contributor', userDetails: 'dev@localhost', roles: ['contributor'] });
    resetServices();
    try {
      expect((await api.call('GET', '/api/segments', { as: 'anonymous' })).status).toBe(200);
      expect((await api.call('GET', '/api/schedule', { as: 'anonymous' })).status).toBe(403);
      expect((await api.call('GET', '/api/schedule', { as: 'admin' })).status).toBe(200);
    } finally {
      delete process.env.DEV_PRINCIPAL;
      resetServices();
    }
    expect((await api.call('GET', '/api/segments', { as: 'anonymous' })).status).toBe(401);
  });
});

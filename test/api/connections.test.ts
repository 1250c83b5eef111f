import { describe, expect, it } from 'vitest';
import { devCredentials } from '../../dev/simulators/index.js';
import { connectionResponseSchema, deleteConnectionResultSchema } from '../../shared/api/schemas.js';
import { connectionSecretName } from '../../shared/secrets/types.js';
import { createConnection, createExport, useApiWithSimulators, uniqueName, validConnection, type ApiHarness } from './harness.js';

let api: ApiHarness;
useApiWithSimulators((started) => ({ api } = started));

describe('connections', () => {
  it('creates a connection: consent, export user and credentials recorded, the secret in the secret store', async () => {
    const displayName = uniqueName('AdRoll main');
    const response = await api.call('POST', '/api/connections', {
      body: { type: 'adroll', displayName, credentials: { refreshToken: 'rt-abc' }, consent: true, allowContributors: true },
    });
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = connectionResponseSchema.parse(response.body);
    expect(response.headers.location).toBe(`/api/connections/${body.id}`);
    expect(response.headers.etag).toBe(body.etag);
    expect(body).toMatchObject({
      type: 'adroll',
      displayName,
      allowContributors: true,
      consent: { accepted: true, acceptedBy: { userId: 'user-admin', userDetails: 'admin@example.com' } },
      exportUser: { userId: 'user-admin' },
      createdBy: { userId: 'user-admin' },
      credentials: { set: true },
    });
    expect(JSON.parse((await api.services().secrets.get(connectionSecretName(body.id)))!)).toEqual({ refreshToken: 'rt-abc' });

    const read = await api.call('GET', `/api/connections/${body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(body);
    expect(read.headers.etag).toBe(body.etag);
  });

  it('defaults allowContributors to false', async () => {
    const created = await createConnection(api);
    expect(created.allowContributors).toBe(false);
  });

  it('lists connections page by page', async () => {
    for (let i = 0; i < 3; i++) await createConnection(api);
    const first = await api.call('GET', '/api/connections?top=2');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.continuation).toEqual(expect.any(String));
    const second = await api.call('GET', `/api/connections?top=2&continuation=${encodeURIComponent(first.body.continuation)}`);
    expect(second.status).toBe(200);
    const ids = [...first.body.items, ...second.body.items].map((c: { id: string }) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('patches name, contributor access and credentials; the caller becomes the export user', async () => {
    const created = await createConnection(api, 'autopilot');
    const response = await api.call('PATCH', `/api/connections/${created.id}`, {
      body: { displayName: 'Renamed connection', allowContributors: true, credentials: { apiKey: 'new-key' } },
      headers: { 'if-match': created.etag },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ displayName: 'Renamed connection', allowContributors: true, credentials: { set: true } });
    expect(response.headers.etag).not.toBe(created.etag);
    expect(JSON.parse((await api.services().secrets.get(connectionSecretName(created.id)))!)).toEqual({ apiKey: 'new-key' });
  });

  describe('validation', () => {
    const base = () => ({ type: 'autopilot', displayName: uniqueName('v'), credentials: { apiKey: 'k' }, consent: true });
    it.each([
      ['consent missing', (b: any) => ({ ...b, consent: undefined }), 'consent'],
      ['consent false', (b: any) => ({ ...b, consent: false }), 'consent'],
      ['consent "true" as a string', (b: any) => ({ ...b, consent: 'true' }), 'consent'],
      ['unknown type', (b: any) => ({ ...b, type: 'myspace' }), 'type'],
      ['empty display name', (b: any) => ({ ...b, displayName: '   ' }), 'displayName'],
      ['display name over 100 characters', (b: any) => ({ ...b, displayName: 'x'.repeat(101) }), 'displayName'],
      ['credentials missing', (b: any) => ({ ...b, credentials: undefined }), 'credentials'],
      ['credential field of another destination', (b: any) => ({ ...b, credentials: { refreshToken: 'x' } }), 'credentials.refreshToken'],
      ['credential of the wrong type', (b: any) => ({ ...b, credentials: { apiKey: 42 } }), 'credentials.apiKey'],
      ['unknown field', (b: any) => ({ ...b, color: 'blue' }), 'color'],
      ['exportUser is not settable', (b: any) => ({ ...b, exportUser: { userId: 'someone-else' } }), 'exportUser'],
    ])('%s: 400 naming %s', async (_, change, field) => {
      const response = await api.call('POST', '/api/connections', { body: change(base()) });
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.body).toMatchObject({ type: 'about:blank', status: 400, instance: '/api/connections' });
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('AdRoll needs exactly one of refreshToken or personalAccessToken', async () => {
      const response = await api.call('POST', '/api/connections', {
        body: { type: 'adroll', displayName: uniqueName('a'), credentials: { refreshToken: 'a', personalAccessToken: 'b' }, consent: true },
      });
      expect(response.status).toBe(400);
      expect(response.body.errors[0].field).toMatch(/^credentials/);
    });

    it('display names are unique per type: 409 naming displayName', async () => {
      const first = await createConnection(api, 'autopilot');
      const response = await api.call('POST', '/api/connections', { body: { ...validConnection.autopilot, displayName: first.displayName, consent: true } });
      expect(response.status).toBe(409);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'displayName' })]);
      // Renaming onto a taken name is refused the same way.
      const second = await createConnection(api, 'autopilot');
      const rename = await api.call('PATCH', `/api/connections/${second.id}`, { body: { displayName: String(first.displayName).toUpperCase() } });
      expect(rename.status).toBe(409);
    });

    it('a patch must change something and may not touch consent or type', async () => {
      const created = await createConnection(api);
      for (const [body, field] of [
        [{}, '(body)'],
        [{ type: 'adroll' }, 'type'],
        [{ consent: true }, 'consent'],
        [{ credentials: { apiKey: '' } }, 'credentials.apiKey'],
      ] as const) {
        const response = await api.call('PATCH', `/api/connections/${created.id}`, { body });
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
    });

    it('unknown and malformed ids', async () => {
      expect((await api.call('GET', '/api/connections/00000000-0000-0000-0000-000000000000')).status).toBe(404);
      const bad = await api.call('GET', '/api/connections/not_an_id!');
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('id');
    });
  });

  describe('delete', () => {
    it('deletes an unused connection and its secret', async () => {
      const created = await createConnection(api);
      const response = await api.call('DELETE', `/api/connections/${created.id}`);
      expect(response.status).toBe(200);
      expect(deleteConnectionResultSchema.parse(response.body)).toEqual({ id: created.id, disabledExports: [] });
      expect(await api.services().secrets.get(connectionSecretName(created.id))).toBeUndefined();
      expect((await api.call('GET', `/api/connections/${created.id}`)).status).toBe(404);
      // The display name is free again.
      expect((await api.call('POST', '/api/connections', { body: { ...validConnection.autopilot, displayName: created.displayName, consent: true } })).status).toBe(201);
    });

    it('refuses with 409 listing the exports that use it, and changes nothing', async () => {
      const connection = await createConnection(api);
      const exp = await createExport(api, connection);
      const response = await api.call('DELETE', `/api/connections/${connection.id}`);
      expect(response.status).toBe(409);
      expect(response.body.exports).toEqual([exp.id]);
      expect((await api.call('GET', `/api/connections/${connection.id}`)).status).toBe(200);
      expect(await api.services().secrets.get(connectionSecretName(connection.id))).toBeDefined();
      expect((await api.call('GET', `/api/exports/${exp.id}`)).body.enabled).toBe(true);
    });

    it('with ?force=true deletes it and its secret, and disables its exports with the reason connection-removed', async () => {
      const connection = await createConnection(api);
      const other = await createConnection(api);
      const a = await createExport(api, connection);
      const b = await createExport(api, connection, { enabled: false });
      const unrelated = await createExport(api, other);
      const response = await api.call('DELETE', `/api/connections/${connection.id}?force=true`);
      expect(response.status).toBe(200);
      expect([...response.body.disabledExports].sort()).toEqual([a.id, b.id].sort());
      expect(await api.services().secrets.get(connectionSecretName(connection.id))).toBeUndefined();
      for (const id of [a.id, b.id]) {
        const exp = await api.call('GET', `/api/exports/${id}`);
        expect(exp.status).toBe(200);
        expect(exp.body).toMatchObject({ enabled: false, disabledReason: 'connection-removed', connectionId: connection.id });
      }
      expect((await api.call('GET', `/api/exports/${unrelated.id}`)).body).toMatchObject({ enabled: true });
      expect((await api.call('GET', `/api/exports/${unrelated.id}`)).body.disabledReason).toBeUndefined();
      expect(await api.services().exports.listEnabled()).not.toContainEqual(expect.objectContaining({ id: a.id }));

      // It cannot be re-enabled without a connection.
      const enable = await api.call('PATCH', `/api/exports/${a.id}`, { body: { enabled: true } });
      expect(enable.status).toBe(400);
      expect(enable.body.errors[0].field).toBe('connectionId');
      // Moved to a live connection it can.
      const moved = await api.call('PATCH', `/api/exports/${a.id}`, { body: { connectionId: other.id, enabled: true } });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ enabled: true, connectionId: other.id });
      expect(moved.body.disabledReason).toBeUndefined();
    });
  });

  describe('test', () => {
    it('answers ok for credentials the destination accepts', async () => {
      const created = await createConnection(api, 'autopilot', { credentials: { apiKey: devCredentials.autopilot.apiKey } });
      const response = await api.call('POST', `/api/connections/${created.id}/test`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ ok: true });
      // Remembered on the connection for everyone who lists it; not a change to it.
      const read = await api.call('GET', `/api/connections/${created.id}`);
      expect(read.body.lastTest).toEqual({ ok: true, at: expect.any(String), by: { userId: 'user-admin', userDetails: 'admin@example.com' } });
      expect(read.body.updatedAt).toBe(created.updatedAt);
    });

    it('answers ok: false with auth-failed for credentials it refuses', async () => {
      const created = await createConnection(api, 'autopilot', { credentials: { apiKey: 'wrong-key' } });
      const response = await api.call('POST', `/api/connections/${created.id}/test`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ ok: false, reason: 'auth-failed' });
      expect(response.text).not.toContain('wrong-key');
      expect((await api.call('GET', `/api/connections/${created.id}`)).body.lastTest).toMatchObject({ ok: false, reason: 'auth-failed' });
    });

    it('is 404 for an unknown connection', async () => {
      expect((await api.call('POST', '/api/connections/00000000-0000-0000-0000-000000000001/test')).status).toBe(404);
    });
  });
});

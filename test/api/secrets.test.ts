import { describe, expect, it } from 'vitest';
import { useApiWithSimulators, uniqueName, type ApiHarness } from './harness.js';

let api: ApiHarness;
useApiWithSimulators((started) => ({ api } = started));

/** Recognisable values: if any of them shows up in a body or a log line, a secret leaked. */
const SECRETS = {
  adroll: { refreshToken: 'SECRET-adroll-refresh-7f3a' },
  rollworks: { personalAccessToken: 'SECRET-rollworks-pat-19bc' },
  'microsoft-advertising': { refreshToken: 'SECRET-msads-refresh-44d0' },
  autopilot: { apiKey: 'SECRET-autopilot-key-a1e2' },
} as const;
const ROTATED = 'SECRET-rotated-key-6c6c';
const values = [...Object.values(SECRETS).flatMap((c) => Object.values(c)), ROTATED];

describe('credentials are write-only', () => {
  it('never appear in a response body or a log line, across every route that touches connections', async () => {
    const bodies: string[] = [];
    const record = async (method: string, path: string, body?: unknown) => {
      const response = await api.call(method, path, body === undefined ? {} : { body });
      bodies.push(response.text, JSON.stringify(response.headers));
      return response;
    };

    const ids: Record<string, string> = {};
    for (const [type, credentials] of Object.entries(SECRETS)) {
      const created = await record('POST', '/api/connections', { type, displayName: uniqueName(type), credentials, consent: true, allowContributors: true });
      expect(created.status).toBe(201);
      expect(created.body.credentials).toEqual({ set: true, updatedAt: expect.any(String) });
      expect(Object.keys(created.body.credentials)).toEqual(['set', 'updatedAt']);
      ids[type] = created.body.id;
    }
    // A duplicate name (409), invalid credentials (400, the value must not be echoed) and malformed JSON (400).
    await record('POST', '/api/connections', { type: 'autopilot', displayName: 'Dup', credentials: SECRETS.autopilot, consent: true });
    await record('POST', '/api/connections', { type: 'autopilot', displayName: 'Dup', credentials: SECRETS.autopilot, consent: true });
    await record('POST', '/api/connections', { type: 'autopilot', displayName: uniqueName('bad'), credentials: { apiKey: SECRETS.autopilot.apiKey, extra: SECRETS.adroll.refreshToken }, consent: true });
    const malformed = await api.call('POST', '/api/connections', { rawBody: `{"type":"autopilot","credentials":{"apiKey":"${ROTATED}"` });
    expect(malformed.status).toBe(400);
    bodies.push(malformed.text);

    await record('PATCH', `/api/connections/${ids.autopilot}`, { credentials: { apiKey: ROTATED } });
    await record('GET', `/api/connections/${ids.autopilot}`);
    await record('GET', '/api/connections?top=100');
    // The simulator refuses the key: the test reports auth-failed without quoting it.
    expect((await record('POST', `/api/connections/${ids.autopilot}/test`)).body).toMatchObject({ ok: false, reason: 'auth-failed' });
    expect((await record('POST', `/api/connections/${ids['microsoft-advertising']}/test`)).body).toMatchObject({ ok: false });
    await record('GET', '/api/openapi.json');
    await record('DELETE', `/api/connections/${ids.adroll}`);

    for (const value of values) {
      for (const text of bodies) expect(text).not.toContain(value);
      for (const line of api.logs) expect(line).not.toContain(value);
    }
    // The API did log: the assertion above looked at real output.
    expect(api.logs.some((line) => line.includes('POST /api/connections -> 201'))).toBe(true);
  });

  it('are stored only encrypted', async () => {
    const created = await api.call('POST', '/api/connections', {
      body: { type: 'autopilot', displayName: uniqueName('enc'), credentials: { apiKey: 'SECRET-at-rest-0b0b' }, consent: true },
    });
    expect(created.status).toBe(201);
    const storage = api.services().storage;
    for (const table of ['connections', 'secrets', 'exports']) {
      for await (const row of storage.table(table).listEntities()) expect(JSON.stringify(row)).not.toContain('SECRET-at-rest-0b0b');
    }
    expect(await api.services().secrets.get(`connection-${created.body.id}`)).toContain('SECRET-at-rest-0b0b');
  });
});

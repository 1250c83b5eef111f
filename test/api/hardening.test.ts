import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeClientPrincipal } from '../../shared/api/principal.js';
import { createConnection, createExport, startApi, type ApiHarness } from './harness.js';

/**
 * Input that used to get past validation: foreign paging tokens, oversized principals,
 * bodies of the wrong media type, names with control or bidi characters, prototype keys,
 * and concurrent run requests.
 */

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.stop();
});

const expectProblem = (response: { status: number; headers: Record<string, string>; body: any; text: string }, status: number, field?: string) => {
  expect(response.status, response.text).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json');
  expect(response.body.status).toBe(status);
  if (field) expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
};

describe('continuation tokens', () => {
  it('a garbage or foreign token is 400 on every list route', async () => {
    const connection = await createConnection(api, 'autopilot');
    const exp = await createExport(api, connection);
    const foreign = Buffer.from(JSON.stringify({ nextPartitionKey: 'connection', nextRowKey: 'x' })).toString('base64url');
    const anotherList = Buffer.from(JSON.stringify({ after: 'zzz' }), 'utf8').toString('base64url');
    for (const path of ['/api/connections', '/api/exports', '/api/segments', `/api/exports/${exp.id}/runs`]) {
      for (const token of ['garbage', '%%%', foreign, anotherList, 'e30']) {
        const response = await api.call('GET', `${path}?continuation=${encodeURIComponent(token)}`);
        expectProblem(response, 400, 'continuation');
      }
    }
  });

  it('a token from one list does not page another', async () => {
    for (let i = 0; i < 3; i++) await createConnection(api, 'autopilot');
    const connections = await api.call('GET', '/api/connections?top=1');
    expect(connections.body.continuation).toEqual(expect.any(String));
    const onSegments = await api.call('GET', `/api/segments?continuation=${encodeURIComponent(connections.body.continuation)}`);
    expectProblem(onSegments, 400, 'continuation');
  });
});

describe('the principal', () => {
  it('an oversized user id or name is 401, never a storage error', async () => {
    for (const principal of [
      { userId: 'u'.repeat(5_000), userDetails: 'x', userRoles: ['admin'] },
      { userId: 'u1', userDetails: 'd'.repeat(14_000), userRoles: ['admin'] },
    ]) {
      const response = await api.call('POST', '/api/connections', {
        as: 'anonymous',
        headers: { 'x-ms-client-principal': encodeClientPrincipal(principal) },
        body: { type: 'autopilot', displayName: `big ${principal.userId.length}`, credentials: { apiKey: 'k' }, consent: true },
      });
      expectProblem(response, 401);
    }
  });
});

describe('media types and cross-site requests', () => {
  const body = () => ({ type: 'autopilot', displayName: `typed ${Math.random()}`, credentials: { apiKey: 'k' }, consent: true });

  it('a body that is not application/json is 415, and nothing is created', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const response = await api.call('POST', '/api/connections', { rawBody: JSON.stringify(body()), headers: { 'content-type': contentType } });
      expectProblem(response, 415);
    }
    const missing = await api.call('PUT', '/api/schedule', { rawBody: '{"cron":"0 0 * * * *"}', headers: { 'content-type': '' } });
    expectProblem(missing, 415);
    for (const contentType of ['application/json', 'application/json; charset=utf-8', 'application/merge-patch+json']) {
      const response = await api.call('POST', '/api/connections', { rawBody: JSON.stringify(body()), headers: { 'content-type': contentType } });
      expect(response.status, `${contentType}: ${response.text}`).toBe(201);
    }
  });

  it('a body-less state-changing request needs a JSON content type or X-Requested-With', async () => {
    const connection = await createConnection(api, 'autopilot');
    const exp = await createExport(api, connection, { segments: ['nobody-drops-this'] });
    const bare = await api.call('POST', `/api/exports/${exp.id}/run`, { headers: { 'x-requested-with': '' } });
    expectProblem(bare, 415);
    const form = await api.call('POST', `/api/connections/${connection.id}/test`, { rawBody: '', headers: { 'content-type': 'text/plain', 'x-requested-with': '' } });
    expectProblem(form, 415);
    const runs = await api.call('GET', `/api/exports/${exp.id}/runs`);
    expect(runs.body.items).toEqual([]);
    const withHeader = await api.call('POST', `/api/exports/${exp.id}/run`, { headers: { 'x-requested-with': 'XMLHttpRequest' } });
    expect(withHeader.status, withHeader.text).toBe(202);
  });
});

describe('names and keys', () => {
  it('control characters, lone surrogates and bidi overrides in names are 400 naming the field', async () => {
    const connection = await createConnection(api, 'autopilot');
    for (const bad of ['a\u0000b', 'a\u0007b', 'x\uD800y', 'evil\u202Etxt.exe', 'a\u2066b']) {
      const create = await api.call('POST', '/api/connections', { body: { type: 'autopilot', displayName: bad, credentials: { apiKey: 'k' }, consent: true } });
      expectProblem(create, 400, 'displayName');
      const exp = await api.call('POST', '/api/exports', { body: { name: bad, connectionId: connection.id, segments: ['s'], dataMatching: { email: 'email' } } });
      expectProblem(exp, 400, 'name');
    }
    const fine = await api.call('POST', '/api/connections', { body: { type: 'autopilot', displayName: 'Renée — 東京 😀', credentials: { apiKey: 'k' }, consent: true } });
    expect(fine.status, fine.text).toBe(201);
  });

  it('a __proto__ or constructor key anywhere in a body is 400, never dropped silently', async () => {
    const connection = await createConnection(api, 'adroll');
    const base = { name: 'proto', connectionId: connection.id, segments: ['s'], dataMatching: { email: 'email' } };
    for (const [raw, field] of [
      [JSON.stringify(base).replace(/\}$/, ',"settings":{"__proto__":{"polluted":"yes"},"advertiserId":"A1"}}'), 'settings.__proto__'],
      [JSON.stringify(base).replace(/\}$/, ',"settings":{"constructor":{"prototype":{"x":"y"}},"advertiserId":"A1"}}'), 'settings.constructor'],
    ] as const) {
      const response = await api.call('POST', '/api/exports', { rawBody: raw });
      expectProblem(response, 400, field);
    }
  });
});

describe('concurrent run requests', () => {
  it('the losing request answers 409 and writes no run record', async () => {
    const connection = await createConnection(api, 'autopilot');
    const exp = await createExport(api, connection, { segments: ['raced'] });
    const answers = await Promise.all(Array.from({ length: 4 }, () => api.call('POST', `/api/exports/${exp.id}/run`)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([202, 409, 409, 409]);
    const winner = answers.find((a) => a.status === 202)!.body.run.id;
    for (const loser of answers.filter((a) => a.status === 409)) expect(loser.body.activeRunId).toBe(winner);
    const runs = await api.call('GET', `/api/exports/${exp.id}/runs`);
    expect(runs.body.items.map((r: { id: string }) => r.id)).toEqual([winner]);
  });
});

describe('connections closed to contributors', () => {
  it('their resources answer 404 to contributors, as if absent', async () => {
    const closed = await createConnection(api, 'autopilot', { allowContributors: false });
    const exp = await createExport(api, closed);
    for (const [method, path] of [
      ['GET', `/api/connections/${closed.id}`],
      ['GET', `/api/exports/${exp.id}`],
      ['DELETE', `/api/exports/${exp.id}`],
      ['GET', `/api/exports/${exp.id}/runs`],
      ['POST', `/api/exports/${exp.id}/run`],
    ] as const) {
      const response = await api.call(method, path, { as: 'contributor', headers: { 'x-requested-with': 'test' } });
      expectProblem(response, 404);
      expect(response.body.detail).not.toMatch(/contributors/);
    }
    const patch = await api.call('PATCH', `/api/exports/${exp.id}`, { as: 'contributor', body: { name: 'mine' } });
    expectProblem(patch, 404);
  });
});

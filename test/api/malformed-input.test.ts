import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnection, createExport, startApi, type ApiHarness } from './harness.js';

/**
 * Property tests: whatever a client sends to a route that takes a body (malformed JSON,
 * JSON that is not an object, a field of the wrong type, an oversize string, an unknown
 * field), the answer is a 400 problem naming what is wrong, never a 500.
 */

let api: ApiHarness;
let connectionId: string;
let exportId: string;

beforeAll(async () => {
  api = await startApi();
  const connection = await createConnection(api, 'adroll');
  connectionId = connection.id;
  exportId = (await createExport(api, connection)).id;
});
afterAll(async () => {
  await api?.stop();
});

type Kind = 'string' | 'boolean' | 'object' | 'array';

interface BodyRoute {
  label: string;
  method: string;
  path: () => string;
  valid: () => Record<string, unknown>;
  /** Top-level fields and the JSON type each takes. */
  fields: Record<string, Kind>;
  /** Strings with a maximum length: where they sit in the body and the limit. */
  limits: { path: string[]; max: number; field: string }[];
}

const routes: BodyRoute[] = [
  {
    label: 'POST /api/connections',
    method: 'POST',
    path: () => '/api/connections',
    valid: () => ({ type: 'adroll', displayName: 'x', credentials: { refreshToken: 'r' }, consent: true, allowContributors: false }),
    fields: { type: 'string', displayName: 'string', credentials: 'object', consent: 'boolean', allowContributors: 'boolean' },
    limits: [
      { path: ['displayName'], max: 100, field: 'displayName' },
      { path: ['credentials', 'refreshToken'], max: 4096, field: 'credentials.refreshToken' },
    ],
  },
  {
    label: 'PATCH /api/connections/{id}',
    method: 'PATCH',
    path: () => `/api/connections/${connectionId}`,
    valid: () => ({ displayName: 'y', allowContributors: true }),
    fields: { displayName: 'string', credentials: 'object', allowContributors: 'boolean' },
    limits: [{ path: ['displayName'], max: 100, field: 'displayName' }],
  },
  {
    label: 'POST /api/exports',
    method: 'POST',
    path: () => '/api/exports',
    valid: () => ({
      name: 'n',
      connectionId,
      segments: ['s'],
      dataMatching: { email: 'email' },
      settings: { advertiserId: 'A1' },
      enabled: true,
      runOnSegmentRefresh: true,
      schedule: 'inherit',
      truncate: false,
    }),
    fields: {
      name: 'string',
      connectionId: 'string',
      segments: 'array',
      dataMatching: 'object',
      settings: 'object',
      enabled: 'boolean',
      runOnSegmentRefresh: 'boolean',
      schedule: 'string',
      truncate: 'boolean',
    },
    limits: [
      { path: ['name'], max: 100, field: 'name' },
      { path: ['connectionId'], max: 64, field: 'connectionId' },
      { path: ['segments', '0'], max: 128, field: 'segments.0' },
      { path: ['dataMatching', 'email'], max: 256, field: 'dataMatching.email' },
      { path: ['settings', 'advertiserId'], max: 1024, field: 'settings.advertiserId' },
    ],
  },
  {
    label: 'PATCH /api/exports/{id}',
    method: 'PATCH',
    path: () => `/api/exports/${exportId}`,
    valid: () => ({ name: 'm', truncate: true }),
    fields: { name: 'string', connectionId: 'string', segments: 'array', dataMatching: 'object', settings: 'object', enabled: 'boolean', truncate: 'boolean' },
    limits: [
      { path: ['name'], max: 100, field: 'name' },
      { path: ['dataMatching', 'email'], max: 256, field: 'dataMatching.email' },
    ],
  },
  {
    label: 'PUT /api/schedule',
    method: 'PUT',
    path: () => '/api/schedule',
    valid: () => ({ cron: '0 0 */6 * * *', enabled: true }),
    fields: { cron: 'string', enabled: 'boolean' },
    limits: [{ path: ['cron'], max: 120, field: 'cron' }],
  },
];

const RUNS = 25;

function kindOf(value: unknown): Kind | 'number' | 'null' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as Kind | 'number';
}

async function expectProblem(route: BodyRoute, send: { body?: unknown; rawBody?: string; headers?: Record<string, string> }, field?: (fields: string[]) => boolean) {
  const response = await api.call(route.method, route.path(), send);
  expect(response.status, response.text).toBe(400);
  expect(response.headers['content-type']).toBe('application/problem+json');
  expect(response.body).toMatchObject({ status: 400, title: expect.any(String), detail: expect.any(String) });
  const fields: string[] = response.body.errors.map((e: { field: string }) => e.field);
  expect(fields.length).toBeGreaterThan(0);
  if (field) expect(field(fields), `fields: ${fields.join(', ')}`).toBe(true);
}

function setAt(body: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(body);
  let target: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    target[key] ??= {};
    target = target[key] as Record<string, unknown>;
  }
  target[path.at(-1)!] = value;
  return copy;
}

describe.each(routes.map((r) => [r.label, r] as const))('%s', (_, route) => {
  it('the valid body is accepted (so the failures below are caused by the change alone)', async () => {
    const response = await api.call(route.method, route.path(), { body: route.valid() });
    expect(response.status, response.text).toBeLessThan(300);
  });

  it('malformed JSON is a 400 on the body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (text) => {
        fc.pre(!isJson(text));
        await expectProblem(route, { rawBody: text }, (fields) => fields.includes('(body)'));
      }),
      { numRuns: RUNS },
    );
  });

  it('JSON that is not an object is a 400', async () => {
    const notObject = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.string(), fc.array(fc.jsonValue(), { maxLength: 5 }));
    await fc.assert(fc.asyncProperty(notObject, async (value) => expectProblem(route, { body: value })), { numRuns: RUNS });
  });

  it('a field of the wrong type is a 400 naming it', async () => {
    const fields = Object.entries(route.fields);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...fields),
        fc.jsonValue({ maxDepth: 2 }),
        async ([field, kind], value) => {
          fc.pre(kindOf(value) !== kind);
          await expectProblem(route, { body: { ...route.valid(), [field]: value } }, (named) => named.some((f) => f === field || f.startsWith(`${field}.`)));
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('an oversize string is a 400 naming its field', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...route.limits), fc.integer({ min: 1, max: 300 }), fc.string({ minLength: 1, maxLength: 1 }), async (limit, over, char) => {
        fc.pre(char.trim() !== '');
        const value = char.repeat(limit.max + over);
        await expectProblem(route, { body: setAt(route.valid(), limit.path, value) }, (named) => named.includes(limit.field));
      }),
      { numRuns: RUNS },
    );
  });

  it('an unknown field is a 400 naming it', async () => {
    const known = new Set(Object.keys(route.fields));
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 30 }), fc.jsonValue({ maxDepth: 1 }), async (key, value) => {
        fc.pre(!known.has(key) && key !== '__proto__');
        // A reserved key (`__proto__`...) inside the value is named itself, below the unknown field.
        await expectProblem(route, { body: { ...route.valid(), [key]: value } }, (named) => named.some((f) => f === key || f.startsWith(`${key}.`)));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('edge cases of the body itself', () => {
  it('__proto__ as a field name is refused, not a prototype change', async () => {
    const route = routes[0]!;
    await expectProblem(route, { rawBody: JSON.stringify(route.valid()).replace(/^\{/, '{"__proto__":{"admin":true},') });
  });

  it('an empty body, a form body (415) and an oversize body are refused as problems', async () => {
    const route = routes[2]!;
    await expectProblem(route, { rawBody: '' }, (fields) => fields.includes('(body)'));
    const form = await api.call('POST', '/api/exports', { rawBody: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    expect(form.headers['content-type']).toBe('application/problem+json');
    const huge = await api.call('POST', '/api/exports', { body: { ...route.valid(), name: 'x'.repeat(2 * 1024 * 1024) } });
    expect(huge.status).toBe(413);
    expect(huge.headers['content-type']).toBe('application/problem+json');
  });

  it('query parameters of the wrong type are 400 naming them', async () => {
    for (const [path, field] of [
      ['/api/connections?top=0', 'top'],
      ['/api/connections?top=abc', 'top'],
      ['/api/exports?top=5000', 'top'],
      ['/api/segments?top=-1', 'top'],
      ['/api/connections?continuation=not-ours', 'continuation'],
      ['/api/segments?continuation=not-ours', 'continuation'],
      [`/api/connections/${connectionId}?force=yes`, 'force'],
      ['/api/exports?connectionId=bad%20id', 'connectionId'],
    ] as const) {
      const response = await api.call(path.includes('force') ? 'DELETE' : 'GET', path);
      expect(response.status, `${path}: ${response.text}`).toBe(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

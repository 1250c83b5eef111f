import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredRoutes } from '../../functions/http/route.js';
import { destinationCatalogEntrySchema, scheduleResponseSchema, segmentResponseSchema } from '../../shared/api/schemas.js';
import { destinations } from '../../shared/destinations/registry.js';
import { startApi, type ApiHarness } from './harness.js';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi({ REFRESH_SCHEDULE: '0 15 */4 * * *' });
});
afterAll(async () => {
  await api?.stop();
});

describe('GET /api/destinations', () => {
  it('serves every destination with credential fields, settings, data matching and limits', async () => {
    const response = await api.call('GET', '/api/destinations', { as: 'contributor' });
    expect(response.status).toBe(200);
    const items = response.body.items.map((item: unknown) => destinationCatalogEntrySchema.parse(item));
    expect(items.map((d: { type: string }) => d.type).sort()).toEqual(Object.keys(destinations).sort());
    const byType = Object.fromEntries(items.map((d: { type: string }) => [d.type, d]));

    expect(byType.adroll).toMatchObject({
      dataMatching: { required: ['email'], optional: [] },
      limits: { minPerSegment: 100, maxPerSegment: 250_000 },
      settings: { type: 'object', required: ['advertiserId'], additionalProperties: false },
      credentials: { type: 'object', properties: { refreshToken: expect.any(Object), personalAccessToken: expect.any(Object) } },
    });
    expect(byType.rollworks.settings.required).toEqual(['advertiserId']);
    // What the admin agrees to with `consent: true`, per destination, for the portal to show.
    for (const entry of items) expect(entry.privacyStatement, entry.type).toContain(entry.displayName);
    expect(byType['microsoft-advertising']).toMatchObject({
      limits: { maxPerSegment: 500_000 },
      settings: { required: ['customerId', 'accountId'] },
      credentials: { required: ['refreshToken'] },
    });
    // What each takes, which identifiers are enough to match, and how each is sent.
    expect(byType['microsoft-advertising'].identifiers).toEqual({ accepted: ['email'], matchSets: [['email']], encoding: { email: 'sha256-hex' } });
    expect(byType.adroll.identifiers).toEqual({ accepted: ['email'], matchSets: [['email']], encoding: { email: 'plain' } });
    expect(byType.autopilot).toMatchObject({
      identifiers: { accepted: ['email', 'firstName', 'lastName'], matchSets: [['email']], encoding: { email: 'plain', firstName: 'plain', lastName: 'plain' } },
      dataMatching: { required: ['email'], optional: ['firstName', 'lastName'] },
      limits: { maxTotalPerExport: 100_000, batchSize: 100 },
      credentials: { required: ['apiKey'] },
    });
  });
});

describe('GET /api/me', () => {
  it('tells the caller who the API takes them to be, and refuses anyone without a role', async () => {
    const admin = await api.call('GET', '/api/me');
    expect(admin.body).toEqual({ userId: 'user-admin', userDetails: 'admin@example.com', roles: ['admin'] });
    const contributor = await api.call('GET', '/api/me', { as: 'contributor' });
    expect(contributor.body.roles).toEqual(['contributor']);
    expect((await api.call('GET', '/api/me', { as: 'no-role' })).status).toBe(403);
    expect((await api.call('GET', '/api/me', { as: 'anonymous' })).status).toBe(401);
  });
});

describe('GET /api/segments', () => {
  it('lists the catalog page by page', async () => {
    for (const name of ['alpha', 'beta', 'gamma']) {
      await api.services().segments.recordFile({
        name,
        latestFile: `${name}/f.csv`,
        format: 'csv',
        gzip: false,
        columns: ['email'],
        rowCount: 10,
        refreshedAt: '2025-02-01T00:00:00.000Z',
      });
    }
    const first = await api.call('GET', '/api/segments?top=2', { as: 'contributor' });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    const second = await api.call('GET', `/api/segments?top=2&continuation=${encodeURIComponent(first.body.continuation)}`, { as: 'contributor' });
    const all = [...first.body.items, ...second.body.items].map((s: unknown) => segmentResponseSchema.parse(s));
    expect(all.map((s) => s.name)).toEqual(['alpha', 'beta', 'gamma']);
    expect(all[0]).toMatchObject({ latestFile: 'alpha/f.csv', columns: ['email'], rowCount: 10 });
  });
});

describe('the segment catalog with a wide header', () => {
  it('records a file whose header is over what a table property holds, keeping a bounded part of it', async () => {
    const columns = Array.from({ length: 5_000 }, (_, n) => `a_rather_long_column_name_${n}`);
    const recorded = await api.services().segments.recordFile({
      name: 'wide', latestFile: 'wide/f.csv', format: 'csv', gzip: false, columns, refreshedAt: '2025-02-01T00:00:00.000Z',
    });
    expect(recorded).toMatchObject({ columnsTruncated: true });
    const response = await api.call('GET', '/api/segments?top=100', { as: 'contributor' });
    const wide = response.body.items.find((s: { name: string }) => s.name === 'wide');
    expect(wide.columns).toEqual(columns.slice(0, 100));
    expect(wide.columnsTruncated).toBe(true);
  });
});

describe('/api/schedule', () => {
  it('starts from REFRESH_SCHEDULE, saves a new one with who and when, and validates NCRONTAB', async () => {
    const initial = await api.call('GET', '/api/schedule');
    expect(initial.status).toBe(200);
    const { nextRuns, ...schedule } = scheduleResponseSchema.parse(initial.body);
    expect(schedule).toEqual({ cron: '0 15 */4 * * *', enabled: true, source: 'setting' });
    // The next five fire times, in order, each on the quarter past an hour divisible by four.
    expect(nextRuns).toHaveLength(5);
    expect([...nextRuns].sort()).toEqual(nextRuns);
    for (const time of nextRuns) expect(time).toMatch(/T(00|04|08|12|16|20):15:00\.000Z$/);
    expect(initial.headers.etag).toBeUndefined();

    const saved = await api.call('PUT', '/api/schedule', { body: { cron: '0 0 2 * * MON-FRI', enabled: false } });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ cron: '0 0 2 * * MON-FRI', enabled: false, source: 'api', updatedBy: { userId: 'user-admin' }, nextRuns: [] });
    expect(saved.headers.etag).toBe(saved.body.etag);
    // What the timer reads.
    expect(await api.services().schedule.get()).toMatchObject({ cron: '0 0 2 * * MON-FRI', enabled: false });
    expect((await api.call('GET', '/api/schedule')).body).toMatchObject({ cron: '0 0 2 * * MON-FRI', source: 'api' });

    for (const cron of ['0 */6 * * *', '61 0 0 * * *', 'every hour', '']) {
      const refused = await api.call('PUT', '/api/schedule', { body: { cron } });
      expect(refused.status, cron).toBe(400);
      expect(refused.body.errors[0].field).toBe('cron');
    }
  });
});

describe('GET /api/openapi.json', () => {
  it('describes every registered route, generated from the route definitions', async () => {
    const response = await api.call('GET', '/api/openapi.json', { as: 'anonymous' });
    expect(response.status).toBe(200);
    const doc = response.body;
    expect(doc.openapi).toBe('3.1.0');
    for (const route of registeredRoutes()) {
      const operation = doc.paths[`/${route.path}`]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      expect(operation.operationId).toBe(route.name);
      // Every path placeholder is a declared path parameter.
      for (const [, name] of route.path.matchAll(/\{([^}]+)\}/g)) {
        expect(operation.parameters.some((p: { name: string; in: string }) => p.name === name && p.in === 'path'), `${route.path} ${name}`).toBe(true);
      }
    }
    const create = doc.paths['/connections'].post;
    const schema = create.requestBody.content['application/json'].schema;
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.consent).toMatchObject({ const: true });
    expect(schema.required).toEqual(expect.arrayContaining(['type', 'displayName', 'credentials', 'consent']));
    expect(create.responses['201'].headers).toHaveProperty('Location');
    expect(create['x-roles']).toEqual(['admin']);
    expect(doc.paths['/connections/{id}/test'].post.responses['200'].content['application/json'].schema.properties).toHaveProperty('reason');
    expect(doc.paths['/exports/{id}'].patch.responses).toHaveProperty('412');
    expect(doc.paths['/connections'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['top', 'continuation']);
    expect(doc.components.schemas.Problem.properties).toHaveProperty('errors');
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { devConnections } from '../../dev/simulators/index.js';
import { audienceInsightsSchema } from '../../shared/api/insights.js';
import { audienceReadingSchema } from '../../shared/insights/model.js';
import { createConnection, createExport, useApiWithSimulators, type ApiHarness } from './harness.js';

let api: ApiHarness;
useApiWithSimulators((started) => ({ api } = started));

async function dropSegment(segment: string, rows: number): Promise<void> {
  const services = api.services();
  const container = await services.storage.ensureContainer(services.config.containers.segments);
  const csv = `email\n${Array.from({ length: rows }, (_, i) => `${segment}.${i}@example.com`).join('\n')}\n`;
  await container.getBlockBlobClient(`${segment}/members.csv`).upload(csv, Buffer.byteLength(csv));
}

describe('audience insights API', () => {
  it('answers the latest reading per segment after a run, its history, and problem details for bad or hidden input', async () => {
    const segment = 'insights-api';
    await dropSegment(segment, 120);
    const connection = await createConnection(api, 'autopilot', { allowContributors: true, credentials: devConnections.autopilot.credentials });
    const exp = await createExport(api, connection, { segments: [segment], runOnSegmentRefresh: false });

    const before = await api.call('GET', `/api/exports/${exp.id}/audiences`, { as: 'contributor' });
    expect(before.status, before.text).toBe(200);
    expect(audienceInsightsSchema.parse(before.body)).toEqual({ exportId: exp.id, audiences: [{ segment, latest: null }] });

    const started = await api.call('POST', `/api/exports/${exp.id}/run`);
    expect(started.status, started.text).toBe(202);
    let latest: Record<string, any> | null = null;
    for (let i = 0; i < 300 && !latest; i++) {
      await sleep(100);
      latest = (await api.call('GET', `/api/exports/${exp.id}/audiences`)).body.audiences[0].latest;
    }
    expect(audienceReadingSchema.parse(latest)).toMatchObject({ segment, trigger: 'after-run', tracked: 120, reported: { size: 120 }, matchRate: 1 });

    const history = await api.call('GET', `/api/exports/${exp.id}/audiences/${segment}/history?top=10`, { as: 'contributor' });
    expect(history.status, history.text).toBe(200);
    expect(history.body.items).toHaveLength(1);
    expect(history.body.items[0].readAt).toBe(latest!.readAt);

    const badSegment = await api.call('GET', `/api/exports/${exp.id}/audiences/${encodeURIComponent('../x')}/history`);
    expect(badSegment.status).toBe(400);
    expect(badSegment.headers['content-type']).toBe('application/problem+json');
    expect(badSegment.body.errors.map((e: { field: string }) => e.field)).toContain('segment');

    const otherSegment = await api.call('GET', `/api/exports/${exp.id}/audiences/not-sent/history`);
    expect(otherSegment.status).toBe(404);
    const badTop = await api.call('GET', `/api/exports/${exp.id}/audiences/${segment}/history?top=0`);
    expect(badTop.status).toBe(400);
    const missing = await api.call('GET', '/api/exports/no-such-export/audiences');
    expect(missing.status).toBe(404);
  }, 60_000);

  it('keeps audience alert settings on the export, validated, in the OpenAPI document', async () => {
    const connection = await createConnection(api, 'autopilot', { credentials: devConnections.autopilot.credentials });
    const exp = await createExport(api, connection, { segments: ['insights-alert-settings'], runOnSegmentRefresh: false, audienceAlerts: { matchRateBelow: 0.6 } });
    expect(exp.audienceAlerts).toEqual({ matchRateBelow: 0.6 });
    const bad = await api.call('POST', '/api/exports', {
      body: { name: 'bad alerts', connectionId: connection.id, segments: ['x'], dataMatching: { email: 'email' }, audienceAlerts: { matchRateBelow: 1.5, shrinksBy: 0 } },
    });
    expect(bad.status, bad.text).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['audienceAlerts.matchRateBelow', 'audienceAlerts.shrinksBy']));
    const current = await api.call('GET', `/api/exports/${exp.id}`);
    const changed = await api.call('PATCH', `/api/exports/${exp.id}`, { body: { audienceAlerts: { shrinksBy: 0.25 } }, headers: { 'if-match': current.headers.etag! } });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body.audienceAlerts).toEqual({ shrinksBy: 0.25 });
    const doc = await api.call('GET', '/api/openapi.json');
    const create = doc.body.paths['/exports'].post.requestBody.content['application/json'].schema;
    expect(JSON.stringify(create)).toContain('matchRateBelow');
    expect(doc.body.paths['/dashboard'].get.responses['200']).toBeDefined();
  });

  it("answers every visible export's health: last run, failure streak, next scheduled run, audiences by state", async () => {
    const segment = 'insights-dashboard';
    await dropSegment(segment, 110);
    const open = await createConnection(api, 'autopilot', { allowContributors: true, credentials: devConnections.autopilot.credentials });
    const closed = await createConnection(api, 'autopilot', { credentials: devConnections.autopilot.credentials });
    const shown = await createExport(api, open, { segments: [segment], runOnSegmentRefresh: false });
    const hidden = await createExport(api, closed, { name: 'admins only', segments: [segment], runOnSegmentRefresh: false, schedule: 'none' });
    const started = await api.call('POST', `/api/exports/${shown.id}/run`);
    expect(started.status, started.text).toBe(202);
    let health: Record<string, any> | undefined;
    for (let i = 0; i < 300 && !(health?.lastRun?.finishedAt && health.audiences.unread === 0); i++) {
      await sleep(100);
      health = (await api.call('GET', '/api/dashboard?top=1000')).body.items.find((h: { exportId: string }) => h.exportId === shown.id);
    }
    expect(health).toMatchObject({
      name: shown.name,
      destinationType: 'autopilot',
      enabled: true,
      segments: 1,
      lastRun: { id: started.body.run.id, status: 'succeeded' },
      failureStreak: 0,
      audiences: { 'not-reported': 1, processing: 0, unread: 0, drift: 0 },
    });
    expect(Date.parse(health!.nextScheduledRun)).toBeGreaterThan(Date.now() - 1_000);

    const asAdmin = (await api.call('GET', '/api/dashboard?top=1000')).body.items;
    expect(asAdmin.find((h: { exportId: string }) => h.exportId === hidden.id)).toMatchObject({ lastRun: null, nextScheduledRun: null, audiences: { unread: 1 } });
    const asContributor = await api.call('GET', '/api/dashboard?top=1000', { as: 'contributor' });
    expect(asContributor.status).toBe(200);
    const ids = asContributor.body.items.map((h: { exportId: string }) => h.exportId);
    expect(ids).toContain(shown.id);
    expect(ids).not.toContain(hidden.id);
    expect((await api.call('GET', '/api/dashboard?top=0')).status).toBe(400);
  }, 60_000);
});

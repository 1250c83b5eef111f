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
});

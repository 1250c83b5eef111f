import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { devConnections, type RunningSimulators } from '../../dev/simulators/index.js';
import { runSchema } from '../../shared/domain/run.js';
import { createConnection, createExport, useApiWithSimulators, type ApiHarness } from './harness.js';

let api: ApiHarness;
let sims: RunningSimulators;
useApiWithSimulators((started) => ({ api, sims } = started));

async function dropSegment(segment: string, rows: number): Promise<void> {
  const services = api.services();
  const container = await services.storage.ensureContainer(services.config.containers.segments);
  const csv = `email\n${Array.from({ length: rows }, (_, i) => `${segment}.${i}@example.com`).join('\n')}\nnot-an-email\n`;
  await container.getBlockBlobClient(`${segment}/members.csv`).upload(csv, Buffer.byteLength(csv));
}

async function finished(runId: string): Promise<Record<string, any>> {
  for (let i = 0; i < 300; i++) {
    const { body } = await api.call('GET', `/api/runs/${runId}`);
    if (['succeeded', 'partially-succeeded', 'failed', 'skipped'].includes(body.status)) return body;
    await sleep(100);
  }
  throw new Error(`run ${runId} did not finish`);
}

describe('runs', () => {
  it('starts a run on demand, names the active run to a second request (409), and shows the record and report', async () => {
    const segment = 'on-demand';
    await dropSegment(segment, 300);
    const connection = await createConnection(api, 'autopilot', { allowContributors: true, credentials: devConnections.autopilot.credentials });
    const exp = await createExport(api, connection, { segments: [segment], runOnSegmentRefresh: false });
    // Slow uploads keep the first run active while the second request comes in.
    sims.autopilot.inject({ kind: 'slow', delayMs: 1_500, count: 1, path: '/v1/contacts' });

    const first = await api.call('POST', `/api/exports/${exp.id}/run`, { as: 'contributor' });
    expect(first.status, first.text).toBe(202);
    expect(runSchema.parse(first.body.run)).toMatchObject({ exportId: exp.id, trigger: 'on-demand', status: 'queued' });
    expect(first.headers.location).toBe(`/api/runs/${first.body.run.id}`);
    expect(first.body.statusUrl).toBe(first.headers.location);

    const second = await api.call('POST', `/api/exports/${exp.id}/run`);
    expect(second.status).toBe(409);
    expect(second.headers['content-type']).toBe('application/problem+json');
    expect(second.body).toMatchObject({ status: 409, activeRunId: first.body.run.id, statusUrl: `/api/runs/${first.body.run.id}` });

    const run = await finished(first.body.run.id);
    expect(run.status, run.reason ?? run.segments[0].reason).toBe('succeeded');
    expect(run.segments[0]).toMatchObject({ segment, read: 301, valid: 300, invalid: 1, sent: 300, accepted: 300 });
    expect(run.durationMs).toBeGreaterThan(0);

    const list = await api.call('GET', `/api/exports/${exp.id}/runs`, { as: 'contributor' });
    expect(list.status).toBe(200);
    expect(list.body.items.map((r: { id: string }) => r.id)).toEqual([first.body.run.id]);

    const report = await api.call('GET', `/api/runs/${run.id}/rejected`, { as: 'contributor' });
    expect(report.status).toBe(200);
    expect(report.headers['content-type']).toMatch(/^text\/csv/);
    expect(report.text).toBe(`segment,row,reason,value\n${segment},301,invalid-email,not-an-email\n`);
  });

  it('refuses to run a disabled export, naming the field', async () => {
    const connection = await createConnection(api, 'autopilot');
    const exp = await createExport(api, connection, { enabled: false });
    const response = await api.call('POST', `/api/exports/${exp.id}/run`);
    expect(response.status).toBe(409);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body.errors).toEqual([{ field: 'enabled', message: 'the export is disabled' }]);
  });

  it('hides runs of exports the caller may not see, and answers 404 for an unknown run', async () => {
    await dropSegment('closed', 150);
    const closed = await createConnection(api, 'autopilot', { allowContributors: false });
    const exp = await createExport(api, closed, { segments: ['closed'], runOnSegmentRefresh: false });
    const started = await api.call('POST', `/api/exports/${exp.id}/run`);
    expect(started.status).toBe(202);
    await finished(started.body.run.id);

    for (const path of [`/api/runs/${started.body.run.id}`, `/api/runs/${started.body.run.id}/rejected`, `/api/exports/${exp.id}/runs`]) {
      const response = await api.call('GET', path, { as: 'contributor' });
      expect(response.status, path).toBe(404);
      expect(response.body.detail, path).toMatch(/^(run|export) \S+ does not exist$/);
    }
    expect((await api.call('POST', `/api/exports/${exp.id}/run`, { as: 'contributor' })).status).toBe(404);
    const unknown = await api.call('GET', '/api/runs/8000000000000-00000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toBe('run 8000000000000-00000000 does not exist');
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import type { Run } from '../domain/run.js';
import { writeReportPart } from '../pipeline/run-files/report.js';
import { createServices, type Services } from '../services.js';
import { loadConfig } from '../config.js';
import { insightStore } from '../insights/store.js';
import { purgeExpired } from './retention.js';

let azurite: RunningAzurite;
let services: Services;
beforeAll(async () => {
  azurite = await startAzurite();
  services = createServices(loadConfig({ AzureWebJobsStorage: azurite.connectionString, RETENTION_DAYS: '30', SECRET_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') }));
}, 60_000);
afterAll(async () => {
  await azurite?.stop();
});

const DAY = 86_400_000;

async function runOf(exportId: string, endedDaysAgo: number | undefined, now: Date): Promise<Run> {
  const at = new Date(now.getTime() - (endedDaysAgo ?? 40) * DAY - 60_000).toISOString();
  const run: Run = {
    id: `run-${randomUUID()}`,
    exportId,
    destinationType: 'autopilot',
    trigger: 'on-demand',
    status: endedDaysAgo === undefined ? 'running' : 'succeeded',
    segments: [],
    startedAt: at,
    ...(endedDaysAgo === undefined ? {} : { finishedAt: new Date(now.getTime() - endedDaysAgo * DAY).toISOString() }),
  };
  await services.runs.create(run);
  const reports = await services.storage.ensureContainer(services.config.containers.reports);
  await writeReportPart(reports, run.id, '000-prepare', [{ segment: 's', row: 1, reason: 'invalid-email', value: 'someone@example.com' }]);
  return run;
}

describe('purgeExpired', () => {
  it('deletes run records and reports older than the retention period, and keeps the rest', async () => {
    const now = new Date('2026-12-01T03:30:00.000Z');
    const exp = { id: randomUUID() };
    await services.exports.create({
      id: exp.id, name: 'kept and purged', connectionId: 'c', destinationType: 'autopilot', segments: ['s'], dataMatching: { email: 'email' },
      settings: {}, enabled: true, runOnSegmentRefresh: true, schedule: 'inherit', truncate: false, syncMode: 'mirror',
      createdBy: { userId: 'u', userDetails: 'u' }, createdAt: now.toISOString(), updatedAt: now.toISOString(),
    });
    const old = await runOf(exp.id, 31, now);
    const recent = await runOf(exp.id, 29, now);
    const unfinished = await runOf(exp.id, undefined, now);
    const insights = insightStore(services.storage);
    const reading = (daysAgo: number) => ({
      exportId: exp.id, segment: 's', destinationType: 'autopilot', readAt: new Date(now.getTime() - daysAgo * DAY).toISOString(), trigger: 'timer' as const,
      tracked: 10, reported: null, state: 'not-reported' as const, matchRate: null, matchRateEstimate: false,
    });
    await insights.record(reading(31));
    await insights.record(reading(29));

    expect(await purgeExpired(services, now)).toEqual({ runs: 1, reportBlobs: 1, audienceReadings: 1 });
    expect((await insights.history(exp.id, 's', { top: 10 })).items.map((r) => r.readAt)).toEqual([reading(29).readAt]);

    expect(await services.runs.find(old.id)).toBeUndefined();
    expect(await services.runs.find(recent.id)).toBeDefined();
    expect(await services.runs.find(unfinished.id)).toBeDefined();
    const reports = await services.storage.ensureContainer(services.config.containers.reports);
    const left: string[] = [];
    for await (const blob of reports.listBlobsFlat()) left.push(blob.name.split('/')[0]!);
    expect(left).not.toContain(old.id);
    expect(left).toEqual(expect.arrayContaining([recent.id, unfinished.id]));
  });
});

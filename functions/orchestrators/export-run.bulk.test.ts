import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import { DurableDriver } from '../../dev/durable/index.js';
import { EventType, type HistoryEvent } from '../../dev/durable/history.js';
import { loadFunctionApp } from '../../dev/host/registry.js';
import { devCredentials } from '../../dev/simulators/credentials.js';
import { startMicrosoftAdvertisingSimulator, type MicrosoftAdvertisingSimulator } from '../../dev/simulators/microsoft-advertising/server.js';
import { memorySecretStore } from '../../dev/simulators/testing.js';
import type { Run } from '../../shared/domain/run.js';
import { connectDestination } from '../../shared/destinations/connect.js';
import { reconciliationErrors } from '../../shared/pipeline/counts/outcome.js';
import { streamReport } from '../../shared/pipeline/run-files/report.js';
import { runInstanceId, startRun, type RunStarter } from '../../shared/pipeline/runs/run-service.js';
import type { RunInput } from '../../shared/pipeline/run-steps.js';
import { connectionSecretName } from '../../shared/secrets/types.js';
import { createServices, resetServices, type Services } from '../../shared/services.js';
import { activities, EXPORT_RUN_ORCHESTRATION } from './names.js';

/**
 * The export-run orchestration to Microsoft Advertising with a low MSADS_BULK_THRESHOLD,
 * through the durable driver, the real connector and the Microsoft Advertising simulator:
 * large change sets go as Bulk jobs (upload, status checks between durable timers, result
 * file), small ones stay on Apply.
 */

const THRESHOLD = 100;
const creds = devCredentials.microsoftAdvertising;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
let azurite: RunningAzurite;
let sim: MicrosoftAdvertisingSimulator;
let driver: DurableDriver;
let services: Services;
const secrets = memorySecretStore();

const starter: RunStarter = {
  async activeInput(instanceId) {
    const status = await driver.getStatus(instanceId);
    return status && ['Pending', 'Running'].includes(status.runtimeStatus) ? (status.input as RunInput) : undefined;
  },
  async start(instanceId, input) {
    await driver.startNew(EXPORT_RUN_ORCHESTRATION, { instanceId, input });
  },
};

beforeAll(async () => {
  [azurite, sim] = await Promise.all([startAzurite(), startMicrosoftAdvertisingSimulator({ rateLimits: false })]);
  Object.assign(process.env, {
    AzureWebJobsStorage: azurite.connectionString,
    SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SEND_WHILE_PREPARING: 'false',
    MSADS_API_URL: sim.url,
    MSADS_TOKEN_URL: sim.tokenUrl,
    MSADS_CLIENT_ID: creds.clientId,
    MSADS_CLIENT_SECRET: creds.clientSecret,
    MSADS_DEVELOPER_TOKEN: creds.developerToken,
    MSADS_BULK_THRESHOLD: String(THRESHOLD),
  });
  const registry = await loadFunctionApp(() => import('../index.js'));
  services = createServices();
  services.destinationClient = (connection, settings) => connectDestination({ secrets, endpoints: services.config.destinations }, connection, settings);
  resetServices(services);
  driver = await DurableDriver.create({
    registry,
    connectionString: azurite.connectionString,
    taskHub: `bulk${randomBytes(4).toString('hex')}`,
    timeScale: 0.001,
    log: () => undefined,
  });
  await driver.start();
}, 60_000);

afterAll(async () => {
  await driver?.stop();
  resetServices();
  await Promise.all([sim?.stop(), azurite?.stop()]);
});

beforeEach(() => {
  sim.reset();
  // Long enough that a job is InProgress at the first status checks.
  sim.bulkLimits.processingMs = 400;
});

const emails = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `member.${from + i}@example.com`);

async function createExport(segment: string): Promise<string> {
  const at = new Date().toISOString();
  const user = { userId: 'test-admin', userDetails: 'admin@example.com' };
  const connectionId = randomUUID();
  secrets.values.set(connectionSecretName(connectionId), JSON.stringify({ refreshToken: creds.refreshToken }));
  await services.connections.create({
    id: connectionId,
    type: 'microsoft-advertising',
    displayName: `bulk ${connectionId}`,
    allowContributors: false,
    consent: { accepted: true, acceptedBy: user, acceptedAt: at },
    exportUser: user,
    credentials: { set: true, updatedAt: at },
    createdBy: user,
    createdAt: at,
    updatedAt: at,
  });
  const exportId = randomUUID();
  await services.exports.create({
    id: exportId,
    name: `export of ${segment}`,
    connectionId,
    destinationType: 'microsoft-advertising',
    segments: [segment],
    dataMatching: { email: 'email' },
    settings: { customerId: creds.customerId, accountId: creds.accountId },
    enabled: true,
    runOnSegmentRefresh: false,
    schedule: 'none',
    truncate: false,
    syncMode: 'mirror',
    createdBy: user,
    createdAt: at,
    updatedAt: at,
  });
  return exportId;
}

async function dropSegmentFile(segment: string, lines: string[]): Promise<void> {
  const container = await services.storage.ensureContainer(services.config.containers.segments);
  const csv = `email\n${lines.join('\n')}\n`;
  await container.getBlockBlobClient(`${segment}/members.csv`).upload(csv, Buffer.byteLength(csv));
}

async function run(exportId: string): Promise<{ run: Run; history: HistoryEvent[] }> {
  const started = await startRun(services, starter, { id: exportId, destinationType: 'microsoft-advertising', segments: (await services.exports.find(exportId))!.segments }, 'on-demand');
  if (!started.started) throw new Error('expected a new run');
  const instanceId = runInstanceId(exportId);
  const status = await driver.waitForCompletion(instanceId, 60_000);
  expect(status.runtimeStatus).toBe('Completed');
  return { run: await services.runs.get(started.run.id), history: (await driver.history(instanceId)) as HistoryEvent[] };
}

async function report(runId: string): Promise<string[][]> {
  const container = await services.storage.ensureContainer(services.config.containers.reports);
  let text = '';
  for await (const chunk of streamReport(container, runId)) text += chunk.toString();
  return text.trim().split('\n').slice(1).filter(Boolean).map((line) => line.split(','));
}

const scheduled = (history: HistoryEvent[], name: string) =>
  history.filter((e) => e.EventType === EventType.TaskScheduled && 'Name' in e && e.Name === name).length;
const timers = (history: HistoryEvent[]) => history.filter((e) => e.EventType === EventType.TimerCreated).length;
const applyCalls = () => sim.requests.all((r) => r.path.endsWith('/CustomerListUserData/Apply')).length;

describe('export-run orchestration with Microsoft Advertising Bulk uploads', () => {
  it('sends a full sync above the threshold as one Replace job, then a refresh as bulk adds and removes, and small changes by Apply', async () => {
    const segment = 'bulk-orchestration';
    const exportId = await createExport(segment);
    await dropSegmentFile(segment, emails(1, 1_500));

    const first = await run(exportId);
    expect(first.run.status).toBe('succeeded');
    expect(first.run.segments[0]).toMatchObject({ valid: 1_500, sent: 1_500, accepted: 1_500, rejected: 0 });
    expect(reconciliationErrors(first.run.segments[0]!)).toEqual([]);
    expect(new Set(sim.audience(segment)!.members)).toEqual(new Set(emails(1, 1_500).map(sha256)));
    expect(sim.bulkJobs()).toHaveLength(1);
    expect(applyCalls()).toBe(0);
    // One upload, then status checks with durable timers between them; nothing sent in batches.
    expect(scheduled(first.history, activities.startBulkSend)).toBe(1);
    expect(scheduled(first.history, activities.checkBulkSend)).toBeGreaterThan(1);
    expect(timers(first.history)).toBe(scheduled(first.history, activities.checkBulkSend));
    expect(scheduled(first.history, activities.sendChanges)).toBe(0);

    // 300 leave and 200 arrive (one of which the service refuses): both above the threshold.
    sim.refuseItems([sha256('member.1600@example.com')]);
    await dropSegmentFile(segment, emails(301, 1_700));
    const second = await run(exportId);
    expect(second.run.status).not.toBe('failed');
    expect(second.run.segments[0]).toMatchObject({ sent: 200, accepted: 199, rejected: 1 });
    expect(reconciliationErrors(second.run.segments[0]!)).toEqual([]);
    expect(new Set(sim.audience(segment)!.members)).toEqual(new Set(emails(301, 1_700).filter((e) => e !== 'member.1600@example.com').map(sha256)));
    expect(sim.bulkJobs()).toHaveLength(3);
    expect(applyCalls()).toBe(0);
    // The refused item is reported at its row of the file (data rows count from 1: member.301 is row 1).
    expect((await report(second.run.id)).map(([, row, reason]) => [row, reason])).toEqual([
      [String(1_600 - 300), 'rejected-by-destination: 8007 CustomerListItemInvalid'],
    ]);

    // 10 arrive: below the threshold, Apply as before.
    await dropSegmentFile(segment, emails(301, 1_710));
    const third = await run(exportId);
    expect(third.run.segments[0]).toMatchObject({ sent: 11, accepted: 10, rejected: 1 });
    expect(sim.bulkJobs()).toHaveLength(3);
    expect(applyCalls()).toBeGreaterThan(0);
    expect(scheduled(third.history, activities.startBulkSend)).toBe(0);
    expect(sim.audience(segment)!.members).toHaveLength(1_399 + 10);
  }, 120_000);

  it('leaves the changes to Apply when the bulk job fails for good', async () => {
    const segment = 'bulk-fallback';
    const exportId = await createExport(segment);
    sim.bulkLimits.maxRows = 10;
    await dropSegmentFile(segment, emails(1, 500));
    const { run: record, history } = await run(exportId);
    expect(record.status).toBe('succeeded');
    expect(record.segments[0]).toMatchObject({ sent: 500, accepted: 500 });
    expect(sim.bulkJobs().map((job) => job.status)).toEqual(['UploadFileRowCountExceeded']);
    expect(applyCalls()).toBeGreaterThan(0);
    expect(scheduled(history, activities.sendChanges)).toBeGreaterThan(0);
    expect(new Set(sim.audience(segment)!.members)).toEqual(new Set(emails(1, 500).map(sha256)));
  }, 120_000);
});

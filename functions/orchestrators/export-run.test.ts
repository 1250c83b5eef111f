import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import { DurableDriver } from '../../dev/durable/index.js';
import { EventType, type HistoryEvent } from '../../dev/durable/history.js';
import { loadFunctionApp } from '../../dev/host/registry.js';
import type { Run } from '../../shared/domain/run.js';
import { autopilotLimits } from '../../shared/destinations/autopilot/definition.js';
import { PacedOut } from '../../shared/destinations/common/pacing.js';
import { DestinationError, type DestinationClient, type ProfileRecord } from '../../shared/destinations/types.js';
import { streamReport } from '../../shared/pipeline/run-files/report.js';
import { reconciliationErrors } from '../../shared/pipeline/counts/outcome.js';
import { runInstanceId, startRun, type RunStarter } from '../../shared/pipeline/runs/run-service.js';
import type { RunInput } from '../../shared/pipeline/run-steps.js';
import { createServices, resetServices, type Services } from '../../shared/services.js';
import { SEND_ROUNDS_PER_EXECUTION } from './history-budget.js';
import { activities, EXPORT_RUN_ORCHESTRATION } from './names.js';

/**
 * The export-run orchestrator and its activities, as registered by functions/index.ts,
 * executed through the durable driver (the SDK's own replay over history kept in Azurite).
 * Only the destination is a stand-in: a recording client that can be told to fail.
 */

const MAX_IN_FLIGHT = 2;
const { recordsPerWorkFile: FILE, batchSize: BATCH } = autopilotLimits;
/** Three work files: two full ones and a half one. */
const TOTAL = 2 * FILE + FILE / 2;
let azurite: RunningAzurite;
let driver: DurableDriver;
let services: Services;

/** Records what a destination would receive and hold; fails on request. */
class RecordingDestination {
  readonly received = new Map<string, string[]>();
  readonly held = new Map<string, Set<string>>();
  readonly removed: string[] = [];
  readonly batchSizes: number[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** When set, finding or creating an audience fails with it (an outage during setup). */
  audienceFailure?: () => Error;
  /** email → failures still to raise for the batch that starts with it. */
  readonly failures = new Map<string, { error: () => DestinationError; remaining: number; raised: number }>();

  reset(): void {
    this.received.clear();
    this.held.clear();
    this.removed.length = 0;
    this.batchSizes.length = 0;
    this.failures.clear();
    this.audienceFailure = undefined;
    this.inFlight = 0;
    this.maxInFlight = 0;
  }

  failBatchStartingWith(email: string, times: number, error: () => DestinationError): void {
    this.failures.set(email, { error, remaining: times, raised: 0 });
  }

  client(): DestinationClient {
    return {
      testConnection: async () => undefined,
      ensureAudience: async (name) => {
        if (this.audienceFailure) throw this.audienceFailure();
        const created = !this.held.has(name);
        if (!this.received.has(name)) this.received.set(name, []);
        if (created) this.held.set(name, new Set());
        return { audienceId: name, created, membersIncluded: false };
      },
      uploadBatch: async (audienceId, records: ProfileRecord[]) => {
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        try {
          // Long enough that work files in flight together overlap here.
          await sleep(3);
          const failure = this.failures.get(records[0]!.email!);
          if (failure && failure.remaining > 0) {
            failure.remaining--;
            failure.raised++;
            throw failure.error();
          }
          this.batchSizes.push(records.length);
          this.received.get(audienceId)!.push(...records.map((r) => r.email!));
          for (const r of records) this.held.get(audienceId)!.add(r.email!);
          return { accepted: records.length, rejected: [] };
        } finally {
          this.inFlight--;
        }
      },
      removeMembers: async (audienceId, ids) => {
        for (const id of ids) this.held.get(audienceId)!.delete(id);
        this.removed.push(...ids);
        return { removed: ids.length, failed: [] };
      },
      listMembers: async (audienceId) => [...(this.held.get(audienceId) ?? [])],
    };
  }
}

const destination = new RecordingDestination();

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
  azurite = await startAzurite();
  Object.assign(process.env, {
    AzureWebJobsStorage: azurite.connectionString,
    SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    MAX_UPLOADS_IN_FLIGHT: String(MAX_IN_FLIGHT),
    // The send stage's rules first; preparation's own sending is turned on in its block below.
    SEND_WHILE_PREPARING: 'false',
  });
  const registry = await loadFunctionApp(() => import('../index.js'));
  services = createServices();
  services.destinationClient = async () => destination.client();
  resetServices(services);
  driver = await DurableDriver.create({
    registry,
    connectionString: azurite.connectionString,
    taskHub: `orch${randomBytes(4).toString('hex')}`,
    timeScale: 0.001,
    log: () => undefined,
  });
  await driver.start();
}, 60_000);

afterAll(async () => {
  await driver?.stop();
  resetServices();
  await azurite?.stop();
});

beforeEach(() => destination.reset());

const emails = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `member.${from + i}@example.com`);

/** An Autopilot export (work files of FILE records, batches of BATCH) of one segment. */
async function createExport(segment: string, options: { truncate?: boolean; more?: string[] } = {}): Promise<string> {
  const at = new Date().toISOString();
  const user = { userId: 'test-admin', userDetails: 'admin@example.com' };
  const connectionId = randomUUID();
  await services.connections.create({
    id: connectionId,
    type: 'autopilot',
    displayName: `orchestration ${connectionId}`,
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
    destinationType: 'autopilot',
    segments: [segment, ...(options.more ?? [])],
    dataMatching: { email: 'email' },
    settings: {},
    enabled: true,
    runOnSegmentRefresh: false,
    schedule: 'none',
    truncate: options.truncate ?? false,
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

async function run(exportId: string): Promise<{ run: Run; instanceId: string; output: unknown }> {
  const started = await startRun(services, starter, { id: exportId, destinationType: 'autopilot', segments: (await services.exports.find(exportId))!.segments }, 'on-demand');
  if (!started.started) throw new Error('expected a new run');
  const instanceId = runInstanceId(exportId);
  const status = await driver.waitForCompletion(instanceId, 60_000);
  expect(status.runtimeStatus).toBe('Completed');
  return { run: await services.runs.get(started.run.id), instanceId, output: status.output };
}

async function report(runId: string): Promise<string[][]> {
  const container = await services.storage.ensureContainer(services.config.containers.reports);
  let text = '';
  for await (const chunk of streamReport(container, runId)) text += chunk.toString();
  return text.trim().split('\n').slice(1).map((line) => line.split(','));
}

const scheduled = (history: unknown[], name: string) =>
  (history as HistoryEvent[]).filter((e) => e.EventType === EventType.TaskScheduled && 'Name' in e && e.Name === name).length;

describe('export-run orchestration', () => {
  it('fans the work files out, never more than MAX_UPLOADS_IN_FLIGHT at once, and fans the counts in', async () => {
    const segment = 'fan-out';
    const valid = emails(1, TOTAL);
    await dropSegmentFile(segment, [...valid, 'not-an-email', 'member.7@example.com', 'MEMBER.8@EXAMPLE.COM ']);
    const { run: record, instanceId } = await run(await createExport(segment));

    expect(record.status).toBe('succeeded');
    expect(record.segments[0]).toMatchObject({ segment, read: TOTAL + 3, valid: TOTAL, invalid: 1, duplicate: 2, sent: TOTAL, accepted: TOTAL, rejected: 0, status: 'succeeded' });
    expect([...destination.received.get(segment)!].sort()).toEqual([...valid].sort());
    expect(Math.max(...destination.batchSizes)).toBeLessThanOrEqual(BATCH);
    // Three work files (FILE + FILE + FILE / 2): three upload activities, two of them side by side.
    const history = await driver.history(instanceId);
    expect(scheduled(history, activities.sendChanges)).toBe(3);
    expect(destination.maxInFlight).toBe(MAX_IN_FLIGHT);
    // The record's progress followed the sends to the end (not "preparing 0/0").
    expect(record.progress).toMatchObject({ stage: 'finished', workFilesDone: 3, workFilesTotal: 3 });
    expect((await report(record.id)).map(([, row, reason]) => [row, reason])).toEqual([
      [String(TOTAL + 1), 'invalid-email'],
      [String(TOTAL + 2), 'duplicate'],
      [String(TOTAL + 3), 'duplicate'],
    ]);
  });

  it('retries a transient destination failure until the work file is delivered, once', async () => {
    const segment = 'transient';
    const valid = emails(1, TOTAL);
    await dropSegmentFile(segment, valid);
    // The first batch of the second work file fails twice, then goes through.
    destination.failBatchStartingWith(`member.${FILE + 1}@example.com`, 2, () => new DestinationError('transient', 'service unavailable (503)'));
    const { run: record, instanceId } = await run(await createExport(segment));

    expect(destination.failures.get(`member.${FILE + 1}@example.com`)!.raised).toBe(2);
    expect(record.status).toBe('succeeded');
    expect(record.segments[0]).toMatchObject({ read: TOTAL, valid: TOTAL, sent: TOTAL, accepted: TOTAL, rejected: 0 });
    const received = destination.received.get(segment)!;
    expect(received).toHaveLength(valid.length);
    expect(new Set(received).size).toBe(valid.length);
    // Three files, one of them attempted three times: the retries are the durable ones.
    expect(scheduled(await driver.history(instanceId), activities.sendChanges)).toBe(5);
  });

  it('continues as new during a long paced send, so no execution replays the whole run, and delivers every member once', async () => {
    const segment = 'paced-long';
    const valid = emails(1, TOTAL);
    await dropSegmentFile(segment, valid);
    // The second work file's first batch finds no turn at the rate this many times in a row.
    const refusals = 2 * SEND_ROUNDS_PER_EXECUTION + 10;
    destination.failBatchStartingWith(`member.${FILE + 1}@example.com`, refusals, () => new PacedOut(1));
    const { run: record, instanceId } = await run(await createExport(segment));

    expect(destination.failures.get(`member.${FILE + 1}@example.com`)!.raised).toBe(refusals);
    expect(record.status).toBe('succeeded');
    expect(record.segments[0]).toMatchObject({ read: TOTAL, valid: TOTAL, sent: TOTAL, accepted: TOTAL, rejected: 0 });
    const received = destination.received.get(segment)!;
    expect(received).toHaveLength(valid.length);
    expect(new Set(received).size).toBe(valid.length);
    expect(record.progress).toMatchObject({ stage: 'finished', workFilesDone: 3, workFilesTotal: 3 });
    // The execution that finished began at the send stage and holds its own rounds only.
    const history = await driver.history(instanceId);
    expect(scheduled(history, activities.beginRun)).toBe(0);
    expect(scheduled(history, activities.sendChanges)).toBeGreaterThan(0);
    expect(scheduled(history, activities.sendChanges)).toBeLessThanOrEqual(SEND_ROUNDS_PER_EXECUTION);
    expect(await driver.replay(instanceId)).toMatchObject({ isDone: true, newWork: [] });
  });

  it('reports every row of a work file that fails for good, and the run is partially-succeeded', async () => {
    const segment = 'permanent';
    const valid = emails(1, TOTAL);
    await dropSegmentFile(segment, valid);
    destination.failBatchStartingWith(`member.${FILE + 1}@example.com`, Number.POSITIVE_INFINITY, () => new DestinationError('invalid-request', 'list is read-only', false));
    const { run: record } = await run(await createExport(segment));

    expect(record.status).toBe('partially-succeeded');
    const [tally] = record.segments;
    expect(tally).toMatchObject({ status: 'partially-succeeded', read: TOTAL, valid: TOTAL, sent: TOTAL, accepted: TOTAL - FILE, rejected: FILE });
    // The destination's reason first, then how many rows it cost.
    expect(tally!.reason).toMatch(new RegExp(`^upload-failed: invalid-request: list is read-only; upload-failed: ${FILE} of ${TOTAL} rows sent did not arrive`));
    // The failed file's rows are in the report with the destination's reason; the rest arrived.
    const rows = await report(record.id);
    expect(rows).toHaveLength(FILE);
    expect(rows.every(([, , reason]) => reason === 'upload-failed: invalid-request: list is read-only')).toBe(true);
    expect(rows.map(([, , , value]) => value).sort()).toEqual(emails(FILE + 1, 2 * FILE).sort());
    expect([...destination.received.get(segment)!].sort()).toEqual([...emails(1, FILE), ...emails(2 * FILE + 1, TOTAL)].sort());
  });

  it('reports only the rows not delivered when a work file fails part-way, and the next run sends exactly those', async () => {
    const segment = 'part-way';
    await dropSegmentFile(segment, emails(1, TOTAL));
    // The first file fails for good at a batch in its middle: what went before arrived.
    const delivered = 62 * BATCH;
    const missing = FILE - delivered;
    destination.failBatchStartingWith(`member.${delivered + 1}@example.com`, 1, () => new DestinationError('invalid-request', 'list is read-only', false));
    const exportId = await createExport(segment);
    const { run: first } = await run(exportId);

    expect(first.status).toBe('partially-succeeded');
    expect(first.segments[0]).toMatchObject({ sent: TOTAL, accepted: TOTAL - missing, rejected: missing });
    const rows = await report(first.id);
    expect(rows.map(([, row]) => Number(row))).toEqual(Array.from({ length: missing }, (_, i) => delivered + 1 + i));
    expect(first.segments[0]!.sync).toMatchObject({ full: true, ledgerBefore: 0, added: TOTAL - missing, ledgerAfter: TOTAL - missing });

    destination.received.get(segment)!.length = 0;
    const { run: second } = await run(exportId);
    expect(second.status).toBe('succeeded');
    // The ledger knew what had arrived: only the missing rows go again.
    expect(destination.received.get(segment)!.sort()).toEqual(emails(delivered + 1, FILE).sort());
    expect(second.segments[0]).toMatchObject({ unchanged: TOTAL - missing, sent: missing, accepted: missing });
    expect(second.segments[0]!.sync).toMatchObject({ full: false, added: missing, ledgerAfter: TOTAL });
  });

  it('removes members who left the segment and sends only the newcomers', async () => {
    const segment = 'churn';
    await dropSegmentFile(segment, emails(1, 1_000));
    const exportId = await createExport(segment);
    await run(exportId);
    destination.received.get(segment)!.length = 0;

    await dropSegmentFile(segment, emails(101, 1_100));
    const { run: second } = await run(exportId);
    expect(second.status).toBe('succeeded');
    expect(destination.received.get(segment)!.sort()).toEqual(emails(1_001, 1_100).sort());
    expect(destination.removed.sort()).toEqual(emails(1, 100).sort());
    expect([...destination.held.get(segment)!].sort()).toEqual(emails(101, 1_100).sort());
    expect(second.segments[0]).toMatchObject({ valid: 1_000, unchanged: 900, sent: 100, accepted: 100 });
    expect(second.segments[0]!.sync).toMatchObject({ full: false, toRemove: 100, removed: 100, added: 100, ledgerBefore: 1_000, ledgerAfter: 1_000 });

    destination.received.get(segment)!.length = 0;
    destination.removed.length = 0;
    const { run: third, instanceId } = await run(exportId);
    expect(third.status).toBe('succeeded');
    expect(destination.received.get(segment)).toEqual([]);
    expect(destination.removed).toEqual([]);
    expect(third.segments[0]).toMatchObject({ unchanged: 1_000, sent: 0 });
    expect(scheduled(await driver.history(instanceId), activities.sendChanges)).toBe(0);
  });

  it('waits for the rest of the window when a work file exhausts its attempts, and reports that file', async () => {
    const segment = 'exhausted';
    await dropSegmentFile(segment, emails(1, TOTAL));
    // Retryable every time: the orchestrator tries the slice five times, waiting in between.
    destination.failBatchStartingWith('member.1@example.com', Number.POSITIVE_INFINITY, () => new DestinationError('transient', 'gateway timeout (504)'));
    const { run: record, instanceId } = await run(await createExport(segment));

    expect(destination.failures.get('member.1@example.com')!.raised).toBe(5);
    expect(record.status).toBe('partially-succeeded');
    expect(record.segments[0]).toMatchObject({ sent: TOTAL, accepted: TOTAL - FILE, rejected: FILE });
    const rows = await report(record.id);
    expect(rows).toHaveLength(FILE);
    expect(rows.every(([, , reason]) => reason === 'upload-failed: transient: gateway timeout (504)')).toBe(true);
    // The other file of the window was delivered, and the third file was still sent afterwards.
    expect([...destination.received.get(segment)!].sort()).toEqual(emails(FILE + 1, TOTAL).sort());
    expect(scheduled(await driver.history(instanceId), activities.sendChanges)).toBe(7);
  });

  it('runs the follow-up asked for during a run as the next generation, reading the newest file', async () => {
    const segment = 'follow-up';
    await dropSegmentFile(segment, emails(1, 500));
    const exportId = await createExport(segment);
    const exp = (await services.exports.find(exportId))!;
    const started = await startRun(services, starter, exp, 'on-demand');
    if (!started.started) throw new Error('expected a new run');
    await dropSegmentFile(segment, emails(101, 700));
    const busy = await startRun(services, starter, exp, 'segment-refresh', { followUpCause: `${segment}/members.csv` });
    expect(busy).toMatchObject({ started: false, activeRunId: started.run.id, followUp: true });

    const deadline = Date.now() + 30_000;
    let runs: Run[] = [];
    while (Date.now() < deadline) {
      runs = (await services.runs.listByExport(exportId, { top: 10 })).items;
      if (runs.length === 2 && runs.every((r) => ['succeeded', 'failed', 'partially-succeeded'].includes(r.status))) break;
      await sleep(50);
    }
    const [second, first] = runs;
    expect(first!.id).toBe(started.run.id);
    expect(second!.trigger).toBe('segment-refresh');
    expect(second!.status).toBe('succeeded');
    expect([...destination.held.get(segment)!].sort()).toEqual(emails(101, 700).sort());
    expect(await services.followUps.claim(exportId)).toBeUndefined();
  });

  it('keeps the counts and lists every row when the audience cannot be set up, with a one-line reason', async () => {
    const segment = 'outage';
    await dropSegmentFile(segment, [...emails(1, 300), 'not-an-email']);
    const outage = new Error('503 Service Unavailable\n    at ServiceClient.send (/app/shared/destinations/common/http.ts:190:11)');
    destination.audienceFailure = () => outage;
    const { run: record } = await run(await createExport(segment));

    expect(record.status).toBe('failed');
    const [tally] = record.segments;
    expect(tally).toMatchObject({ status: 'failed', read: 301, valid: 300, invalid: 1, sent: 0, skipped: 300 });
    expect(tally!.reason).toBe('audience-failed: transient: 503 Service Unavailable');
    expect(reconciliationErrors(tally!)).toEqual([]);
    const rows = await report(record.id);
    expect(rows).toHaveLength(301);
    expect(rows.filter(([, , reason]) => reason === 'audience-failed: transient: 503 Service Unavailable')).toHaveLength(300);
  });

  it('honours a Retry-After longer than a call may sleep with a durable timer, then delivers', async () => {
    const segment = 'long-retry-after';
    await dropSegmentFile(segment, emails(1, 500));
    destination.failBatchStartingWith('member.1@example.com', 1, () => new DestinationError('rate-limited', 'slow down (429)', true, 429, 200_000));
    const { run: record, instanceId } = await run(await createExport(segment));

    expect(record.status).toBe('succeeded');
    expect(record.segments[0]).toMatchObject({ sent: 500, accepted: 500 });
    const history = (await driver.history(instanceId)) as (HistoryEvent & { FireAt?: string; Timestamp: string })[];
    const timer = history.find((e) => e.EventType === EventType.TimerCreated)!;
    expect(Date.parse(timer.FireAt!) - Date.parse(timer.Timestamp)).toBeGreaterThanOrEqual(200_000 - 1_000);
  });

  it('fails the segment with a reason when its file is missing', async () => {
    const { run: record } = await run(await createExport('never-landed'));
    expect(record.status).toBe('failed');
    expect(record.segments[0]).toMatchObject({ segment: 'never-landed', status: 'failed', read: 0, sent: 0 });
    expect(record.segments[0]!.reason).toMatch(/^segment-file-not-found/);
    expect(destination.received.has('never-landed')).toBe(false);
  });

  it('replays a finished instance deterministically: same output, nothing new to schedule', async () => {
    const segment = 'replayed';
    await dropSegmentFile(segment, emails(1, FILE));
    destination.failBatchStartingWith('member.1@example.com', 1, () => new DestinationError('rate-limited', 'slow down (429)'));
    const { instanceId, output } = await run(await createExport(segment));

    const check = await driver.replay(instanceId);
    expect(check.isDone).toBe(true);
    expect(check.newWork).toEqual([]);
    expect(check.output).toEqual(output);
    expect(output).toEqual({ status: 'succeeded' });
  });
});

describe('export-run orchestration, sending while preparing', () => {
  const limits = autopilotLimits as { minPerSegment?: number; maxTotalPerExport?: number };
  const original = { ...limits };
  beforeEach(() => {
    services.config.sendWhilePreparing = true;
  });
  afterEach(() => {
    services.config.sendWhilePreparing = false;
    limits.minPerSegment = original.minPerSegment;
    limits.maxTotalPerExport = original.maxTotalPerExport;
  });

  it('sends every work file from preparation, and the next run finds them all in the ledger', async () => {
    const segment = 'early-full';
    await dropSegmentFile(segment, [...emails(1, TOTAL), 'not-an-email', 'MEMBER.3@example.com']);
    const exportId = await createExport(segment);
    const { run: record, instanceId } = await run(exportId);

    expect(record.status).toBe('succeeded');
    expect(record.segments[0]).toMatchObject({ valid: TOTAL, invalid: 1, duplicate: 1, sent: TOTAL, accepted: TOTAL, status: 'succeeded', audienceId: segment });
    expect(record.segments[0]!.sync).toMatchObject({ full: true, added: TOTAL, ledgerAfter: TOTAL });
    expect(reconciliationErrors(record.segments[0]!)).toEqual([]);
    expect(destination.received.get(segment)!.sort()).toEqual(emails(1, TOTAL).sort());
    const history = await driver.history(instanceId);
    expect(scheduled(history, activities.sendChanges)).toBe(0);
    expect(scheduled(history, activities.ensureAudience)).toBe(0);
    expect(destination.maxInFlight).toBeLessThanOrEqual(MAX_IN_FLIGHT);

    // A refresh starts from what is tracked: nothing is sent early, nothing changed, nothing goes.
    destination.received.get(segment)!.length = 0;
    const { run: refresh } = await run(exportId);
    expect(refresh.segments[0]).toMatchObject({ status: 'succeeded', unchanged: TOTAL, sent: 0 });
    expect(destination.received.get(segment)).toEqual([]);
  });

  it('sends nothing of a segment that turns out too large', async () => {
    const segment = 'early-too-large';
    limits.maxTotalPerExport = TOTAL - 1;
    await dropSegmentFile(segment, emails(1, TOTAL));
    const { run: record } = await run(await createExport(segment));

    expect(record.segments[0]).toMatchObject({ status: 'failed', valid: TOTAL, sent: 0, skipped: TOTAL, reason: expect.stringMatching(/^segment-too-large/) });
    expect(reconciliationErrors(record.segments[0]!)).toEqual([]);
    // Not even an audience: nothing of it reached the destination.
    expect(destination.held.has(segment)).toBe(false);
    expect(await report(record.id)).toHaveLength(TOTAL);
  });

  it('sends exactly the first N of a truncating export, and reports the rest over the limit', async () => {
    const segment = 'early-truncated';
    const cap = FILE + 1_234;
    limits.maxTotalPerExport = cap;
    await dropSegmentFile(segment, emails(1, TOTAL));
    const { run: record, instanceId } = await run(await createExport(segment, { truncate: true }));

    // All of it went while preparing: the send stage had nothing left.
    expect(scheduled(await driver.history(instanceId), activities.sendChanges)).toBe(0);
    expect(record.segments[0]).toMatchObject({ status: 'succeeded', valid: TOTAL, sent: cap, accepted: cap, skipped: TOTAL - cap });
    expect(reconciliationErrors(record.segments[0]!)).toEqual([]);
    expect(destination.received.get(segment)!.sort()).toEqual(emails(1, cap).sort());
    const rows = await report(record.id);
    expect(rows.map(([, row]) => Number(row))).toEqual(Array.from({ length: TOTAL - cap }, (_, i) => cap + 1 + i));
    expect(rows.every(([, , reason]) => reason === 'over-limit')).toBe(true);
  });

  it('sends nothing of a segment below the minimum', async () => {
    const segment = 'early-too-small';
    limits.minPerSegment = TOTAL + 1;
    await dropSegmentFile(segment, emails(1, TOTAL));
    const { run: record } = await run(await createExport(segment));

    expect(record.segments[0]).toMatchObject({ status: 'skipped', sent: 0, skipped: TOTAL, reason: expect.stringMatching(/^segment-too-small/) });
    expect(reconciliationErrors(record.segments[0]!)).toEqual([]);
    expect(destination.held.has(segment)).toBe(false);
  });

  it('leaves what failed while preparing to the send stage, which delivers it', async () => {
    const segment = 'early-failure';
    // The second work file's fourth batch fails once: preparation stops sending there.
    const failing = FILE + 3 * BATCH + 1;
    destination.failBatchStartingWith(`member.${failing}@example.com`, 1, () => new DestinationError('transient', 'connection reset'));
    await dropSegmentFile(segment, emails(1, TOTAL));
    const { run: record, instanceId } = await run(await createExport(segment));

    expect(destination.failures.get(`member.${failing}@example.com`)!.raised).toBe(1);
    expect(record.segments[0]).toMatchObject({ status: 'succeeded', sent: TOTAL, accepted: TOTAL, rejected: 0 });
    expect(reconciliationErrors(record.segments[0]!)).toEqual([]);
    expect([...destination.held.get(segment)!].sort()).toEqual(emails(1, TOTAL).sort());
    expect(record.segments[0]!.sync).toMatchObject({ added: TOTAL, ledgerAfter: TOTAL });
    // The rest of the second file (and whatever had not started) went through the send stage.
    const sends = (await driver.history(instanceId)).filter(
      (e: any) => e.EventType === EventType.TaskScheduled && e.Name === activities.sendChanges,
    ) as { Input?: string }[];
    const slices = sends.map((e) => (JSON.parse(e.Input!) as { slice: { skip?: number; records: number } }).slice);
    expect(slices).toContainEqual(expect.objectContaining({ skip: 3 * BATCH, records: FILE - 3 * BATCH }));
    expect(await report(record.id)).toEqual([]);
  });

  it('waits out a Retry-After the destination gave while preparing, in a durable timer, before the send stage', async () => {
    const segment = 'early-retry-after';
    destination.failBatchStartingWith(`member.${FILE + 1}@example.com`, 1, () => new DestinationError('rate-limited', 'slow down', true, 429, 300_000));
    await dropSegmentFile(segment, emails(1, TOTAL));
    const { run: record, instanceId } = await run(await createExport(segment));

    expect(record.segments[0]).toMatchObject({ status: 'succeeded', sent: TOTAL, accepted: TOTAL });
    expect(reconciliationErrors(record.segments[0]!)).toEqual([]);
    const history = (await driver.history(instanceId)) as HistoryEvent[];
    const timers = history.filter((e) => e.EventType === EventType.TimerCreated) as { FireAt?: string }[];
    expect(timers).toHaveLength(1);
    expect([...destination.held.get(segment)!].sort()).toEqual(emails(1, TOTAL).sort());
  });

  it('reports the rest of a work file the destination refused for good while preparing, and sends the others', async () => {
    const segment = 'early-refused';
    destination.failBatchStartingWith(`member.${FILE + 1}@example.com`, Number.POSITIVE_INFINITY, () => new DestinationError('invalid-request', 'list is read-only', false));
    await dropSegmentFile(segment, emails(1, TOTAL));
    const { run: record } = await run(await createExport(segment));

    // Refused for good: not tried again, the rest of that file in the report, the others delivered.
    expect(destination.failures.get(`member.${FILE + 1}@example.com`)!.raised).toBe(1);
    expect(record.segments[0]).toMatchObject({ status: 'partially-succeeded', sent: TOTAL, accepted: TOTAL - FILE, rejected: FILE });
    expect(reconciliationErrors(record.segments[0]!)).toEqual([]);
    const rows = await report(record.id);
    expect(rows.map(([, row]) => Number(row)).sort((a, b) => a - b)).toEqual(Array.from({ length: FILE }, (_, i) => FILE + 1 + i));
    expect(rows.every(([, , reason]) => reason === 'upload-failed: invalid-request: list is read-only')).toBe(true);
    expect([...destination.held.get(segment)!].sort()).toEqual([...emails(1, FILE), ...emails(2 * FILE + 1, TOTAL)].sort());
  });

  it('sends only the first segment early under an export-wide total, and the others once their room is known', async () => {
    const [first, second] = ['early-total-a', 'early-total-b'];
    limits.maxTotalPerExport = TOTAL + FILE;
    await dropSegmentFile(first, emails(1, TOTAL));
    await dropSegmentFile(second, emails(TOTAL + 1, TOTAL + FILE));
    const { run: record, instanceId } = await run(await createExport(first, { more: [second] }));

    expect(record.status).toBe('succeeded');
    expect(record.segments.map((s) => [s.segment, s.status, s.sent])).toEqual([
      [first, 'succeeded', TOTAL],
      [second, 'succeeded', FILE],
    ]);
    for (const segment of record.segments) expect(reconciliationErrors(segment)).toEqual([]);
    // The first segment went while preparing; the second's one work file through the send stage.
    expect(scheduled(await driver.history(instanceId), activities.sendChanges)).toBe(1);
    expect(destination.received.get(second)!.sort()).toEqual(emails(TOTAL + 1, TOTAL + FILE).sort());
  });
});

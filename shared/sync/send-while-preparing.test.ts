import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import { hashEmail } from '../destinations/microsoft-advertising/client.js';
import type { DestinationClient, ProfileRecord, UploadOptions } from '../destinations/types.js';
import type { WorkFileRef } from '../pipeline/run-files/work-files.js';
import { workFileName } from '../pipeline/run-files/work-files.js';
import { createServices, type Services } from '../services.js';
import { readDeliveries } from './files.js';
import { SendWhilePreparing } from './send-while-preparing.js';
import { PacedOut } from '../destinations/common/pacing.js';

/**
 * The sender on its own, against Azurite and a recording client: the order the batches
 * go in, records read back from their work files past the memory bound, and the gate.
 * The orchestration tests run it inside real runs (export-run.test.ts).
 */
let azurite: RunningAzurite;
let services: Services;

interface Upload {
  emails: string[];
  replace: boolean;
  started: number;
  ended?: number;
}
const uploads: Upload[] = [];
let audiencesEnsured = 0;
let tick = 0;
let uploadMs = 5;
/** Uploads refused as a paced step is when the rate has no turn free. */
let refuseUploads = false;

const client: DestinationClient = {
  testConnection: async () => undefined,
  ensureAudience: async () => {
    audiencesEnsured++;
    return { audienceId: 'aud-1', created: true, membersIncluded: false };
  },
  uploadBatch: async (_audience, records: ProfileRecord[], options?: UploadOptions) => {
    if (refuseUploads) throw new PacedOut(1_000);
    const upload: Upload = { emails: records.map((r) => r.email!), replace: options?.replace === true, started: tick++ };
    uploads.push(upload);
    await sleep(uploadMs);
    upload.ended = tick++;
    return { accepted: records.length, rejected: [], memberIds: records.map((r) => hashEmail(r.email!)) };
  },
  removeMembers: async () => ({ removed: 0, failed: [] }),
};

beforeAll(async () => {
  azurite = await startAzurite();
  Object.assign(process.env, { AzureWebJobsStorage: azurite.connectionString, SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'), MAX_UPLOADS_IN_FLIGHT: '3' });
  services = createServices();
  services.destinationClient = async () => client;
});
afterAll(() => azurite?.stop());
beforeEach(() => {
  uploads.length = 0;
  audiencesEnsured = 0;
  uploadMs = 5;
  refuseUploads = false;
});

/** A Microsoft Advertising export (batches of 1,000; a full sync's first batch replaces the membership). */
async function createExport(): Promise<string> {
  const at = new Date().toISOString();
  const user = { userId: 'test-admin', userDetails: 'admin@example.com' };
  const connectionId = randomUUID();
  await services.connections.create({
    id: connectionId, type: 'microsoft-advertising', displayName: `sender ${connectionId}`, allowContributors: false,
    consent: { accepted: true, acceptedBy: user, acceptedAt: at }, exportUser: user, credentials: { set: true, updatedAt: at },
    createdBy: user, createdAt: at, updatedAt: at,
  });
  const exportId = randomUUID();
  await services.exports.create({
    id: exportId, name: `sender ${exportId}`, connectionId, destinationType: 'microsoft-advertising', segments: ['buyers'],
    dataMatching: { email: 'email' }, settings: { customerId: '1', accountId: '2' }, enabled: true, runOnSegmentRefresh: false,
    schedule: 'none', truncate: false, syncMode: 'mirror', createdBy: user, createdAt: at, updatedAt: at,
  });
  return exportId;
}

/** Work files of `sizes` records, written as preparation writes them; answers them with their records. */
async function workFiles(runId: string, sizes: number[]): Promise<{ file: WorkFileRef; records: ProfileRecord[] }[]> {
  const work = await services.storage.ensureContainer(services.config.containers.work);
  let row = 0;
  return Promise.all(
    sizes.map(async (size, k) => {
      const records = Array.from({ length: size }, () => ({ row: ++row, email: `member.${row}@example.com` }));
      const name = workFileName(runId, 0, k + 1);
      await work.getBlockBlobClient(name).uploadData(Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n'));
      return { file: { name, records: size }, records };
    }),
  );
}

describe('SendWhilePreparing', () => {
  it('sends every file once, the replacing batch alone and first, reading back what it did not hold', async () => {
    const exportId = await createExport();
    const runId = `run-${randomUUID()}`;
    const files = await workFiles(runId, [1_500, 1_000, 1_000, 1_000, 700]);
    const rule = { cap: 500_000, min: 1, truncate: false };
    // Held: at most 1,200 records; the older waiting files are read back from storage.
    const sender = new SendWhilePreparing(services, { runId, exportId, segment: 'buyers', segmentIndex: 0, rule }, Promise.resolve(5_200), { maxHeldRecords: 1_200 });
    // The bound comes before the first file, as it does beside a real preparation.
    await sleep(1);
    let valid = 0;
    for (const { file, records } of files) sender.workFile(file, records, (valid += records.length));
    const sent = await sender.finish();

    expect(sent).toMatchObject({ audienceId: 'aud-1', created: true, replaced: true });
    // In the order they finished: up to MAX_UPLOADS_IN_FLIGHT go side by side.
    expect(sent!.files.map((f) => [f.name, f.done, f.accepted]).sort()).toEqual(files.map(({ file }) => [file.name, file.records, file.records]).sort());
    expect(uploads.flatMap((u) => u.emails).sort()).toEqual(files.flatMap((f) => f.records.map((r) => r.email)).sort());
    const [first, ...rest] = uploads;
    expect(first!.replace).toBe(true);
    expect(rest.every((u) => !u.replace && u.started > first!.ended!)).toBe(true);
    expect(Math.max(...uploads.map((u) => u.emails.length))).toBeLessThanOrEqual(1_000);
    const logged = await readDeliveries(await services.storage.ensureContainer(services.config.containers.work), runId, 0);
    expect(logged).toMatchObject({ replaced: true });
    expect(logged.added.length).toBe(5_200);
  });

  it('lets go of the records it holds, and of those still to come, once the rate refuses it: they are the send stage\'s', async () => {
    const exportId = await createExport();
    const runId = `run-${randomUUID()}`;
    const files = await workFiles(runId, [1_000, 1_000, 1_000, 1_000]);
    refuseUploads = true;
    const sender = new SendWhilePreparing(services, { runId, exportId, segment: 'buyers', segmentIndex: 0, rule: { cap: 500_000, min: 1, truncate: false } }, Promise.resolve(4_000));
    await sleep(1);
    sender.workFile(files[0]!.file, files[0]!.records, 1_000);
    // The first file's upload is refused while the next two wait behind it.
    sender.workFile(files[1]!.file, files[1]!.records, 2_000);
    for (let tries = 0; sender.heldRecords > 0 && tries < 100; tries++) await sleep(10);
    expect(sender.heldRecords).toBe(0);
    sender.workFile(files[2]!.file, files[2]!.records, 3_000);
    sender.workFile(files[3]!.file, files[3]!.records, 4_000);
    expect(sender.heldRecords).toBe(0);
    const sent = await sender.finish();
    expect(sent!.stopped).toMatch(/not sent while preparing: waiting for the rate/);
    expect(sent!.files.reduce((sum, f) => sum + f.done, 0)).toBe(0);
    expect(uploads).toEqual([]);
  });

  it('sends nothing, and creates no audience, when the bound says the segment may be too large', async () => {
    const exportId = await createExport();
    const runId = `run-${randomUUID()}`;
    const files = await workFiles(runId, [1_000]);
    const sender = new SendWhilePreparing(services, { runId, exportId, segment: 'buyers', segmentIndex: 0, rule: { cap: 1_000, min: 1, truncate: false } }, Promise.resolve(1_001));
    sender.workFile(files[0]!.file, files[0]!.records, 1_000);
    expect(await sender.finish()).toBeUndefined();
    expect(uploads).toEqual([]);
    expect(audiencesEnsured).toBe(0);
  });

  it('sends nothing when preparation ends before the bound is known', async () => {
    const exportId = await createExport();
    const runId = `run-${randomUUID()}`;
    const files = await workFiles(runId, [1_000]);
    let known!: (bound: number) => void;
    const sender = new SendWhilePreparing(services, { runId, exportId, segment: 'buyers', segmentIndex: 0, rule: { cap: 500_000, min: 1, truncate: false } }, new Promise((resolve) => (known = resolve)));
    sender.workFile(files[0]!.file, files[0]!.records, 1_000);
    const finishing = sender.finish();
    known(1_000);
    expect(await finishing).toBeUndefined();
    expect(uploads).toEqual([]);
  });

  it('stops starting files once the time after preparation is up, and says how far it got', async () => {
    const exportId = await createExport();
    const runId = `run-${randomUUID()}`;
    const files = await workFiles(runId, [1_000, 1_000, 1_000, 1_000]);
    uploadMs = 200;
    const sender = new SendWhilePreparing(
      services,
      { runId, exportId, segment: 'buyers', segmentIndex: 0, rule: { cap: 500_000, min: 1, truncate: false } },
      Promise.resolve(4_000),
      { tailMs: 0 },
    );
    await sleep(1);
    let valid = 0;
    for (const { file, records } of files) sender.workFile(file, records, (valid += records.length));
    // The replacing batch is under way (the others wait for it) when preparation ends.
    while (uploads.length === 0) await sleep(5);
    const sent = await sender.finish();
    expect(sent!.files.map((f) => [f.name, f.done])).toEqual([[files[0]!.file.name, 1_000]]);
    expect(sent!.stopped).toBeUndefined();
    expect(uploads).toHaveLength(1);
  });
});

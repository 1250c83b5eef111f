import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { TableServiceClient, TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../shared/domain/run.js';
import { devConnections } from '../../dev/simulators/index.js';
import { reconciliationErrors } from '../../shared/pipeline/counts/outcome.js';
import { readLedger } from '../../shared/sync/ledger.js';
import { startApp, type DestinationType, type RunningApp } from './app.js';

/**
 * Opt-outs and erasure on the simulators: a suppressed address is never sent and leaves the
 * audiences that held it by the next run; an erased one leaves every audience without a run,
 * and no stored report, ledger or table keeps it afterwards.
 */

let app: RunningApp;
beforeAll(async () => {
  app = await startApp();
  app.sims.adroll.segmentUpdates = 'replace';
}, 120_000);
afterAll(async () => {
  await app?.stop();
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const SEGMENT = 'privacy-people';
const members = Array.from({ length: 150 }, (_, i) => `person.${i + 1}@example.com`);
const types: DestinationType[] = ['microsoft-advertising', 'autopilot', 'adroll'];
const held = (type: DestinationType, email: string) => {
  const audience = app.sims.byType[type].audience(SEGMENT);
  return audience?.members.includes(type === 'microsoft-advertising' ? sha256(email) : email) ?? false;
};

async function runNow(exportId: string): Promise<Run> {
  const before = await app.api<{ items: Run[] }>('GET', `/exports/${exportId}/runs`);
  expect((await app.api('POST', `/exports/${exportId}/run`)).status).toBe(202);
  return app.waitForRun(exportId, new Set(before.body.items.map((r) => r.id)));
}

/** Every blob (gunzipped where it is) and every table row of the storage account, as text. */
async function everythingStored(): Promise<{ where: string; text: string }[]> {
  const connection = process.env.AzureWebJobsStorage!;
  const found: { where: string; text: string }[] = [];
  const blobs = BlobServiceClient.fromConnectionString(connection);
  for await (const container of blobs.listContainers()) {
    const client = blobs.getContainerClient(container.name);
    for await (const blob of client.listBlobsFlat()) {
      let bytes = await client.getBlobClient(blob.name).downloadToBuffer();
      if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
      found.push({ where: `${container.name}/${blob.name}`, text: bytes.toString('utf8') });
    }
  }
  const tables = TableServiceClient.fromConnectionString(connection, { allowInsecureConnection: true });
  for await (const table of tables.listTables()) {
    const client = TableClient.fromConnectionString(connection, table.name!, { allowInsecureConnection: true });
    for await (const entity of client.listEntities()) found.push({ where: `table ${table.name}`, text: JSON.stringify(entity) });
  }
  return found;
}

describe('privacy', () => {
  const exportIds = new Map<DestinationType, string>();

  beforeAll(async () => {
    for (const type of types) {
      exportIds.set(type, await app.createExport(type, [SEGMENT], { settings: { ...devConnections[type].settings, ...(type === 'adroll' ? { segmentUpdates: 'replace' } : {}) }, runOnSegmentRefresh: false }));
    }
    // Person 20 twice: the duplicate puts the address into every run's report, for the erasure to scrub.
    await app.dropFile(`${SEGMENT}/members.csv`, `email\n${members.join('\n')}\n${members[19]!.toUpperCase()}\n`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const type of types) expect((await runNow(exportIds.get(type)!)).status).toBe('succeeded');
  }, 120_000);

  it('never sends a suppressed address, and reports its row without the address', async () => {
    const segment = 'privacy-suppressed-file';
    const opted = 'opted.out@example.com';
    const added = await app.api('POST', '/suppressions', { emails: [`  ${opted.toUpperCase()} `] });
    expect(added.status, added.text).toBe(200);
    expect(added.body).toMatchObject({ added: 1, ids: [sha256(opted)] });

    const exportId = await app.createExport('autopilot', [segment]);
    await app.dropFile(`${segment}/members.csv`, `email\na@example.com\n${opted}\nb@example.com\n`);
    const run = await app.waitForRun(exportId);
    expect(run.status).toBe('succeeded');
    expect(run.segments[0]).toMatchObject({ read: 3, valid: 2, suppressed: 1, sent: 2 });
    expect(reconciliationErrors(run.segments[0]!)).toEqual([]);
    expect(await app.rejected(run.id)).toEqual([{ segment, row: 2, reason: 'suppressed', value: '' }]);
    expect(app.sims.autopilot.audience(segment)!.members).not.toContain(opted);

    const listed = await app.api('GET', '/suppressions');
    expect(listed.body.items.map((s: { id: string }) => s.id)).toContain(sha256(opted));
    expect(listed.text).not.toContain(opted);
  });

  it('takes a large suppression list as a dropped file, hashes only', async () => {
    const listed = ['file.one@example.com', ' FILE.TWO@example.com ', 'not-an-address'];
    await app.dropFile('suppressions/optouts.csv', `email\n${listed.join('\n')}\n`);
    const deadline = Date.now() + 10_000;
    let ids: string[] = [];
    while (Date.now() < deadline) {
      ids = (await app.api('GET', '/suppressions?top=1000')).body.items.map((s: { id: string }) => s.id);
      if (ids.includes(sha256('file.two@example.com'))) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(ids).toEqual(expect.arrayContaining([sha256('file.one@example.com'), sha256('file.two@example.com')]));
    // Not a segment: no catalog entry, no run.
    expect((await app.api('GET', '/segments')).body.items.map((s: { name: string }) => s.name)).not.toContain('suppressions');
  });

  it('removes a newly suppressed address from every audience that holds it by the next run', async () => {
    const person = members[9]!;
    for (const type of types) expect(held(type, person), type).toBe(true);
    expect((await app.api('POST', '/suppressions', { emails: [person] })).status).toBe(200);

    for (const type of types) {
      const run = await runNow(exportIds.get(type)!);
      expect(run.status, run.reason).toBe('succeeded');
      expect(run.segments[0]).toMatchObject({ suppressed: 1, valid: 149, duplicate: 1 });
      expect(held(type, person), type).toBe(false);
    }
  });

  it('previews a run as it would go: a suppressed address is counted, never planned or sampled', async () => {
    const segment = 'privacy-preview';
    const opted = 'preview.opted@example.com';
    expect((await app.api('POST', '/suppressions', { emails: [opted] })).status).toBe(200);
    const exportId = await app.createExport('autopilot', [segment], { runOnSegmentRefresh: false });
    await app.dropFile(`${segment}/members.csv`, `email\nc@example.com\n${opted}\nd@example.com\n`);

    const preview = await app.api('POST', `/exports/${exportId}/preview`);
    expect(preview.status, preview.text).toBe(200);
    expect(preview.body.segments[0]).toMatchObject({ read: 3, valid: 2, suppressed: 1, adds: 2, outcome: 'send' });
    expect(preview.body.segments[0].sample).toHaveLength(2);
    expect(preview.text).not.toContain(opted);
  });

  it('erases a person from every audience without a run, and from every report, ledger and table', async () => {
    const person = members[19]!;
    for (const type of types) expect(held(type, person), type).toBe(true);
    const runsBefore = new Map<DestinationType, number>();
    for (const type of types) runsBefore.set(type, (await app.api<{ items: Run[] }>('GET', `/exports/${exportIds.get(type)}/runs`)).body.items.length);

    const started = await app.api('POST', '/erasures', { email: person });
    expect(started.status, started.text).toBe(202);
    expect(started.text).not.toContain(person);
    let erasure = started.body;
    const deadline = Date.now() + 60_000;
    while (erasure.status === 'running' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      erasure = (await app.api('GET', `/erasures/${started.body.id}`)).body;
    }
    expect(erasure.status).toBe('completed');
    expect(erasure.reportsScrubbed).toBeGreaterThanOrEqual(types.length);
    for (const type of types) {
      const outcome = erasure.destinations.find((d: { exportId: string }) => d.exportId === exportIds.get(type));
      expect(outcome, type).toMatchObject({ outcome: 'removed', segment: SEGMENT });
      expect(held(type, person), type).toBe(false);
      // No run was needed.
      expect((await app.api<{ items: Run[] }>('GET', `/exports/${exportIds.get(type)}/runs`)).body.items).toHaveLength(runsBefore.get(type)!);
    }

    // Out of every ledger, however it is stored (Customer Match ids are kept as raw bytes).
    const ledgers = BlobServiceClient.fromConnectionString(process.env.AzureWebJobsStorage!).getContainerClient('ledgers');
    for (const type of types) {
      const ledger = await readLedger(ledgers, exportIds.get(type)!, SEGMENT);
      const id = type === 'microsoft-advertising' ? sha256(person) : person;
      expect(ledger!.members.length, type).toBeGreaterThan(100);
      expect([...ledger!.members, ...ledger!.pendingRemovals], type).not.toContain(id);
    }
    // The platform drops the person from its own files; then nothing we store names them.
    await app.segments.getBlockBlobClient(`${SEGMENT}/members.csv`).delete();
    const stored = await everythingStored();
    expect(stored.filter((s) => s.text.includes(person)).map((s) => s.where)).toEqual([]);
    // The hash remains only where it must: the suppression list and the erasure record.
    const withHash = stored.filter((s) => s.text.includes(sha256(person))).map((s) => s.where);
    expect(withHash.every((where) => where === 'table suppressions' || where === 'table erasures'), withHash.join(', ')).toBe(true);
  });
});

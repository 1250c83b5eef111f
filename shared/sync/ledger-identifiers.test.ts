import { randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import { entryIdentifiers, memberEntry, sha256Hex } from '../destinations/common/identifiers.js';
import type { Destination, IdentifierSupport, ProfileRecord } from '../destinations/types.js';
import { readIdSlice, readSlice, workFileName } from '../pipeline/run-files/work-files.js';
import { createServices, type Services } from '../services.js';
import { commitLedger } from './commit.js';
import { containersFor, deliveryLogName, writeDeliveryLog } from './files.js';
import { ledgerBlobName, readLedger, sortedIds, writeLedger } from './ledger.js';
import { planChanges } from './plan.js';
import { eraseFromAudience, findErasureTargets, requestErasure } from '../privacy/erasure.js';

/**
 * The ledger of a destination that matches on email or phone (no such destination is
 * registered yet: Autopilot's entry stands in, with that identifier support) holds each
 * member's identifiers as sent: planning removes a changed phone's old hash and adds the new
 * one, and an erasure removes the person by everything they were sent with.
 */
// Hoisted with vi.mock, which the registry's mock reads.
const { emailOrPhone } = vi.hoisted(() => ({
  emailOrPhone: { matchSets: [['email'], ['phone']], encoding: { email: 'sha256-hex', phone: 'sha256-hex' } } as IdentifierSupport,
}));

vi.mock('../destinations/registry.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../destinations/registry.js')>();
  const phoneCapable: Destination = {
    ...real.getDestination('autopilot'),
    dataMatching: { required: [], optional: ['email', 'phone'] },
    identifiers: emailOrPhone,
    memberId: (profile: ProfileRecord) => memberEntry(emailOrPhone, profile),
    // Its id is no longer the email's alone.
    memberIdOfEmail: undefined,
  };
  return { ...real, getDestination: (type: string) => (type === 'autopilot' ? phoneCapable : real.getDestination(type as never)) };
});

let azurite: RunningAzurite;
let services: Services;

beforeAll(async () => {
  azurite = await startAzurite();
  Object.assign(process.env, { AzureWebJobsStorage: azurite.connectionString, SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
  services = createServices();
});
afterAll(() => azurite?.stop());

async function createExport(): Promise<string> {
  const at = new Date().toISOString();
  const user = { userId: 'test-admin', userDetails: 'admin@example.com' };
  const connectionId = randomUUID();
  await services.connections.create({
    id: connectionId, type: 'autopilot', displayName: `phones ${connectionId}`, allowContributors: false,
    consent: { accepted: true, acceptedBy: user, acceptedAt: at }, exportUser: user, credentials: { set: true, updatedAt: at },
    createdBy: user, createdAt: at, updatedAt: at,
  });
  const exportId = randomUUID();
  await services.exports.create({
    id: exportId, name: `phones ${exportId}`, connectionId, destinationType: 'autopilot', segments: ['buyers'],
    dataMatching: { email: 'email', phone: 'mobile' }, defaultCountry: 'US', settings: {}, enabled: true, runOnSegmentRefresh: false,
    schedule: 'none', truncate: false, syncMode: 'mirror', createdBy: user, createdAt: at, updatedAt: at,
  });
  return exportId;
}

describe('planning with identifiers beyond the email', () => {
  it('removes the old phone hash and adds the new one when a person’s phone changes; the unchanged stay', async () => {
    const exportId = await createExport();
    const runId = `run-${randomUUID()}`;
    const { work, ledgers } = await containersFor(services);
    const before = { ann: { row: 1, email: 'ann@x.com', phone: '+14155550123' }, bo: { row: 2, phone: '+14155550177' } };
    const now: ProfileRecord[] = [
      { row: 1, email: 'ann@x.com', phone: '+14155550199' },
      { row: 2, phone: '+14155550177' },
      { row: 3, email: 'cy@x.com' },
    ];
    await writeLedger(ledgers, exportId, 'buyers', {
      audienceId: 'aud-1',
      members: sortedIds([memberEntry(emailOrPhone, before.ann), memberEntry(emailOrPhone, before.bo)]),
      pendingRemovals: sortedIds([]),
      updatedAt: new Date().toISOString(),
    });
    const name = workFileName(runId, 0, 1);
    await work.getBlockBlobClient(name).uploadData(Buffer.from(now.map((r) => JSON.stringify(r)).join('\n') + '\n'));

    const plan = await planChanges(services, {
      runId, exportId, segment: 'buyers', segmentIndex: 0, audienceId: 'aud-1', audienceCreated: false,
      membership: [{ name, records: now.length }], full: false, now: new Date().toISOString(),
    });

    expect(plan).toMatchObject({ full: false, unchanged: 1, addCount: 2, removeCount: 1 });
    const removed = (await Promise.all(plan.removes.map((slice) => readIdSlice(work, slice)))).flat();
    expect(removed.map(entryIdentifiers)).toEqual([{ email: sha256Hex('ann@x.com'), phone: sha256Hex('14155550123') }]);
    const added = (await Promise.all(plan.adds.map((slice) => readSlice(work, slice)))).flat();
    expect(added.map((record) => entryIdentifiers(memberEntry(emailOrPhone, record)))).toEqual([
      { email: sha256Hex('ann@x.com'), phone: sha256Hex('14155550199') },
      { email: sha256Hex('cy@x.com') },
    ]);
    // The old entry is owed a removal before anything is sent: the ledger no longer claims it.
    const ledger = await readLedger(ledgers, exportId, 'buyers');
    expect(ledger!.pendingRemovals.toArray()).toEqual(removed);
    expect(ledger!.members.has(memberEntry(emailOrPhone, before.ann))).toBe(false);
  });

  it('erases a person by every identifier they were sent with, and only them', async () => {
    const exportId = await createExport();
    const { ledgers } = await containersFor(services);
    const ann = memberEntry(emailOrPhone, { row: 1, email: 'erase.me@x.com', phone: '+14155550123' });
    const bo = memberEntry(emailOrPhone, { row: 2, email: 'keep.me@x.com', phone: '+14155550124' });
    const phoneOnly = memberEntry(emailOrPhone, { row: 3, phone: '+14155550125' });
    await writeLedger(ledgers, exportId, 'buyers', {
      audienceId: 'aud-9', members: sortedIds([ann, bo, phoneOnly]), pendingRemovals: sortedIds([]), updatedAt: new Date().toISOString(),
    });
    const removals: string[][] = [];
    services.destinationClient = async () => ({
      testConnection: async () => undefined,
      ensureAudience: async () => ({ audienceId: 'aud-9', created: false, membersIncluded: false }),
      uploadBatch: async (_audience, records) => ({ accepted: records.length, rejected: [] }),
      removeMembers: async (_audience, ids) => {
        removals.push(ids);
        return { removed: ids.length, failed: [] };
      },
    });

    const erasure = await requestErasure(services, { userId: 'a', userDetails: '', roles: ['admin'] }, 'Erase.Me@x.com');
    const target = (await findErasureTargets(services, erasure.id)).find((t) => t.exportId === exportId)!;
    expect(target).toMatchObject({ outcome: 'pending', audienceId: 'aud-9' });
    expect(await eraseFromAudience(services, erasure.id, target)).toMatchObject({ outcome: 'removed' });

    expect(removals).toEqual([[ann]]);
    expect(entryIdentifiers(removals[0]![0]!)).toEqual({ email: sha256Hex('erase.me@x.com'), phone: sha256Hex('14155550123') });
    const ledger = await readLedger(ledgers, exportId, 'buyers');
    expect(ledger!.members.toArray().sort()).toEqual([bo, phoneOnly].sort());
  });
});

describe('the ledger of entries as stored', () => {
  const entry = (n: number, phone = '+1415555' + String(1000 + n)) => memberEntry(emailOrPhone, { row: n, email: `p${n}@x.com`, phone });

  it('keeps the digests in the ledger and the texts in one side blob, replaced with it', async () => {
    const exportId = await createExport();
    const { ledgers } = await containersFor(services);
    const members = Array.from({ length: 50 }, (_, n) => entry(n));
    const write = (owed: string[]) =>
      writeLedger(ledgers, exportId, 'buyers', { audienceId: 'aud-3', members: sortedIds(members), pendingRemovals: sortedIds(owed), updatedAt: new Date().toISOString() });
    await write([entry(99)]);
    await write([entry(98), entry(97)]);

    const stored = await ledgers.getBlockBlobClient(ledgerBlobName(exportId, 'buyers')).downloadToBuffer();
    const header = JSON.parse(stored.toString('utf8', 0, stored.indexOf(0x0a))) as Record<string, unknown>;
    expect(header).toMatchObject({ version: 2, encoding: 'sha256-entries', members: 50, pendingRemovals: 2 });
    // 32 bytes a member after the header: no text in the ledger itself.
    expect(stored.length - stored.indexOf(0x0a) - 1).toBe(52 * 32);
    const blobs: string[] = [];
    for await (const blob of ledgers.listBlobsFlat({ prefix: `${exportId}/` })) blobs.push(blob.name);
    expect(blobs.sort()).toEqual([header.entries, ledgerBlobName(exportId, 'buyers')].sort());

    const ledger = await readLedger(ledgers, exportId, 'buyers');
    expect(ledger!.members.toArray().sort()).toEqual([...members].sort());
    expect(ledger!.pendingRemovals.toArray().sort()).toEqual([entry(98), entry(97)].sort());
    expect(members.every((member) => ledger!.members.has(member))).toBe(true);
    expect(ledger!.members.has(entry(1, '+14155559999'))).toBe(false);
  });

  it('plans and commits from a ledger written before entries had a format of their own (gzipped text)', async () => {
    const exportId = await createExport();
    const runId = `run-${randomUUID()}`;
    const { work, ledgers } = await containersFor(services);
    const held = [entry(1), entry(2), entry(3)];
    const header = JSON.stringify({ version: 1, audienceId: 'aud-4', members: 3, pendingRemovals: 0, updatedAt: new Date().toISOString() });
    await ledgers.getBlockBlobClient(ledgerBlobName(exportId, 'buyers')).uploadData(gzipSync(Buffer.from([header, ...[...held].sort()].join('\n') + '\n')));
    // Person 2's phone changed, person 3 left, person 4 joined.
    const now: ProfileRecord[] = [
      { row: 1, email: 'p1@x.com', phone: '+14155551001' },
      { row: 2, email: 'p2@x.com', phone: '+14155557777' },
      { row: 4, email: 'p4@x.com', phone: '+14155551004' },
    ];
    const name = workFileName(runId, 0, 1);
    await work.getBlockBlobClient(name).uploadData(Buffer.from(now.map((r) => JSON.stringify(r)).join('\n') + '\n'));

    const plan = await planChanges(services, {
      runId, exportId, segment: 'buyers', segmentIndex: 0, audienceId: 'aud-4', audienceCreated: false,
      membership: [{ name, records: now.length }], full: false, now: new Date().toISOString(),
    });
    expect(plan).toMatchObject({ full: false, ledgerBefore: 3, unchanged: 1, addCount: 2, removeCount: 2 });
    const removed = (await Promise.all(plan.removes.map((slice) => readIdSlice(work, slice)))).flat();
    expect(removed.sort()).toEqual([entry(2), entry(3)].sort());
    const added = (await Promise.all(plan.adds.map((slice) => readSlice(work, slice)))).flat().map((record) => memberEntry(emailOrPhone, record));

    // The destination took every add and confirmed one of the two removals.
    await writeDeliveryLog(work, deliveryLogName(runId, 0, 'add-1'), { added, removed: [] });
    await writeDeliveryLog(work, deliveryLogName(runId, 0, 'remove-1'), { added: [], removed: [entry(3)] });
    const committed = await commitLedger(services, { runId, exportId, segment: 'buyers', segmentIndex: 0, audienceId: 'aud-4', now: new Date().toISOString() });
    expect(committed).toEqual({ ledgerBefore: 3, ledgerAfter: 4, added: 2, removed: 1 });

    const ledger = await readLedger(ledgers, exportId, 'buyers');
    expect(ledger!.members.toArray().sort()).toEqual([entry(1), entry(2, '+14155557777'), entry(4)].sort());
    expect(ledger!.pendingRemovals.toArray()).toEqual([entry(2)]);
    const stored = await ledgers.getBlockBlobClient(ledgerBlobName(exportId, 'buyers')).downloadToBuffer();
    expect(stored.toString('utf8', 0, stored.indexOf(0x0a))).toContain('"encoding":"sha256-entries"');
  });
});

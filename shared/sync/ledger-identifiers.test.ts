import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import { entryIdentifiers, memberEntry, sha256Hex } from '../destinations/common/identifiers.js';
import type { Destination, IdentifierSupport, ProfileRecord } from '../destinations/types.js';
import { readIdSlice, readSlice, workFileName } from '../pipeline/run-files/work-files.js';
import { createServices, type Services } from '../services.js';
import { containersFor } from './files.js';
import { readLedger, sortedIds, writeLedger } from './ledger.js';
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

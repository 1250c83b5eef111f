import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import { loadConfig } from '../config.js';
import { PreconditionFailedError } from '../errors.js';
import { createStorageClients } from './clients.js';
import { ExportStore, type StoredExport } from './export-store.js';

let azurite: RunningAzurite;
let store: ExportStore;

beforeAll(async () => {
  azurite = await startAzurite();
  store = new ExportStore(createStorageClients(loadConfig({ AzureWebJobsStorage: azurite.connectionString })));
});
afterAll(async () => {
  await azurite?.stop();
});

function exportOf(overrides: Partial<StoredExport> = {}): StoredExport {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    name: 'Weekly buyers',
    connectionId: 'c1',
    destinationType: 'autopilot',
    segments: ['buyers'],
    dataMatching: { email: 'email' },
    settings: {},
    enabled: true,
    syncMode: 'mirror',
    runOnSegmentRefresh: true,
    schedule: 'inherit',
    truncate: false,
    createdBy: { userId: 'u1', userDetails: 'a@example.com' },
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

describe('ExportStore', () => {
  it('creates, reads, replaces with an ETag and deletes', async () => {
    const e = exportOf();
    const created = await store.create(e);
    expect(await store.find(e.id)).toEqual(e);
    const saved = await store.replace({ ...e, name: 'Renamed' }, created.etag);
    await expect(store.replace({ ...e, name: 'Stale' }, created.etag)).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(store.delete(e.id, created.etag)).rejects.toBeInstanceOf(PreconditionFailedError);
    await store.delete(e.id, saved.etag);
    expect(await store.find(e.id)).toBeUndefined();
  });

  it('finds the exports the pipeline and connection deletion ask for', async () => {
    const a = exportOf({ connectionId: 'conn-a', segments: ['seg-1', 'seg-2'] });
    const b = exportOf({ connectionId: 'conn-a', segments: ['seg-2'], enabled: false });
    const c = exportOf({ connectionId: 'conn-b', segments: ['seg-3'] });
    for (const e of [a, b, c]) await store.create(e);

    expect((await store.listByConnection('conn-a')).map((e) => e.id).sort()).toEqual([a.id, b.id].sort());
    expect((await store.listBySegment('seg-2')).map((e) => e.id).sort()).toEqual([a.id, b.id].sort());
    expect((await store.listBySegment('seg-1')).map((e) => e.id)).toEqual([a.id]);
    const enabled = (await store.listEnabled()).map((e) => e.id);
    expect(enabled).toContain(a.id);
    expect(enabled).toContain(c.id);
    expect(enabled).not.toContain(b.id);
  });

  it('update retries over concurrent writers and loses no change', async () => {
    const e = exportOf({ segments: ['s0'] });
    await store.create(e);
    await Promise.all(
      ['s1', 's2', 's3', 's4'].map((s) => store.update(e.id, (current) => ({ ...current, segments: [...current.segments, s] }))),
    );
    expect((await store.find(e.id))!.segments.sort()).toEqual(['s0', 's1', 's2', 's3', 's4']);
  });

  it('pages by connection and by predicate', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await store.create(exportOf({ connectionId: 'paged', name: `n${i}` }))).value.id);
    const first = await store.page({ top: 3 }, { connectionId: 'paged' });
    expect(first.items).toHaveLength(3);
    const second = await store.page({ top: 3, continuation: first.continuation }, { connectionId: 'paged' });
    expect(second.continuation).toBeUndefined();
    expect([...first.items, ...second.items].map((s) => s.value.id)).toEqual(ids.sort());
    const odd = await store.page({ top: 10 }, { connectionId: 'paged', where: (e) => e.name === 'n1' || e.name === 'n3' });
    expect(odd.items.map((s) => s.value.name).sort()).toEqual(['n1', 'n3']);
  });
});

describe('ExportStore.findRecent', () => {
  it('shares a recent read, sees its own writes at once, and hands out copies', async () => {
    const clients = createStorageClients(loadConfig({ AzureWebJobsStorage: azurite.connectionString }));
    const steps = new ExportStore(clients);
    const elsewhere = new ExportStore(clients);
    const created = await steps.create(exportOf({ name: 'First' }));

    const read = await steps.findRecent(created.value.id);
    expect(read?.name).toBe('First');
    // Another process's edit: this one keeps its recent read for a few seconds.
    await elsewhere.replace({ ...created.value, name: 'Edited elsewhere' });
    expect((await steps.findRecent(created.value.id))?.name).toBe('First');
    // A caller changing what it got changes nobody else's.
    read!.segments.push('changed by a caller');
    expect((await steps.findRecent(created.value.id))?.segments).toEqual(['buyers']);
    // An edit through this store is seen at once.
    await steps.update(created.value.id, (exp) => ({ ...exp, name: 'Edited here' }));
    expect((await steps.findRecent(created.value.id))?.name).toBe('Edited here');
    await steps.delete(created.value.id);
    expect(await steps.findRecent(created.value.id)).toBeUndefined();
  });
});

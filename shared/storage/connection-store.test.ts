import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import { loadConfig } from '../config.js';
import { ConflictError, PreconditionFailedError } from '../errors.js';
import { createStorageClients, type StorageClients } from './clients.js';
import { ConnectionStore, nameKey, type StoredConnection } from './connection-store.js';
import { JsonTable } from './json-table.js';

let azurite: RunningAzurite;
let storage: StorageClients;
let store: ConnectionStore;

beforeAll(async () => {
  azurite = await startAzurite();
  storage = createStorageClients(loadConfig({ AzureWebJobsStorage: azurite.connectionString }));
  store = new ConnectionStore(storage);
});
afterAll(async () => {
  await azurite?.stop();
});

const who = { userId: 'u1', userDetails: 'admin@example.com' };
function connection(overrides: Partial<StoredConnection> = {}): StoredConnection {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    type: 'autopilot',
    displayName: `Connection ${randomUUID().slice(0, 8)}`,
    allowContributors: false,
    consent: { accepted: true, acceptedBy: who, acceptedAt: now },
    exportUser: who,
    credentials: { set: true, updatedAt: now },
    createdBy: who,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

describe('ConnectionStore', () => {
  it('creates, reads, replaces with an ETag and deletes', async () => {
    const c = connection();
    const created = await store.create(c);
    expect(created.etag).not.toBe('');
    expect(await store.find(c.id)).toEqual(c);

    const renamed = await store.replace(c, { ...c, displayName: 'Renamed' }, created.etag);
    expect((await store.get(c.id)).value.displayName).toBe('Renamed');
    await expect(store.replace(c, { ...c, allowContributors: true }, created.etag)).rejects.toBeInstanceOf(PreconditionFailedError);

    await expect(store.delete(renamed.value, created.etag)).rejects.toBeInstanceOf(PreconditionFailedError);
    await store.delete(renamed.value, renamed.etag);
    expect(await store.find(c.id)).toBeUndefined();
  });

  it('keeps display names unique per type, ignoring case and surrounding spaces', async () => {
    const first = connection({ displayName: 'Marketing Team' });
    await store.create(first);
    const clash = store.create(connection({ displayName: '  marketing team ' }));
    await expect(clash).rejects.toBeInstanceOf(ConflictError);
    await expect(clash).rejects.toMatchObject({ issues: [{ field: 'displayName' }] });
    // Another type may use the same name.
    await expect(store.create(connection({ displayName: 'Marketing Team', type: 'adroll' }))).resolves.toBeDefined();
  });

  it('frees a name on rename and on delete', async () => {
    const a = connection({ displayName: 'Free Me' });
    const created = await store.create(a);
    await store.replace(a, { ...a, displayName: 'Taken Now' }, created.etag);
    await expect(store.create(connection({ displayName: 'Free Me' }))).resolves.toBeDefined();

    const b = connection({ displayName: 'Deleted Soon' });
    const stored = await store.create(b);
    await store.delete(b, stored.etag);
    await expect(store.create(connection({ displayName: 'Deleted Soon' }))).resolves.toBeDefined();
  });

  it('two concurrent creations of one name: exactly one wins', async () => {
    const results = await Promise.allSettled([
      store.create(connection({ displayName: 'Race' })),
      store.create(connection({ displayName: 'Race' })),
      store.create(connection({ displayName: 'race' })),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('takes over a reservation left behind by a crash', async () => {
    const names = new JsonTable<{ connectionId: string }>(() => storage.ensureTable('connections'), 'name');
    await names.insert('display-name', nameKey('autopilot', 'Orphaned'), { connectionId: 'gone' });
    await expect(store.create(connection({ displayName: 'Orphaned' }))).resolves.toBeDefined();
  });

  it('pages in id order and can show only connections open to contributors', async () => {
    const local = new ConnectionStore(createStorageClients(loadConfig({ AzureWebJobsStorage: azurite.connectionString })));
    const open = await Promise.all([1, 2, 3].map((i) => local.create(connection({ displayName: `Open ${i}`, allowContributors: true }))));
    const seen: string[] = [];
    let continuation: string | undefined;
    do {
      const page = await local.page({ top: 2, ...(continuation ? { continuation } : {}) }, { openToContributors: true });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((s) => s.value.id));
      continuation = page.continuation;
    } while (continuation);
    expect(seen).toEqual([...open.map((o) => o.value.id)].sort());
    expect(await local.idsOpenToContributors()).toEqual(new Set(seen));
    await expect(local.page({ top: 2, continuation: 'garbage!' })).rejects.toMatchObject({ status: 400, issues: [{ field: 'continuation' }] });
  });
});

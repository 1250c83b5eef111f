import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../azurite.js';
import { ConcurrencyError, TaskHubStore, type InstanceRecord } from './store.js';

let azurite: RunningAzurite;
let store: TaskHubStore;

beforeAll(async () => {
  azurite = await startAzurite();
  store = await TaskHubStore.open(azurite.connectionString, 'StoreTests');
});
afterAll(async () => {
  await azurite?.stop();
});

const record = (instanceId: string, historyCount: number, lastUpdatedTime: string): InstanceRecord => ({
  instanceId,
  name: 'fanOut',
  executionId: 'e1',
  runtimeStatus: 'Running',
  createdTime: '2026-12-08T00:00:00.000Z',
  lastUpdatedTime,
  historyCount,
});

describe('TaskHubStore.putInstance', () => {
  it('takes a retried write that finds its own first try already applied as done, with the stored ETag', async () => {
    const created = await store.putInstance(record('retried', 0, '2026-12-08T00:00:00.000Z'));
    const commit = record('retried', 4, '2026-12-08T00:00:01.000Z');
    const applied = await store.putInstance(commit, created);
    // The same write again on the ETag it started from: what the SDK's retry sends after a try timed out but landed.
    await expect(store.putInstance(commit, created)).resolves.toBe(applied);
    expect((await store.getInstance('retried'))?.etag).toBe(applied);
  });

  it('still refuses a different write on a stale ETag, and a second create', async () => {
    const created = await store.putInstance(record('raced', 0, '2026-12-08T00:00:00.000Z'));
    await store.putInstance(record('raced', 4, '2026-12-08T00:00:01.000Z'), created);
    await expect(store.putInstance(record('raced', 4, '2026-12-08T00:00:02.000Z'), created)).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(store.putInstance(record('raced', 0, '2026-12-08T00:00:03.000Z'))).rejects.toBeInstanceOf(ConcurrencyError);
  });
});

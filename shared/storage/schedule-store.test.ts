import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import { loadConfig } from '../config.js';
import { PreconditionFailedError } from '../errors.js';
import { createStorageClients } from './clients.js';
import { ScheduleStore } from './schedule-store.js';

let azurite: RunningAzurite;

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

describe('ScheduleStore', () => {
  it('starts from REFRESH_SCHEDULE and then keeps what was saved', async () => {
    const config = loadConfig({ AzureWebJobsStorage: azurite.connectionString, REFRESH_SCHEDULE: '0 30 2 * * *' });
    const store = new ScheduleStore(createStorageClients(config), config);
    expect(await store.effective()).toEqual({ schedule: { cron: '0 30 2 * * *', enabled: true }, source: 'setting' });

    const saved = await store.put({ cron: '0 0 * * * *', enabled: false, updatedAt: 'now' });
    const effective = await store.effective();
    expect(effective).toMatchObject({ schedule: { cron: '0 0 * * * *', enabled: false }, source: 'api', etag: saved.etag });
    expect(await store.get()).toMatchObject({ cron: '0 0 * * * *', enabled: false });

    const next = await store.put({ cron: '0 0 1 * * *', enabled: true }, saved.etag);
    await expect(store.put({ cron: '0 0 2 * * *', enabled: true }, saved.etag)).rejects.toBeInstanceOf(PreconditionFailedError);
    expect((await store.effective()).etag).toBe(next.etag);
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import { loadConfig } from '../config.js';
import { createStorageClients } from '../storage/clients.js';
import type { AlertState } from './alerts.js';
import { InsightStore } from './store.js';

let azurite: RunningAzurite;
let store: InsightStore;

beforeAll(async () => {
  azurite = await startAzurite();
  store = new InsightStore(createStorageClients(loadConfig({ AzureWebJobsStorage: azurite.connectionString })));
});
afterAll(async () => {
  await azurite?.stop();
});

const state = (size: number, matchRateLow = false): AlertState => ({ matchRateLow, size, readAt: new Date().toISOString() });

/**
 * Two readers of one audience racing: `a` has read the state and decided when `b` reads,
 * decides and writes; then `a` writes. Answers both outcomes.
 */
async function race(exportId: string) {
  let b: Awaited<ReturnType<InsightStore['advanceAlertState']>> | undefined;
  const a = await store.advanceAlertState(exportId, 'vip', async (previous) => {
    b = await store.advanceAlertState(exportId, 'vip', (seen) => ({ next: state(400, true), result: seen?.size ?? null }));
    return { next: state(400, true), result: previous?.size ?? null };
  });
  return { a, b: b! };
}

describe('the alert state', () => {
  it('of two readers racing from no state, only the one whose write lands first tells', async () => {
    const { a, b } = await race(randomUUID());
    expect(b).toEqual({ won: true, result: null });
    expect(a).toEqual({ won: false, result: null });
  });

  it('of two readers racing from the same state, only one tells', async () => {
    const exportId = randomUUID();
    expect((await store.advanceAlertState(exportId, 'vip', () => ({ next: state(900), result: 'first' }))).won).toBe(true);
    const { a, b } = await race(exportId);
    // Both saw 900 and would tell the same crossing; the ETag lets one write.
    expect(b).toEqual({ won: true, result: 900 });
    expect(a).toEqual({ won: false, result: 900 });
    const next = await store.advanceAlertState(exportId, 'vip', (previous) => ({ next: state(400, true), result: previous }));
    expect(next.result).toMatchObject({ size: 400, matchRateLow: true });
  });

  it("is deleted with the export's readings, and kept by the retention purge", async () => {
    const exportId = randomUUID();
    await store.advanceAlertState(exportId, 'vip', () => ({ next: state(900), result: undefined }));
    await store.purge(exportId, new Date());
    expect((await store.advanceAlertState(exportId, 'vip', (previous) => ({ next: state(900), result: previous }))).result).toMatchObject({ size: 900 });
    await store.purge(exportId);
    expect((await store.advanceAlertState(exportId, 'vip', (previous) => ({ next: state(900), result: previous }))).result).toBeUndefined();
  });
});

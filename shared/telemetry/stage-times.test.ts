import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import { loadConfig } from '../config.js';
import { createStorageClients, type StorageClients } from '../storage/clients.js';
import { StageTimes } from './stage-times.js';

let azurite: RunningAzurite;
let storage: StorageClients;

beforeAll(async () => {
  azurite = await startAzurite();
  storage = createStorageClients(loadConfig({ AzureWebJobsStorage: azurite.connectionString }));
});
afterAll(() => azurite?.stop());

/** Counts the table requests of one kind the client sends, by wrapping the clients' tables. */
function counting(clients: StorageClients): { clients: StorageClients; requests: { deletes: number; transactions: number } } {
  const requests = { deletes: 0, transactions: 0 };
  return {
    requests,
    clients: {
      ...clients,
      async ensureTable(name) {
        const table = await clients.ensureTable(name);
        return new Proxy(table, {
          get(target, key, receiver) {
            if (key === 'deleteEntity') requests.deletes++;
            if (key === 'submitTransaction') requests.transactions++;
            const value = Reflect.get(target, key, receiver) as unknown;
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
          },
        });
      },
    },
  };
}

describe('StageTimes', () => {
  it("sums a run's rows per stage and deletes them a hundred to a transaction", async () => {
    const times = new StageTimes(storage);
    // A paced run: hundreds of send steps, each a row.
    await Promise.all(Array.from({ length: 230 }, (_, k) => times.record('run-paced', 'send', 10 + (k % 3))));
    await times.record('run-paced', 'plan', 250);
    await times.record('run-other', 'send', 7);

    const { clients, requests } = counting(storage);
    const totals = await new StageTimes(clients).collect('run-paced');

    const expectedSendMs = Array.from({ length: 230 }, (_, k) => 10 + (k % 3)).reduce((a, b) => a + b, 0);
    expect(totals).toEqual({ send: { ms: expectedSendMs, count: 230 }, plan: { ms: 250, count: 1 } });
    expect(requests).toEqual({ deletes: 0, transactions: 3 });
    // Every row of the run is gone; another run's rows stay.
    expect(await new StageTimes(storage).collect('run-paced')).toEqual({});
    expect(await new StageTimes(storage).collect('run-other')).toEqual({ send: { ms: 7, count: 1 } });
  });
});

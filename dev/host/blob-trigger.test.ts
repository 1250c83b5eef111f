import { RestError, TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../azurite.js';
import { parseBlobPath } from './blob-path.js';
import { BlobTrigger } from './blob-trigger.js';
import type { LogEntry } from './invoke.js';

let azurite: RunningAzurite;

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => azurite?.stop());

describe('blob trigger', () => {
  it('logs a poison row that storage refuses, tries the blob again, and leaves no rejection unhandled', async () => {
    const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
    const receipts = TableClient.fromConnectionString(azurite.connectionString, 'BlobTriggerReceiptTests', { allowInsecureConnection: true });
    // The poison table answers as storage does in a brown-out, after the SDK's retries.
    const poison = {
      createTable: async () => undefined,
      upsertEntity: async () => Promise.reject(new RestError('The server is busy.', { statusCode: 503 })),
    } as unknown as TableClient;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const logs: LogEntry[] = [];
    let calls = 0;
    const trigger = new BlobTrigger({
      functionName: 'alwaysFails',
      path: parseBlobPath('poison-refused/{name}'),
      blobs,
      receipts,
      poison,
      maxAttempts: 1,
      parallelism: 1,
      pollIntervalMs: 50,
      maxContentBytes: 1024,
      invoke: async () => {
        calls++;
        throw new Error('cannot handle it');
      },
      log: (e) => logs.push(e),
    });
    try {
      await trigger.start();
      await blobs.getContainerClient('poison-refused').getBlockBlobClient('a.csv').upload('a', 1);
      const deadline = Date.now() + 10_000;
      while (calls < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    } finally {
      await trigger.stop();
      process.off('unhandledRejection', onUnhandled);
    }
    // In the host process, an unhandled rejection is an exit: every request in flight is cut off.
    expect(unhandled, 'no rejection left unhandled').toEqual([]);
    expect(logs.some((e) => e.level === 'error' && e.message === 'poison-refused/a.csv: The server is busy.')).toBe(true);
    // Without a poison row or a receipt, the blob is due again at the next poll.
    expect(calls).toBeGreaterThanOrEqual(2);
  });
});

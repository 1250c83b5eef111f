import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { BlobServiceClient } from '@azure/storage-blob';
import { TableClient } from '@azure/data-tables';
import { startAzurite } from './azurite.js';

const isOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

describe('startAzurite', () => {
  it('serves blobs, queues and tables from a process each, and stops all three', async () => {
    const azurite = await startAzurite({ perService: true });
    try {
      const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('split');
      await container.create();
      await container.getBlockBlobClient('a.txt').upload('hello', 5);
      expect((await container.getBlockBlobClient('a.txt').downloadToBuffer()).toString()).toBe('hello');

      const table = TableClient.fromConnectionString(azurite.connectionString, 'split', { allowInsecureConnection: true });
      await table.createTable();
      await table.createEntity({ partitionKey: 'p', rowKey: 'r', value: 7 });
      expect((await table.getEntity<{ value: number }>('p', 'r')).value).toBe(7);

      // The app uses no queue; the service only has to answer (unsigned: refused, by the queue service).
      const queue = await fetch(`http://127.0.0.1:${azurite.ports.queue}/devstoreaccount1?comp=list`);
      expect(queue.headers.get('x-ms-request-id')).toBeTruthy();
    } finally {
      await azurite.stop();
    }
    for (const port of Object.values(azurite.ports)) expect(await isOpen(port)).toBe(false);
  });
});

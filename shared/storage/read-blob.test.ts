import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import { readWholeBlob } from './read-blob.js';

let azurite: RunningAzurite;
let container: ContainerClient;

beforeAll(async () => {
  azurite = await startAzurite();
  container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('reads');
  await container.create();
});
afterAll(() => azurite?.stop());

describe('readWholeBlob', () => {
  it('reads a body that arrives in many chunks, byte for byte', async () => {
    const body = Buffer.alloc(5 * 2 ** 20);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31) % 251;
    await container.getBlockBlobClient('big.bin').uploadData(body);
    expect((await readWholeBlob(container.getBlobClient('big.bin'))).equals(body)).toBe(true);
  });

  it('reads an empty blob as an empty buffer', async () => {
    await container.getBlockBlobClient('empty.txt').upload('', 0);
    expect((await readWholeBlob(container.getBlobClient('empty.txt'))).length).toBe(0);
  });

  it('fails with the 404 of a blob that is not there', async () => {
    await expect(readWholeBlob(container.getBlobClient('missing.txt'))).rejects.toMatchObject({ statusCode: 404 });
  });
});

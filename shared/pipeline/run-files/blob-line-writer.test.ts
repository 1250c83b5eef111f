import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { startAzurite, type RunningAzurite } from '../../../dev/azurite.js';
import { BlobLineWriter } from './blob-line-writer.js';

let azurite: RunningAzurite;
let container: ContainerClient;

beforeAll(async () => {
  azurite = await startAzurite();
  container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('lines');
  await container.createIfNotExists();
});
afterAll(() => azurite?.stop());

async function roundTrip(name: string, lines: string[]): Promise<{ written: number; text: string; blocks: number }> {
  const writer = new BlobLineWriter(container, name);
  for (const line of lines) await writer.write(line);
  const written = await writer.close();
  const client = container.getBlockBlobClient(name);
  const text = (await client.downloadToBuffer()).toString('utf8');
  const blocks = (await client.getBlockList('committed')).committedBlocks?.length ?? 0;
  return { written, text, blocks };
}

describe('BlobLineWriter', () => {
  it('writes a small blob in one request, as committed blob without blocks', async () => {
    const lines = Array.from({ length: 20_000 }, (_, n) => `{"row":${n},"email":"user${n}@example.com","name":"Zoë"}`);
    const { written, text, blocks } = await roundTrip('small.ndjson', lines);
    expect(written).toBe(20_000);
    expect(text).toBe(lines.join('\n') + '\n');
    expect(blocks).toBe(0);
  });

  it('streams a blob larger than one block, block by block, with every line in order', async () => {
    const lines = Array.from({ length: 120_000 }, (_, n) => `{"row":${n},"email":"user${n}@example.com","note":"${'x'.repeat(30)}"}`);
    const { written, text, blocks } = await roundTrip('large.ndjson', lines);
    expect(written).toBe(120_000);
    expect(text.length).toBeGreaterThan(8 * 1024 * 1024);
    expect(text).toBe(lines.join('\n') + '\n');
    expect(blocks).toBeGreaterThan(1);
  });

  it('creates no blob when no line was written', async () => {
    expect(await new BlobLineWriter(container, 'none.ndjson').close()).toBe(0);
    expect(await container.getBlobClient('none.ndjson').exists()).toBe(false);
  });
});

import type { TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { BLOB_BINDING_SOURCE, BlobBindingClientFactory, blobBindingData, parseBlobBindingData } from './blob-binding.js';

const AZURITE =
  'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;';

const fakeCredential: TokenCredential = { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 60_000 }) };

describe('blob model binding data', () => {
  it('round-trips the shape the host sends', () => {
    const data = blobBindingData({ connection: AZURITE, containerName: 'segments', blobName: 'vip/2026 list.csv' });
    expect(data).toMatchObject({ version: '1.0', source: BLOB_BINDING_SOURCE, contentType: 'application/json' });
    expect(JSON.parse(data.content.toString('utf8'))).toEqual({ Connection: AZURITE, ContainerName: 'segments', BlobName: 'vip/2026 list.csv' });
    expect(parseBlobBindingData(data)).toEqual({ connection: AZURITE, containerName: 'segments', blobName: 'vip/2026 list.csv' });
  });

  it('rejects data from another source, another version or without a blob name', () => {
    const good = blobBindingData({ connection: null, containerName: 'segments', blobName: 'a/b.csv' });
    expect(() => parseBlobBindingData({ ...good, source: 'AzureServiceBusReceivedMessage' })).toThrow();
    expect(() => parseBlobBindingData({ ...good, version: '2.0' })).toThrow();
    expect(() => parseBlobBindingData({ ...good, content: Buffer.from('{"ContainerName":"segments"}') })).toThrow();
    expect(() => parseBlobBindingData({ ...good, content: null })).toThrow(/no content/);
  });
});

describe('BlobBindingClientFactory', () => {
  it('uses a connection string carried in the data (a key-based connection)', () => {
    const client = new BlobBindingClientFactory('AzureWebJobsStorage', {}).create(
      blobBindingData({ connection: AZURITE, containerName: 'segments', blobName: 'vip/a.csv' }),
    );
    expect(client.accountName).toBe('devstoreaccount1');
    expect(client.containerName).toBe('segments');
    expect(client.name).toBe('vip/a.csv');
    expect(client.url).toBe('http://127.0.0.1:10000/devstoreaccount1/segments/vip/a.csv');
  });

  it('resolves a setting name in the data', () => {
    const client = new BlobBindingClientFactory('AzureWebJobsStorage', { OtherStorage: AZURITE }).create(
      blobBindingData({ connection: 'OtherStorage', containerName: 'segments', blobName: 'x.csv' }),
    );
    expect(client.url).toBe('http://127.0.0.1:10000/devstoreaccount1/segments/x.csv');
  });

  it('falls back to the identity-based form of the trigger connection when the data carries none', () => {
    const clientIds: (string | undefined)[] = [];
    const env = {
      AzureWebJobsStorage__blobServiceUri: 'https://stexample.blob.core.windows.net',
      AzureWebJobsStorage__credential: 'managedidentity',
      AzureWebJobsStorage__clientId: '00000000-0000-0000-0000-000000000001',
    };
    const factory = new BlobBindingClientFactory('AzureWebJobsStorage', env, (clientId) => {
      clientIds.push(clientId);
      return fakeCredential;
    });
    const first = factory.create(blobBindingData({ connection: null, containerName: 'segments', blobName: 'vip/a.csv' }));
    const second = factory.create(blobBindingData({ connection: '', containerName: 'segments', blobName: 'vip/b.csv' }));
    expect(first.url).toBe('https://stexample.blob.core.windows.net/segments/vip/a.csv');
    expect(second.url).toBe('https://stexample.blob.core.windows.net/segments/vip/b.csv');
    // One service client (and credential) per connection, reused.
    expect(clientIds).toEqual(['00000000-0000-0000-0000-000000000001']);
  });

  it('says which setting is missing', () => {
    expect(() => new BlobBindingClientFactory('AzureWebJobsStorage', {}).create(blobBindingData({ connection: null, containerName: 'c', blobName: 'b' }))).toThrow(
      /AzureWebJobsStorage__blobServiceUri/,
    );
  });
});

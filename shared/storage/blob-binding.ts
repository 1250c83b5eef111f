import { ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { BlobServiceClient, BlobClient } from '@azure/storage-blob';
import { blobServiceFromConnectionString, blobServiceFromUrl } from './blob-service.js';
import { z } from 'zod';

/**
 * What the Functions host sends for a blob trigger with deferred binding (`sdkBinding: true`):
 * not the blob's bytes but a reference to it, as gRPC `ModelBindingData`.
 *
 * The shape comes from the host's storage blob extension
 * (Azure/azure-sdk-for-net, sdk/storage/Microsoft.Azure.WebJobs.Extensions.Storage.Blobs/src/Config/
 * BlobsExtensionConfigProvider.cs, `CreateParameterBindingData`): version `1.0`, source
 * `AzureStorageBlobs`, content type `application/json`, content a JSON object with
 * `Connection`, `ContainerName` and `BlobName`. The Node library hands that to the factory
 * registered for the source (Azure/azure-functions-nodejs-library, src/converters/fromRpcTypedData.ts).
 */
export const BLOB_BINDING_SOURCE = 'AzureStorageBlobs';

export interface ModelBindingDataLike {
  content?: Buffer | Uint8Array | null;
  contentType?: string | null;
  source?: string | null;
  version?: string | null;
}

const envelopeSchema = z.object({
  source: z.literal(BLOB_BINDING_SOURCE),
  contentType: z.literal('application/json'),
  version: z.literal('1.0'),
});

const contentSchema = z.object({
  // The host fills this from the connection's configuration section: the connection string
  // itself for a key-based connection, empty for an identity-based one (a section with
  // children has no value). Both are handled below, as is a setting name.
  Connection: z.string().nullish(),
  ContainerName: z.string().min(1),
  BlobName: z.string().min(1),
});

export type BlobReference = { connection?: string | null; containerName: string; blobName: string };

export function parseBlobBindingData(data: ModelBindingDataLike): BlobReference {
  envelopeSchema.parse({ source: data.source, contentType: data.contentType, version: data.version });
  if (!data.content) throw new Error('blob model binding data has no content');
  const content = contentSchema.parse(JSON.parse(Buffer.from(data.content).toString('utf8')));
  return { connection: content.Connection, containerName: content.ContainerName, blobName: content.BlobName };
}

/** The model binding data the host sends for one blob (the local host builds it the same way). */
export function blobBindingData(reference: BlobReference): { version: string; source: string; contentType: string; content: Buffer } {
  const content = { Connection: reference.connection ?? null, ContainerName: reference.containerName, BlobName: reference.blobName };
  return { version: '1.0', source: BLOB_BINDING_SOURCE, contentType: 'application/json', content: Buffer.from(JSON.stringify(content)) };
}

const CONNECTION_STRING = /(^|;)\s*(AccountName|BlobEndpoint|UseDevelopmentStorage|SharedAccessSignature)=/i;

/**
 * Turns binding data into a `BlobClient`. The connection is, in this order: a connection
 * string carried in the data; the app setting the data names; the trigger's own connection
 * setting (`fallbackConnection`), as a connection string or in its identity-based form
 * (`<name>__blobServiceUri`, `<name>__clientId`) with the app's managed identity.
 */
export class BlobBindingClientFactory {
  private readonly services = new Map<string, BlobServiceClient>();

  constructor(
    private readonly fallbackConnection: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly credential: (clientId: string | undefined) => TokenCredential = (clientId) =>
      new ManagedIdentityCredential(clientId ? { clientId } : {}),
  ) {}

  create(data: ModelBindingDataLike): BlobClient {
    const reference = parseBlobBindingData(data);
    return this.service(reference.connection).getContainerClient(reference.containerName).getBlobClient(reference.blobName);
  }

  private service(connection: string | null | undefined): BlobServiceClient {
    const key = connection?.trim() || this.fallbackConnection;
    let service = this.services.get(key);
    if (!service) {
      service = this.build(key);
      this.services.set(key, service);
    }
    return service;
  }

  private build(connection: string): BlobServiceClient {
    if (CONNECTION_STRING.test(connection)) return blobServiceFromConnectionString(connection);
    const value = this.env[connection];
    if (value) return blobServiceFromConnectionString(value);
    const uri = this.env[`${connection}__blobServiceUri`] ?? this.env[`${connection}__serviceUri`];
    if (uri) return blobServiceFromUrl(uri, this.credential(this.env[`${connection}__clientId`]));
    throw new Error(`blob binding: the connection '${connection}' is not configured (set ${connection} or ${connection}__blobServiceUri)`);
  }
}

import { TableClient } from '@azure/data-tables';
import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import type { AppConfig } from '../config.js';
import { httpClientWithTimeout } from './request-timeout.js';
import { blobServiceFromConnectionString, blobServiceFromUrl } from './blob-service.js';

/**
 * Storage clients for the app: a connection string locally (Azurite), identity-based
 * account URLs in Azure (no shared keys there). Every try of a table request has a deadline
 * (`request-timeout.ts`), so tables that stop answering fail a call instead of holding it;
 * a blob connection that stays silent too long ends its try (`blob-service.ts`), without
 * cutting long transfers that keep moving.
 */
export interface StorageClients {
  blobs: BlobServiceClient;
  table(name: string): TableClient;
  container(name: string): ContainerClient;
  /** Creates the table once per process; later calls are free. */
  ensureTable(name: string): Promise<TableClient>;
  ensureContainer(name: string): Promise<ContainerClient>;
}

let credential: TokenCredential | undefined;
export function azureCredential(config: AppConfig): TokenCredential {
  credential ??= new DefaultAzureCredential(
    config.managedIdentityClientId ? { managedIdentityClientId: config.managedIdentityClientId } : undefined,
  );
  return credential;
}

export function createStorageClients(config: AppConfig): StorageClients {
  const conn = config.storageConnectionString;
  const insecure = conn ? /DefaultEndpointsProtocol=http;|UseDevelopmentStorage=true/i.test(conn) : false;
  let blobs: BlobServiceClient;
  let table: (name: string) => TableClient;
  const httpClient = httpClientWithTimeout();
  if (conn) {
    blobs = blobServiceFromConnectionString(conn);
    table = (name) => TableClient.fromConnectionString(conn, name, { allowInsecureConnection: insecure, httpClient });
  } else {
    if (!config.blobServiceUri || !config.tableServiceUri) {
      throw new Error(
        'Storage is not configured: set AzureWebJobsStorage (a connection string) or AzureWebJobsStorage__blobServiceUri and AzureWebJobsStorage__tableServiceUri',
      );
    }
    const cred = azureCredential(config);
    blobs = blobServiceFromUrl(config.blobServiceUri, cred);
    const tableUri = config.tableServiceUri;
    table = (name) => new TableClient(tableUri, name, cred, { httpClient });
  }
  const tables = new Map<string, Promise<TableClient>>();
  const containers = new Map<string, Promise<ContainerClient>>();
  return {
    blobs,
    table,
    container: (name) => blobs.getContainerClient(name),
    ensureTable(name) {
      let ready = tables.get(name);
      if (!ready) {
        const client = table(name);
        ready = client.createTable().then(() => client);
        ready.catch(() => tables.delete(name));
        tables.set(name, ready);
      }
      return ready;
    },
    ensureContainer(name) {
      let ready = containers.get(name);
      if (!ready) {
        const client = blobs.getContainerClient(name);
        ready = client.createIfNotExists().then(() => client);
        ready.catch(() => containers.delete(name));
        containers.set(name, ready);
      }
      return ready;
    },
  };
}


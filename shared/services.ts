import { loadConfig, type AppConfig } from './config.js';
import { createStorageClients, type StorageClients } from './storage/clients.js';
import { SegmentCatalog } from './storage/segment-catalog.js';
import { ConnectionStore } from './storage/connection-store.js';
import { ExportStore } from './storage/export-store.js';
import { ScheduleStore } from './storage/schedule-store.js';
import { RunStore } from './storage/run-store.js';
import { FollowUpStore } from './storage/follow-up-store.js';
import { SuppressionStore } from './privacy/suppression-store.js';
import { ErasureStore } from './privacy/erasure-store.js';
import { AuditLog } from './privacy/audit.js';
import { createSecretStore, type SecretStore } from './secrets/index.js';
import { connectDestination } from './destinations/connect.js';
import type { DestinationClient } from './destinations/types.js';
import type { Connection } from './domain/connection.js';

/**
 * Everything the functions need, built once per process from the app settings. Domain
 * code receives these explicitly; only function registrations call getServices().
 */
export interface Services {
  config: AppConfig;
  storage: StorageClients;
  secrets: SecretStore;
  connections: ConnectionStore;
  exports: ExportStore;
  schedule: ScheduleStore;
  runs: RunStore;
  followUps: FollowUpStore;
  suppressions: SuppressionStore;
  erasures: ErasureStore;
  audit: AuditLog;
  segments: SegmentCatalog;
  /** Opens a destination client for a connection; tests swap in a recording destination here. */
  destinationClient(connection: Pick<Connection, 'id' | 'type'>, settings?: Record<string, string>): Promise<DestinationClient>;
}

export function createServices(config: AppConfig = loadConfig()): Services {
  const storage = createStorageClients(config);
  const secrets = createSecretStore(config, storage);
  return {
    config,
    storage,
    secrets,
    destinationClient: (connection, settings) => connectDestination({ secrets, endpoints: config.destinations }, connection, settings),
    connections: new ConnectionStore(storage),
    exports: new ExportStore(storage),
    schedule: new ScheduleStore(storage, config),
    runs: new RunStore(storage),
    followUps: new FollowUpStore(storage),
    suppressions: new SuppressionStore(storage),
    erasures: new ErasureStore(storage),
    audit: new AuditLog(storage),
    segments: new SegmentCatalog(storage),
  };
}

let services: Services | undefined;

export function getServices(): Services {
  services ??= createServices();
  return services;
}

/** Tests point the app at a fresh Azurite between files. */
export function resetServices(next?: Services): void {
  services = next;
}

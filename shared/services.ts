import { loadConfig, type AppConfig } from './config.js';
import { createStorageClients, type StorageClients } from './storage/clients.js';
import { SegmentCatalog } from './storage/segment-catalog.js';
import { ConnectionStore } from './storage/connection-store.js';
import { ExportStore } from './storage/export-store.js';
import { ScheduleStore } from './storage/schedule-store.js';
import { RunStore } from './storage/run-store.js';
import { createSecretStore, type SecretStore } from './secrets/index.js';

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
  segments: SegmentCatalog;
}

export function createServices(config: AppConfig = loadConfig()): Services {
  const storage = createStorageClients(config);
  return {
    config,
    storage,
    secrets: createSecretStore(config, storage),
    connections: new ConnectionStore(storage),
    exports: new ExportStore(storage),
    schedule: new ScheduleStore(storage, config),
    runs: new RunStore(storage),
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

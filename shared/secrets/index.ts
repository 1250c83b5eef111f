import { SecretClient } from '@azure/keyvault-secrets';
import type { AppConfig } from '../config.js';
import { azureCredential, type StorageClients } from '../storage/clients.js';
import { httpClientWithTimeout } from '../storage/request-timeout.js';
import { EncryptedTableSecretStore, resolveEncryptionKey } from './encrypted-table.js';
import { KeyVaultSecretStore } from './key-vault.js';
import { RecentlyReadSecrets } from './recently-read.js';
import type { SecretStore } from './types.js';

export type { SecretStore } from './types.js';
export { connectionSecretName } from './types.js';

/**
 * Key Vault (with the app's managed identity) when KEY_VAULT_URL is set; otherwise the
 * encrypted table. The key is resolved on first use, so a misconfigured key fails the
 * calls that need secrets with a clear message instead of every function at start-up.
 * Either way, versioned reads are shared for a few seconds (RecentlyReadSecrets).
 */
export function createSecretStore(config: AppConfig, storage: StorageClients): SecretStore {
  if (config.keyVaultUrl) {
    return new RecentlyReadSecrets(new KeyVaultSecretStore(new SecretClient(config.keyVaultUrl, azureCredential(config), { httpClient: httpClientWithTimeout() })));
  }
  let key: Buffer | undefined;
  return new RecentlyReadSecrets(
    new EncryptedTableSecretStore(
      () => storage.ensureTable('secrets'),
      () => (key ??= resolveEncryptionKey(config)),
    ),
  );
}

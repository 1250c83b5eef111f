import type { SecretClient } from '@azure/keyvault-secrets';
import { assertSecretName } from './names.js';
import type { SecretStore, VersionedSecret } from './types.js';

/** The part of the Key Vault client this store uses (tests pass a stand-in). */
export type KeyVaultSecrets = Pick<SecretClient, 'getSecret' | 'setSecret' | 'beginDeleteSecret'>;

const isNotFound = (error: unknown) =>
  (error as { statusCode?: number }).statusCode === 404 || (error as { code?: string }).code === 'SecretNotFound';

/**
 * Connection secrets in Azure Key Vault. Deleting only starts Key Vault's soft delete; the
 * name is never reused because connection ids are unique, so a recoverable deleted secret
 * never blocks a later write.
 */
export class KeyVaultSecretStore implements SecretStore {
  constructor(private readonly client: KeyVaultSecrets) {}

  async get(name: string): Promise<string | undefined> {
    assertSecretName(name);
    try {
      return (await this.client.getSecret(name)).value;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async set(name: string, value: string): Promise<void> {
    assertSecretName(name);
    await this.client.setSecret(name, value, { contentType: 'application/json' });
  }

  async getVersioned(name: string): Promise<VersionedSecret | undefined> {
    assertSecretName(name);
    try {
      const secret = await this.client.getSecret(name);
      return secret.value === undefined ? undefined : { value: secret.value, version: secret.properties.version ?? '' };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * Key Vault has no conditional write: the latest version is compared first, which leaves
   * only the moment between that read and the write for a change to slip through.
   */
  async setIfUnchanged(name: string, value: string, version: string): Promise<string | undefined> {
    const current = await this.getVersioned(name);
    if (!current || current.version !== version) return undefined;
    const written = await this.client.setSecret(name, value, { contentType: 'application/json' });
    return written.properties.version ?? '';
  }

  async delete(name: string): Promise<void> {
    assertSecretName(name);
    try {
      await this.client.beginDeleteSecret(name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

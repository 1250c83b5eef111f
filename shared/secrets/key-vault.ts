import type { SecretClient } from '@azure/keyvault-secrets';
import { assertSecretName } from './names.js';
import type { SecretStore } from './types.js';

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

  async delete(name: string): Promise<void> {
    assertSecretName(name);
    try {
      await this.client.beginDeleteSecret(name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

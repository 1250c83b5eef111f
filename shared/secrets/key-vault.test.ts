import { RestError } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { KeyVaultSecretStore, type KeyVaultSecrets } from './key-vault.js';

/** An in-memory stand-in for SecretClient that answers missing secrets the way Key Vault does (404). */
function fakeVault() {
  const values = new Map<string, string>();
  const notFound = (name: string) => new RestError(`A secret with (name/id) ${name} was not found in this key vault.`, { statusCode: 404, code: 'SecretNotFound' });
  const client = {
    async getSecret(name: string) {
      const value = values.get(name);
      if (value === undefined) throw notFound(name);
      return { name, value, properties: { name, vaultUrl: 'https://vault.test' } };
    },
    async setSecret(name: string, value: string) {
      values.set(name, value);
      return { name, value, properties: { name, vaultUrl: 'https://vault.test' } };
    },
    async beginDeleteSecret(name: string) {
      if (!values.delete(name)) throw notFound(name);
      return {} as never;
    },
  } as unknown as KeyVaultSecrets;
  return { client, values };
}

describe('KeyVaultSecretStore', () => {
  it('sets, gets and deletes secrets, treating a missing secret as undefined', async () => {
    const vault = fakeVault();
    const store = new KeyVaultSecretStore(vault.client);
    expect(await store.get('connection-1')).toBeUndefined();
    await store.set('connection-1', '{"apiKey":"k"}');
    expect(vault.values.get('connection-1')).toBe('{"apiKey":"k"}');
    expect(await store.get('connection-1')).toBe('{"apiKey":"k"}');
    await store.delete('connection-1');
    await expect(store.delete('connection-1')).resolves.toBeUndefined();
    expect(await store.get('connection-1')).toBeUndefined();
  });

  it('passes other failures on', async () => {
    const client = {
      getSecret: async () => {
        throw new RestError('Forbidden', { statusCode: 403 });
      },
    } as unknown as KeyVaultSecrets;
    await expect(new KeyVaultSecretStore(client).get('connection-1')).rejects.toThrow('Forbidden');
  });

  it('refuses names Key Vault would refuse before calling it', async () => {
    const vault = fakeVault();
    await expect(new KeyVaultSecretStore(vault.client).set('connection_1', 'x')).rejects.toThrow(/invalid secret name/);
  });
});

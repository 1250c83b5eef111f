import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import { loadConfig } from '../config.js';
import { createStorageClients, type StorageClients } from '../storage/clients.js';
import { decrypt, encrypt, EncryptedTableSecretStore, parseEncryptionKey, resolveEncryptionKey } from './encrypted-table.js';
import { createSecretStore } from './index.js';

let azurite: RunningAzurite;
let storage: StorageClients;

beforeAll(async () => {
  azurite = await startAzurite();
  storage = createStorageClients(loadConfig({ AzureWebJobsStorage: azurite.connectionString }));
});
afterAll(async () => {
  await azurite?.stop();
});

describe('EncryptedTableSecretStore', () => {
  it('writes conditionally: only over the version that was read', async () => {
    const store = new EncryptedTableSecretStore(() => storage.ensureTable('secretsversioned'), () => randomBytes(32).fill(7));
    await store.set('connection-v', 'one');
    const read = (await store.getVersioned('connection-v'))!;
    expect(read.value).toBe('one');
    const next = await store.setIfUnchanged('connection-v', 'two', read.version);
    expect(next).toEqual(expect.any(String));
    expect(await store.setIfUnchanged('connection-v', 'stale', read.version)).toBeUndefined();
    expect(await store.get('connection-v')).toBe('two');
    await store.delete('connection-v');
    expect(await store.setIfUnchanged('connection-v', 'gone', next!)).toBeUndefined();
    expect(await store.get('connection-v')).toBeUndefined();
  });

  it('stores values encrypted, reads them back and deletes them', async () => {
    const key = randomBytes(32);
    const store = new EncryptedTableSecretStore(() => storage.ensureTable('secretsroundtrip'), () => key);
    const value = JSON.stringify({ apiKey: 'plain-text-api-key-123' });
    await store.set('connection-abc', value);
    expect(await store.get('connection-abc')).toBe(value);

    const rows = [];
    for await (const row of storage.table('secretsroundtrip').listEntities()) rows.push(row);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain('plain-text-api-key-123');

    await store.delete('connection-abc');
    expect(await store.get('connection-abc')).toBeUndefined();
    await expect(store.delete('connection-abc')).resolves.toBeUndefined();
  });

  it('cannot read values with another key', async () => {
    const writer = new EncryptedTableSecretStore(() => storage.ensureTable('secretswrongkey'), () => randomBytes(32));
    await writer.set('connection-x', 'value');
    const reader = new EncryptedTableSecretStore(() => storage.ensureTable('secretswrongkey'), () => randomBytes(32));
    await expect(reader.get('connection-x')).rejects.toThrow(/SECRET_ENCRYPTION_KEY is not the key/);
  });

  it('refuses names Key Vault would refuse', async () => {
    const store = new EncryptedTableSecretStore(() => storage.ensureTable('secretsnames'), () => randomBytes(32));
    await expect(store.set('bad/name', 'x')).rejects.toThrow(/invalid secret name/);
  });
});

describe('encrypt', () => {
  it('uses a fresh IV per value and binds the ciphertext to the secret name', () => {
    const key = randomBytes(32);
    const a = encrypt(key, 'one', 'same value');
    const b = encrypt(key, 'one', 'same value');
    expect(a.iv).not.toBe(b.iv);
    expect(a.data).not.toBe(b.data);
    expect(decrypt(key, 'one', a)).toBe('same value');
    expect(() => decrypt(key, 'two', a)).toThrow(/cannot be decrypted/);
  });
});

describe('encryption key', () => {
  it('accepts a base64 32-byte key and rejects anything else', () => {
    const key = randomBytes(32);
    expect(parseEncryptionKey(key.toString('base64')).equals(key)).toBe(true);
    expect(() => parseEncryptionKey(randomBytes(16).toString('base64'))).toThrow(/32 random bytes/);
    expect(() => parseEncryptionKey('not base64 at all!')).toThrow(/32 random bytes/);
  });

  it('generates a development key once and reuses it across restarts', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'secret-key-'));
    try {
      const config = loadConfig({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' });
      const first = resolveEncryptionKey(config, root);
      expect(existsSync(path.join(root, '.local', 'secret.key'))).toBe(true);
      expect(resolveEncryptionKey(config, root).equals(first)).toBe(true);
      expect(readFileSync(path.join(root, '.local', 'secret.key'), 'utf8').trim()).toBe(first.toString('base64'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses to generate a key outside development storage', () => {
    const config = loadConfig({ AzureWebJobsStorage__blobServiceUri: 'https://acct.blob.core.windows.net', AzureWebJobsStorage__tableServiceUri: 'https://acct.table.core.windows.net' });
    expect(() => resolveEncryptionKey(config, os.tmpdir())).toThrow(/KEY_VAULT_URL/);
  });
});

describe('createSecretStore', () => {
  it('uses the encrypted table with SECRET_ENCRYPTION_KEY when there is no Key Vault', async () => {
    const key = randomBytes(32).toString('base64');
    const config = loadConfig({ AzureWebJobsStorage: azurite.connectionString, SECRET_ENCRYPTION_KEY: key });
    const store = createSecretStore(config, createStorageClients(config));
    await store.set('connection-factory', 'v1');
    const again = createSecretStore(config, createStorageClients(config));
    expect(await again.get('connection-factory')).toBe('v1');
  });
});

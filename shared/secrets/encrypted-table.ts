import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TableClient } from '@azure/data-tables';
import type { AppConfig } from '../config.js';
import { NotFoundError, PreconditionFailedError } from '../errors.js';
import { JsonTable } from '../storage/json-table.js';
import { assertSecretName } from './names.js';
import type { SecretStore, VersionedSecret } from './types.js';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
// 96-bit nonces are what GCM is designed for; a fresh random one per write.
const IV_BYTES = 12;
const PARTITION = 'secret';

interface EncryptedValue {
  /** Format version, so the scheme can change without guessing. */
  v: 1;
  iv: string;
  tag: string;
  data: string;
}

/**
 * Development secret store: each value AES-256-GCM encrypted with a random IV, one table
 * row per secret. The secret's name is the additional authenticated data, so a ciphertext
 * copied onto another secret's row does not decrypt.
 */
export class EncryptedTableSecretStore implements SecretStore {
  private readonly table: JsonTable<EncryptedValue>;

  constructor(
    ready: () => Promise<TableClient>,
    private readonly key: () => Buffer,
  ) {
    this.table = new JsonTable(ready, 'secret');
  }

  async get(name: string): Promise<string | undefined> {
    assertSecretName(name);
    const stored = await this.table.find(PARTITION, name);
    return stored ? decrypt(this.key(), name, stored.value) : undefined;
  }

  async set(name: string, value: string): Promise<void> {
    assertSecretName(name);
    await this.table.replace(PARTITION, name, encrypt(this.key(), name, value));
  }

  async getVersioned(name: string): Promise<VersionedSecret | undefined> {
    assertSecretName(name);
    const stored = await this.table.find(PARTITION, name);
    return stored ? { value: decrypt(this.key(), name, stored.value), version: stored.etag } : undefined;
  }

  /** The row's ETag is the version: Table storage refuses the write (412) when it changed. */
  async setIfUnchanged(name: string, value: string, version: string): Promise<string | undefined> {
    assertSecretName(name);
    try {
      return (await this.table.replace(PARTITION, name, encrypt(this.key(), name, value), version)).etag;
    } catch (error) {
      if (error instanceof PreconditionFailedError || error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async delete(name: string): Promise<void> {
    assertSecretName(name);
    if (await this.table.find(PARTITION, name)) {
      await this.table.delete(PARTITION, name).catch((error: unknown) => {
        if ((error as { status?: number }).status !== 404) throw error;
      });
    }
  }
}

export function encrypt(key: Buffer, name: string, plaintext: string): EncryptedValue {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(Buffer.from(name, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { v: 1, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

export function decrypt(key: Buffer, name: string, value: EncryptedValue): string {
  try {
    const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(value.iv, 'base64'));
    decipher.setAAD(Buffer.from(name, 'utf8'));
    decipher.setAuthTag(Buffer.from(value.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(value.data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    // Never echo the ciphertext or the key; say what to check instead.
    throw new Error(`secret '${name}' cannot be decrypted: SECRET_ENCRYPTION_KEY is not the key it was written with`);
  }
}

/** Decodes SECRET_ENCRYPTION_KEY: base64 of exactly 32 bytes. */
export function parseEncryptionKey(base64: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== KEY_BYTES || key.toString('base64').replace(/=+$/, '') !== base64.trim().replace(/=+$/, '')) {
    throw new Error(`SECRET_ENCRYPTION_KEY must be the base64 encoding of ${KEY_BYTES} random bytes`);
  }
  return key;
}

/** True when storage is Azurite on this machine: the only place a generated key is acceptable. */
export function usesDevelopmentStorage(config: AppConfig): boolean {
  const conn = config.storageConnectionString;
  if (!conn) return false;
  return /UseDevelopmentStorage=true/i.test(conn) || /Endpoint=https?:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/i.test(conn);
}

/**
 * The key of the encrypted table. SECRET_ENCRYPTION_KEY when set. Otherwise, and only
 * against local development storage, a key generated once and kept in `.local/secret.key`
 * (git-ignored) under the app's folder: secrets written before a restart must still decrypt
 * after it, which a per-process random key would not allow. Anywhere else (Azure) a missing
 * key is a configuration error: use Key Vault there.
 */
export function resolveEncryptionKey(config: AppConfig, root: string = process.cwd()): Buffer {
  if (config.secretEncryptionKey) return parseEncryptionKey(config.secretEncryptionKey);
  if (!usesDevelopmentStorage(config)) {
    throw new Error('No secret store is configured: set KEY_VAULT_URL (Azure) or SECRET_ENCRYPTION_KEY (development)');
  }
  const file = path.join(root, '.local', 'secret.key');
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    // `wx`: two processes starting together must not both generate (and overwrite) a key.
    writeFileSync(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return parseEncryptionKey(readFileSync(file, 'utf8').trim());
}

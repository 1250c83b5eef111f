import { RecentReads, STEP_READ_MAX_AGE_MS } from '../storage/recent-reads.js';
import type { SecretStore, VersionedSecret } from './types.js';

/**
 * A secret store whose versioned reads are shared for a few seconds (RecentReads): every
 * step of every run opens its connection's client, and eight runs on one connection read
 * the same credentials dozens of times a second. Key Vault throttles a vault's reads, and
 * Microsoft's guidance is to cache secrets in the application. Writes through this store
 * forget the name at once; a rotated token saved with `setIfUnchanged` is checked against
 * the stored version, so a stale read can never overwrite newer credentials.
 */
export class RecentlyReadSecrets implements SecretStore {
  private readonly recent = new RecentReads<VersionedSecret | undefined>(STEP_READ_MAX_AGE_MS);

  constructor(private readonly inner: SecretStore) {}

  get(name: string): Promise<string | undefined> {
    return this.inner.get(name);
  }

  async getVersioned(name: string): Promise<VersionedSecret | undefined> {
    const found = await this.recent.read(name, () => this.inner.getVersioned(name));
    return found && { ...found };
  }

  set(name: string, value: string): Promise<void> {
    return this.recent.writing(name, () => this.inner.set(name, value));
  }

  delete(name: string): Promise<void> {
    return this.recent.writing(name, () => this.inner.delete(name));
  }

  setIfUnchanged(name: string, value: string, version: string): Promise<string | undefined> {
    return this.recent.writing(name, () => this.inner.setIfUnchanged(name, value, version));
  }
}

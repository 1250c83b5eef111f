import type { UserRef } from '../domain/connection.js';
import type { StorageClients } from '../storage/clients.js';
import { JsonTable } from '../storage/json-table.js';
import type { Page, PageQuery } from '../storage/paging.js';

const PARTITION = 'suppression';

/** A suppressed person, known by the hash of the address only. */
export interface Suppression {
  /** SHA-256 hex of the normalized address. */
  id: string;
  addedBy: UserRef;
  addedAt: string;
  /** `api`, `file:<blob name>` or `erasure`. */
  source: string;
}

/**
 * The suppression list: people never to be sent, and to be removed from every audience that
 * holds them. One row per hash; the list holds no plain address.
 */
export class SuppressionStore {
  private readonly table: JsonTable<Suppression>;

  constructor(storage: StorageClients) {
    this.table = new JsonTable(() => storage.ensureTable('suppressions'), 'suppression');
  }

  /** Adds the hashes not on the list yet; answers how many were new. */
  async add(hashes: Iterable<string>, addedBy: UserRef, source: string, now = new Date()): Promise<{ added: number; already: number }> {
    let added = 0;
    let already = 0;
    for (const id of new Set(hashes)) {
      const inserted = await this.table.insert(PARTITION, id, { id, addedBy, addedAt: now.toISOString(), source });
      if (inserted) added++;
      else already++;
    }
    return { added, already };
  }

  async remove(id: string): Promise<void> {
    await this.table.delete(PARTITION, id);
  }

  async find(id: string): Promise<Suppression | undefined> {
    return (await this.table.find(PARTITION, id))?.value;
  }

  async page(query: PageQuery): Promise<Page<Suppression>> {
    const page = await this.table.page(PARTITION, query);
    return { items: page.items.map((s) => s.value), ...(page.continuation ? { continuation: page.continuation } : {}) };
  }

  /** Every suppressed hash, for a run to check its rows against (one read per segment). */
  async hashes(): Promise<Set<string>> {
    const all = new Set<string>();
    for await (const stored of this.table.all(PARTITION)) all.add(stored.value.id);
    return all;
  }
}

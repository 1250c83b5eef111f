import { odata } from '@azure/data-tables';
import type { Export } from '../domain/export.js';
import { ConflictError, PreconditionFailedError } from '../errors.js';
import type { StorageClients } from './clients.js';
import { JsonTable, type Stored } from './json-table.js';
import { keysetPage } from './keyset-page.js';
import { RecentReads, STEP_READ_MAX_AGE_MS } from './recent-reads.js';
import type { Page, PageQuery } from './paging.js';

const PARTITION = 'export';

/** What is stored: the export without the transport-only `etag`. */
export type StoredExport = Omit<Export, 'etag'>;

/**
 * Exports, one JSON row each, with `connectionId` and `enabled` as filterable columns.
 * The pipeline asks which exports to run (`listEnabled`, `listBySegment`); a connection's
 * deletion asks which exports use it (`listByConnection`).
 */
export class ExportStore {
  private readonly rows: JsonTable<StoredExport>;
  private readonly recent = new RecentReads<Export | undefined>(STEP_READ_MAX_AGE_MS);

  constructor(storage: StorageClients) {
    this.rows = new JsonTable(() => storage.ensureTable('exports'), 'export', (e) => ({
      connectionId: e.connectionId,
      enabled: e.enabled,
    }));
  }

  async find(id: string): Promise<Export | undefined> {
    return (await this.rows.find(PARTITION, id))?.value;
  }

  /** The export as read at most a few seconds ago (RecentReads), for a run's steps; a copy, so a caller's change never reaches another. */
  async findRecent(id: string): Promise<Export | undefined> {
    return structuredClone(await this.recent.read(id, () => this.find(id)));
  }

  findStored(id: string): Promise<Stored<StoredExport> | undefined> {
    return this.rows.find(PARTITION, id);
  }

  get(id: string): Promise<Stored<StoredExport>> {
    return this.rows.get(PARTITION, id);
  }

  async create(exp: StoredExport): Promise<Stored<StoredExport>> {
    const created = await this.recent.writing(exp.id, () => this.rows.insert(PARTITION, exp.id, exp));
    if (!created) throw new ConflictError(`export ${exp.id} already exists`);
    return created;
  }

  /** Replaces the export; with an ETag only if nobody changed it since (412 otherwise). */
  replace(exp: StoredExport, etag?: string): Promise<Stored<StoredExport>> {
    return this.recent.writing(exp.id, () => this.rows.replace(PARTITION, exp.id, exp, etag));
  }

  delete(id: string, etag?: string): Promise<void> {
    return this.recent.writing(id, () => this.rows.delete(PARTITION, id, etag));
  }

  /** Read-modify-write that retries when another writer got in between. */
  update(id: string, change: (exp: StoredExport) => StoredExport): Promise<Stored<StoredExport>> {
    return this.recent.writing(id, () => this.updateRow(id, change));
  }

  private async updateRow(id: string, change: (exp: StoredExport) => StoredExport): Promise<Stored<StoredExport>> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.rows.get(PARTITION, id);
      try {
        return await this.rows.replace(PARTITION, id, change(current.value), current.etag);
      } catch (error) {
        if (!(error instanceof PreconditionFailedError) || attempt >= 10) throw error;
      }
    }
  }

  /** A page in id order, optionally narrowed (a contributor's view, a connection filter). */
  page(query: PageQuery, options: { connectionId?: string; where?: (exp: StoredExport) => boolean } = {}): Promise<Page<Stored<StoredExport>>> {
    return keysetPage(this.rows, PARTITION, query, {
      rowKey: (e) => e.id,
      ...(options.connectionId ? { filter: odata`connectionId eq ${options.connectionId}` } : {}),
      ...(options.where ? { where: options.where } : {}),
    });
  }

  listByConnection(connectionId: string): Promise<Export[]> {
    return this.collect(odata`connectionId eq ${connectionId}`);
  }

  /** Exports that include the segment (segments are a list, so this scans: there are few exports). */
  async listBySegment(segmentName: string): Promise<Export[]> {
    return (await this.collect()).filter((e) => e.segments.includes(segmentName));
  }

  /** Every export (an erasure looks for a person in all of them). */
  listAll(): Promise<Export[]> {
    return this.collect();
  }

  listEnabled(): Promise<Export[]> {
    return this.collect(odata`enabled eq ${true}`);
  }

  private async collect(filter?: string): Promise<Export[]> {
    const found: Export[] = [];
    for await (const row of this.rows.all(PARTITION, filter)) found.push(row.value);
    return found;
  }
}

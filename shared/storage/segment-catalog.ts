import type { Segment } from '../domain/segment.js';
import { boundColumns } from '../pipeline/prepare/segment-file.js';
import { JsonTable, type Stored } from './json-table.js';
import type { Page, PageQuery } from './paging.js';
import type { StorageClients } from './clients.js';

const PARTITION = 'segment';

/** The segment catalog: name, newest file, columns and size, for GET /api/segments and export validation. */
export class SegmentCatalog {
  private readonly table: JsonTable<Segment>;

  constructor(storage: StorageClients) {
    this.table = new JsonTable(() => storage.ensureTable('segments'), 'segment');
  }

  async find(name: string): Promise<Segment | undefined> {
    return (await this.table.find(PARTITION, name))?.value;
  }

  async list(query: PageQuery): Promise<Page<Segment>> {
    const page = await this.table.page(PARTITION, query);
    return { ...page, items: page.items.map((s: Stored<Segment>) => s.value) };
  }

  /**
   * Records a newly landed file. An older file arriving late (blob events are not ordered)
   * does not replace a newer one.
   */
  async recordFile(file: Segment): Promise<Segment> {
    // A table property holds 32K characters: a wide header must not make the write fail.
    const bounded = boundColumns(file.columns);
    const segment: Segment = { ...file, columns: bounded.columns, ...(bounded.truncated ? { columnsTruncated: true } : {}) };
    for (;;) {
      const current = await this.table.find(PARTITION, segment.name);
      if (current && current.value.refreshedAt > segment.refreshedAt) return current.value;
      try {
        if (!current) {
          if (await this.table.insert(PARTITION, segment.name, segment)) return segment;
          continue; // someone inserted first: compare with theirs
        }
        await this.table.replace(PARTITION, segment.name, segment, current.etag);
        return segment;
      } catch (error) {
        if ((error as { status?: number }).status === 412) continue;
        throw error;
      }
    }
  }

  async setRowCount(name: string, file: string, rowCount: number): Promise<void> {
    const current = await this.table.find(PARTITION, name);
    if (!current || current.value.latestFile !== file) return;
    await this.table.replace(PARTITION, name, { ...current.value, rowCount }).catch(() => undefined);
  }
}

import { RestError, type TableClient, type TableEntityResult, odata } from '@azure/data-tables';
import { NotFoundError, PreconditionFailedError } from '../errors.js';
import { decodeContinuation, encodeContinuation } from './continuation.js';
import type { Page, PageQuery } from './paging.js';

/**
 * An entity kept as one JSON document in an Azure Table row. Columns other than `data`
 * exist only to filter on (`indexed`), so the schema can evolve without table migrations.
 * Optimistic concurrency: every read returns the ETag; writes given an ETag fail with 412
 * when the row changed since.
 */
export interface Stored<T> {
  value: T;
  etag: string;
}

type Row = { partitionKey: string; rowKey: string; data: string } & Record<string, unknown>;

export class JsonTable<T> {
  constructor(
    private readonly ready: () => Promise<TableClient>,
    readonly what: string,
    private readonly indexed: (value: T) => Record<string, string | number | boolean> = () => ({}),
  ) {}

  private toRow(partitionKey: string, rowKey: string, value: T): Row {
    return { partitionKey, rowKey, data: JSON.stringify(value), ...this.indexed(value) };
  }

  private fromRow(row: TableEntityResult<Record<string, unknown>>): Stored<T> {
    return { value: JSON.parse(row.data as string) as T, etag: row.etag };
  }

  async find(partitionKey: string, rowKey: string): Promise<Stored<T> | undefined> {
    const table = await this.ready();
    try {
      return this.fromRow(await table.getEntity(partitionKey, rowKey));
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  async get(partitionKey: string, rowKey: string): Promise<Stored<T>> {
    const found = await this.find(partitionKey, rowKey);
    if (!found) throw new NotFoundError(this.what, rowKey);
    return found;
  }

  /** Inserts; returns undefined when the row already exists. */
  async insert(partitionKey: string, rowKey: string, value: T): Promise<Stored<T> | undefined> {
    const table = await this.ready();
    try {
      const result = await table.createEntity(this.toRow(partitionKey, rowKey, value));
      return { value, etag: result.etag ?? '' };
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 409) return undefined;
      throw error;
    }
  }

  /** Replaces the row; with an ETag only if nobody changed it since (412 otherwise). */
  async replace(partitionKey: string, rowKey: string, value: T, etag?: string): Promise<Stored<T>> {
    const table = await this.ready();
    try {
      const result = etag
        ? await table.updateEntity(this.toRow(partitionKey, rowKey, value), 'Replace', { etag })
        : await table.upsertEntity(this.toRow(partitionKey, rowKey, value), 'Replace');
      return { value, etag: result.etag ?? '' };
    } catch (error) {
      if (error instanceof RestError && (error.statusCode === 412 || (etag && error.statusCode === 404))) {
        if (error.statusCode === 404) throw new NotFoundError(this.what, rowKey);
        throw new PreconditionFailedError(this.what, rowKey);
      }
      throw error;
    }
  }

  async delete(partitionKey: string, rowKey: string, etag?: string): Promise<void> {
    const table = await this.ready();
    try {
      await table.deleteEntity(partitionKey, rowKey, etag ? { etag } : undefined);
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) throw new NotFoundError(this.what, rowKey);
      if (error instanceof RestError && error.statusCode === 412) throw new PreconditionFailedError(this.what, rowKey);
      throw error;
    }
  }

  /** One page of a partition (optionally filtered), in row-key order. */
  async page(partitionKey: string, query: PageQuery, filter?: string): Promise<Page<Stored<T>>> {
    const table = await this.ready();
    const partition = odata`PartitionKey eq ${partitionKey}`;
    const pages = table
      .listEntities<Record<string, unknown>>({
        queryOptions: { filter: filter ? `${partition} and (${filter})` : partition },
      })
      .byPage({ maxPageSize: query.top, continuationToken: this.decodeToken(partitionKey, query.continuation) });
    const next = await pages.next();
    if (next.done) return { items: [] };
    const page = next.value;
    const token = page.continuationToken;
    return { items: page.map((row) => this.fromRow(row)), ...(token ? { continuation: this.encodeToken(partitionKey, token) } : {}) };
  }

  /** Every row of a partition matching the filter; for internal scans (small partitions). */
  async *all(partitionKey: string, filter?: string): AsyncIterable<Stored<T>> {
    const table = await this.ready();
    const partition = odata`PartitionKey eq ${partitionKey}`;
    for await (const row of table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: filter ? `${partition} and (${filter})` : partition },
    })) {
      yield this.fromRow(row);
    }
  }

  /**
   * The SDK's token is base64 JSON of the service's next partition and row markers; ours
   * keeps those two under the list's name, so a token that does not come from this list is
   * refused before it reaches the table service.
   */
  private encodeToken(partitionKey: string, sdkToken: string): string {
    const next = JSON.parse(Buffer.from(sdkToken, 'base64').toString('utf8')) as { nextPartitionKey?: string; nextRowKey?: string };
    return encodeContinuation(`${this.what}/${partitionKey}`, { partition: next.nextPartitionKey ?? '', row: next.nextRowKey ?? '' });
  }

  private decodeToken(partitionKey: string, token: string | undefined): string | undefined {
    const at = decodeContinuation(`${this.what}/${partitionKey}`, token, ['partition', 'row'] as const);
    if (!at) return undefined;
    return Buffer.from(JSON.stringify({ nextPartitionKey: at.partition, ...(at.row ? { nextRowKey: at.row } : {}) }), 'utf8').toString('base64');
  }
}

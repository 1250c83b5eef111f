import { odata } from '@azure/data-tables';
import { decodeContinuation, encodeContinuation } from './continuation.js';
import type { JsonTable, Stored } from './json-table.js';
import type { Page, PageQuery } from './paging.js';

/**
 * Keyset paging for the configuration tables: a page is the next `top` rows after the
 * last row key the caller saw, optionally narrowed by a predicate the table cannot
 * evaluate (a contributor only sees connections opened to contributors). The token names
 * the list it pages (`continuation.ts`): one that does not fit is a 400.
 */
export interface KeysetOptions<T> {
  rowKey: (value: T) => string;
  /** Server-side OData filter on indexed columns. */
  filter?: string;
  where?: (value: T) => boolean;
}

export async function keysetPage<T>(
  table: JsonTable<T>,
  partitionKey: string,
  query: PageQuery,
  options: KeysetOptions<T>,
): Promise<Page<Stored<T>>> {
  const after = decodeContinuation(`${table.what}/${partitionKey}`, query.continuation, ['after'] as const)?.after;
  const filters = [options.filter, after === undefined ? undefined : odata`RowKey gt ${after}`].filter(Boolean);
  const items: Stored<T>[] = [];
  let more = false;
  for await (const row of table.all(partitionKey, filters.length ? filters.map((f) => `(${f})`).join(' and ') : undefined)) {
    if (options.where && !options.where(row.value)) continue;
    if (items.length === query.top) {
      more = true;
      break;
    }
    items.push(row);
  }
  const last = items.at(-1);
  return { items, ...(more && last ? { continuation: encodeContinuation(`${table.what}/${partitionKey}`, { after: options.rowKey(last.value) }) } : {}) };
}


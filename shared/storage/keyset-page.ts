import { odata } from '@azure/data-tables';
import { ValidationError } from '../errors.js';
import type { JsonTable, Stored } from './json-table.js';
import type { Page, PageQuery } from './paging.js';

/**
 * Keyset paging for the configuration tables: a page is the next `top` rows after the
 * last row key the caller saw, optionally narrowed by a predicate the table cannot
 * evaluate (a contributor only sees connections opened to contributors). The token is our
 * own, so a forged or stale one can only move the starting point, never fail the query.
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
  const after = decodeKeysetToken(query.continuation);
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
  return { items, ...(more && last ? { continuation: encodeKeysetToken(options.rowKey(last.value)) } : {}) };
}

export function encodeKeysetToken(after: string): string {
  return Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');
}

export function decodeKeysetToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through to the validation error
  }
  throw ValidationError.field('continuation', 'not a continuation token from this API; start again without it');
}

import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { SegmentFileFormat } from './segment-file.js';

/** One data row of a segment file; `row` counts data rows from 1 (the CSV header is not a row). */
export type SegmentRow =
  | { row: number; values: Record<string, unknown> }
  | { row: number; malformed: string };

export interface SegmentRows {
  /** Column names: the CSV header, or the keys of the first JSON object. */
  columns(): Promise<string[]>;
  rows(): AsyncIterable<SegmentRow>;
}

/**
 * Reads a segment file as a stream of rows. Memory stays flat: rows are parsed as the
 * bytes arrive and handed on one at a time. A row that cannot be parsed becomes a
 * `malformed` row (reported, not fatal); only a file that cannot be read at all throws.
 */
export function readSegmentRows(source: Readable, format: SegmentFileFormat): SegmentRows {
  const input = format.gzip ? source.pipe(createGunzip()) : source;
  if (format.gzip) source.on('error', (error) => input.destroy(error));
  return format.format === 'csv' ? csvRows(input) : jsonLines(input);
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A rejection nobody awaits yet must not crash the process; rows() reports it too.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

function csvRows(input: Readable): SegmentRows {
  const header = deferred<string[]>();
  const parser = parse({
    bom: true,
    columns: (names: string[]) => {
      const columns = names.map((n) => String(n).trim());
      header.resolve(columns);
      return columns;
    },
    // Rows with a wrong number of fields, or a stray quote, are reported row by row
    // instead of aborting the file.
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    info: true,
  });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  parser.once('end', () => header.resolve([]));
  parser.once('error', (error) => header.reject(error));
  return {
    columns: () => header.promise,
    async *rows() {
      let row = 0;
      // csv-parse counts the records with a wrong field count so far; a rise marks this one.
      let invalidSoFar = 0;
      for await (const { record, info } of parser as AsyncIterable<{
        record: Record<string, unknown>;
        info: { invalid_field_length: number };
      }>) {
        row++;
        if (info.invalid_field_length > invalidSoFar) {
          invalidSoFar = info.invalid_field_length;
          yield { row, malformed: 'malformed-row: the number of fields differs from the header' };
        } else {
          yield { row, values: record };
        }
      }
    },
  };
}

function jsonLines(input: Readable): SegmentRows {
  const lines = createInterface({ input, crlfDelay: Infinity });
  // readline does not forward stream errors (e.g. a corrupt gzip); close it so iteration ends with the error.
  let failure: Error | undefined;
  input.on('error', (error) => {
    failure = error;
    lines.close();
  });
  const iterator = lines[Symbol.asyncIterator]();
  const header = deferred<string[]>();
  // The first non-blank line is read ahead to learn the columns; rows() replays it.
  let first: string | undefined;
  let firstRead: Promise<void> | undefined;
  const readFirst = () =>
    (firstRead ??= (async () => {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        if (next.value.trim() !== '') {
          first = next.value;
          break;
        }
      }
      if (failure) throw failure;
      const parsed = first === undefined ? undefined : tryParseObject(first);
      header.resolve(parsed ? Object.keys(parsed) : []);
    })());
  return {
    columns: async () => {
      await readFirst();
      return header.promise;
    },
    async *rows() {
      await readFirst();
      let row = 0;
      const handle = (line: string): SegmentRow => {
        row++;
        const values = tryParseObject(line);
        return values ? { row, values } : { row, malformed: 'malformed-row: not a JSON object' };
      };
      if (first !== undefined) yield handle(first);
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        if (next.value.trim() !== '') yield handle(next.value);
      }
      if (failure) throw failure;
    },
  };
}

function tryParseObject(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

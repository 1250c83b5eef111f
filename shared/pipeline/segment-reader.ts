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
  // Records as arrays, the header being the first: cheaper than csv-parse's `columns` and
  // `info` options (per-record objects), which took a quarter of the preparation time.
  const parser = parse({
    bom: true,
    // Rows with a wrong number of fields, or a stray quote, are reported row by row
    // instead of aborting the file.
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
  });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  const records = (parser as AsyncIterable<string[]>)[Symbol.asyncIterator]();
  // The header is read ahead so columns() can answer before rows() starts.
  let header: Promise<string[]> | undefined;
  const readHeader = () =>
    (header ??= records.next().then((first) => (first.done ? [] : first.value.map((name) => String(name).trim()))));
  return {
    columns: readHeader,
    async *rows() {
      const columns = await readHeader();
      let row = 0;
      for (;;) {
        const next = await records.next();
        if (next.done) break;
        const fields = next.value;
        row++;
        if (fields.length !== columns.length) {
          yield { row, malformed: 'malformed-row: the number of fields differs from the header' };
          continue;
        }
        const values: Record<string, unknown> = {};
        for (let i = 0; i < columns.length; i++) values[columns[i]!] = fields[i];
        yield { row, values };
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

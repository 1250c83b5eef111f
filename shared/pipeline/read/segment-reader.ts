import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { splitLines, TOO_LONG, type LineBatch } from './line-splitter.js';
import { parseCsvRecord, QUOTE_NOT_CLOSED, QUOTE_NOT_DOUBLED } from './csv-record.js';
import { SegmentFileError, type SegmentFileFormat } from '../prepare/segment-file.js';

/**
 * One data row of a segment file. `row` is the row's line in the file, counted from the
 * first line after the CSV header (JSON Lines: from the first line), so a report's row
 * numbers point at the file's lines whatever rows before them held. `values` are in the
 * order of the columns asked for (`undefined` where a JSON row lacks a key).
 */
export type SegmentRow =
  | { row: number; values: unknown[] }
  | { row: number; malformed: string };

export interface SegmentRows {
  /** Column names: the CSV header, or the keys of the first JSON object. */
  columns(): Promise<string[]>;
  /** The rows, a batch at a time (a batch per chunk read: no promise per row), with the values of `select`. */
  batches(select: readonly string[]): AsyncIterable<SegmentRow[]>;
}

/** A header longer than this fails the file: a catalog entry or run record could not hold it anyway. */
export const MAX_HEADER_BYTES = 32 * 1024;
/** A row longer than this is reported and skipped without being held (a 10 MB field still reads). */
export const MAX_ROW_BYTES = 16 * 1024 * 1024;
/** A quoted field may run over at most this many lines; past it the opening quote is taken as stray. */
export const MAX_LINES_PER_RECORD = 100;

const INVALID_ENCODING = 'invalid-encoding: the row is not valid UTF-8';
const ROW_TOO_LONG = `malformed-row: the row is longer than ${MAX_ROW_BYTES} bytes`;
const FIELD_COUNT = 'malformed-row: the number of fields differs from the header';
const UNCLOSED = 'malformed-row: a quoted field is not closed on its line and no later line closes it into a well-formed row';
const NOT_DOUBLED = 'malformed-row: a quote inside a quoted field is not doubled';

/**
 * Reads a segment file as a stream of rows. Memory stays flat: lines are split and parsed
 * as the bytes arrive. A row that cannot be read (a stray quote, the wrong number of fields,
 * bytes that are not UTF-8, a row over MAX_ROW_BYTES) becomes a `malformed` row, reported
 * and not fatal; only a file that cannot be read at all throws (corrupt gzip, a header over
 * MAX_HEADER_BYTES or not UTF-8).
 */
export function readSegmentRows(source: Readable, format: SegmentFileFormat): SegmentRows {
  // Larger inflate chunks than zlib's 16 KiB default: fewer batches, same memory order.
  const input = format.gzip ? source.pipe(createGunzip({ chunkSize: 64 * 1024 })) : source;
  if (format.gzip) source.on('error', (error) => input.destroy(error));
  return format.format === 'csv' ? csvRows(input) : jsonLines(input);
}

type Line = LineBatch['lines'][number];

function csvRows(input: Readable): SegmentRows {
  const lines = splitLines(input, {
    maxLineBytes: MAX_ROW_BYTES,
    header: { maxBytes: MAX_HEADER_BYTES, reason: `header-too-long: the header is longer than ${MAX_HEADER_BYTES} bytes` },
  });
  let headerEnd = 0; // the line the header ends on; data rows count from the next one
  let afterHeader: LineBatch | undefined; // lines that came in the header's batch, after it

  const readHeader = async (): Promise<string[]> => {
    let text: string | undefined;
    for (;;) {
      const next = await lines.next();
      if (next.done) {
        if (text !== undefined) throw new SegmentFileError('malformed-header: a quoted column name is not closed');
        return [];
      }
      const batch = next.value;
      for (let k = 0; k < batch.lines.length; k++) {
        const line = batch.lines[k];
        if (line === undefined) throw new SegmentFileError('invalid-encoding: the header is not valid UTF-8');
        if (line === TOO_LONG) throw new SegmentFileError(`header-too-long: the header is longer than ${MAX_HEADER_BYTES} bytes`);
        text = text === undefined ? line.replace(/^\uFEFF/, '') : `${text}\n${line}`;
        if (text === '' || text === '\r') {
          text = undefined; // blank lines before the header
          continue;
        }
        const record = parseCsvRecord(withoutCr(text));
        if (record === QUOTE_NOT_CLOSED) {
          if (text.length > MAX_HEADER_BYTES) throw new SegmentFileError(`header-too-long: the header is longer than ${MAX_HEADER_BYTES} bytes`);
          continue;
        }
        if (record === QUOTE_NOT_DOUBLED) throw new SegmentFileError('malformed-header: a quote inside a quoted column name is not doubled');
        headerEnd = batch.first + k;
        afterHeader = { first: headerEnd + 1, lines: batch.lines.slice(k + 1) };
        return record.map((name) => name.trim());
      }
    }
  };
  let header: Promise<string[]> | undefined;
  const columns = () => (header ??= readHeader());

  return {
    columns,
    async *batches(select) {
      const names = await columns();
      const picks = select.map((name) => names.indexOf(name));
      const keep = names.map((_, i) => picks.includes(i));
      const width = names.length;
      const pick = (fields: string[]): unknown[] => {
        const values: unknown[] = new Array(picks.length);
        for (let k = 0; k < picks.length; k++) values[k] = picks[k]! < 0 ? undefined : fields[picks[k]!];
        return values;
      };
      const parse = (text: string) => parseCsvRecord(withoutCr(text), keep);
      // A record whose quoted field runs over lines: its first line number and its lines so far.
      let open: { start: number; lines: string[]; text: string } | undefined;

      const feed = (lineNumber: number, line: Line, out: SegmentRow[]): void => {
        if (open) {
          if (typeof line !== 'string') {
            giveUp(out);
            feed(lineNumber, line, out);
            return;
          }
          open.lines.push(line);
          open.text = `${open.text}\n${line}`;
          // Without a quote the line cannot close the field: no need to parse it all again
          // (which would make a long open field cost the square of its lines).
          const record = line.indexOf('"') < 0 ? QUOTE_NOT_CLOSED : parse(open.text);
          if (record === QUOTE_NOT_CLOSED) {
            if (open.lines.length >= MAX_LINES_PER_RECORD || open.text.length > MAX_ROW_BYTES) giveUp(out);
            return;
          }
          // Over lines, only a well-formed row of the header's width counts as one record.
          if (record === QUOTE_NOT_DOUBLED || record.length !== width) return giveUp(out);
          out.push({ row: open.start - headerEnd, values: pick(record) });
          open = undefined;
          return;
        }
        const row = lineNumber - headerEnd;
        if (line === undefined) out.push({ row, malformed: INVALID_ENCODING });
        else if (line === TOO_LONG) out.push({ row, malformed: ROW_TOO_LONG });
        else if (line !== '' && line !== '\r') {
          const record = parse(line);
          if (record === QUOTE_NOT_CLOSED) open = { start: lineNumber, lines: [line], text: line };
          else if (record === QUOTE_NOT_DOUBLED) out.push({ row, malformed: NOT_DOUBLED });
          else if (record.length !== width) out.push({ row, malformed: FIELD_COUNT });
          else out.push({ row, values: pick(record) });
        }
      };
      // The opening quote of `open` was stray: its first line is the malformed row, and the
      // lines after it are read again as rows of their own.
      const giveUp = (out: SegmentRow[]): void => {
        const { start, lines: held } = open!;
        open = undefined;
        out.push({ row: start - headerEnd, malformed: UNCLOSED });
        for (let k = 1; k < held.length; k++) feed(start + k, held[k], out);
      };
      const feedBatch = (batch: LineBatch): SegmentRow[] => {
        const out: SegmentRow[] = [];
        for (let k = 0; k < batch.lines.length; k++) feed(batch.first + k, batch.lines[k], out);
        return out;
      };

      if (afterHeader) {
        const out = feedBatch(afterHeader);
        afterHeader = undefined;
        if (out.length > 0) yield out;
      }
      let answer: { headerDone: boolean } | undefined = { headerDone: true };
      for (;;) {
        const next = await lines.next(answer);
        answer = undefined;
        if (next.done) break;
        const out = feedBatch(next.value);
        if (out.length > 0) yield out;
      }
      if (open) {
        const out: SegmentRow[] = [];
        giveUp(out);
        // A quote opened on the last lines may open again on a later one of them.
        while (open) giveUp(out);
        yield out;
      }
    },
  };
}

const withoutCr = (text: string) => (text.charCodeAt(text.length - 1) === 13 ? text.slice(0, -1) : text);

function jsonLines(input: Readable): SegmentRows {
  const lines = splitLines(input, { maxLineBytes: MAX_ROW_BYTES });
  let ahead: LineBatch[] = []; // read to learn the columns; replayed by batches()
  let header: Promise<string[]> | undefined;
  const readColumns = async (): Promise<string[]> => {
    for (;;) {
      const next = await lines.next();
      if (next.done) return [];
      ahead.push(next.value);
      for (const [k, line] of next.value.lines.entries()) {
        if (typeof line !== 'string' || line.trim() === '') continue;
        const parsed = tryParseObject(next.value.first + k === 1 ? line.replace(/^\uFEFF/, '') : line);
        return parsed ? Object.keys(parsed) : [];
      }
    }
  };
  const columns = () => (header ??= readColumns());

  return {
    columns,
    async *batches(select) {
      await columns();
      const toRows = (batch: LineBatch): SegmentRow[] => {
        const out: SegmentRow[] = [];
        for (let k = 0; k < batch.lines.length; k++) {
          const line = batch.lines[k];
          const row = batch.first + k;
          if (line === undefined) out.push({ row, malformed: INVALID_ENCODING });
          else if (line === TOO_LONG) out.push({ row, malformed: ROW_TOO_LONG });
          else if (line.trim() !== '') {
            const values = tryParseObject(row === 1 ? line.replace(/^\uFEFF/, '') : line);
            out.push(values ? { row, values: select.map((name) => values[name]) } : { row, malformed: 'malformed-row: not a JSON object' });
          }
        }
        return out;
      };
      const replay = ahead;
      ahead = [];
      for (const batch of replay) yield toRows(batch);
      for (;;) {
        const next = await lines.next();
        if (next.done) break;
        yield toRows(next.value);
      }
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

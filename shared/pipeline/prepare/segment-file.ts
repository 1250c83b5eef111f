/** What a segment blob's name says about it: `segments/<segment>/<anything>.csv|.jsonl[.gz]`. */
export interface SegmentFileFormat {
  format: 'csv' | 'jsonl';
  gzip: boolean;
}

/** Which files count as segment files, in words, for reasons and logs that name what was ignored. */
export const SEGMENT_FILE_KINDS = '.csv, .jsonl or .ndjson, optionally gzipped (.gz)';

export function segmentFileFormat(blobName: string): SegmentFileFormat | undefined {
  const match = /\.(csv|jsonl|ndjson)(\.gz)?$/i.exec(blobName);
  if (!match) return undefined;
  return { format: match[1]!.toLowerCase() === 'csv' ? 'csv' : 'jsonl', gzip: Boolean(match[2]) };
}

/** Splits `<segment>/<file>` (the path inside the segments container). */
export function parseSegmentBlobName(blobName: string): { segment: string; file: string } | undefined {
  const slash = blobName.indexOf('/');
  if (slash <= 0 || slash === blobName.length - 1) return undefined;
  return { segment: blobName.slice(0, slash), file: blobName.slice(slash + 1) };
}

/** A segment file that cannot be prepared at all (a file problem, not a row problem): the segment fails with `reason`. */
export class SegmentFileError extends Error {
  readonly reason: string;
  constructor(reason: string) {
    const clean = oneLine(reason);
    super(clean);
    this.reason = clean;
    this.name = 'SegmentFileError';
  }
}

const MAX_REASON = 300;

/** Reasons end up in run records and reports: one line, bounded, whatever the file held. */
export function oneLine(text: string, max = MAX_REASON): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const MAX_COLUMNS_KEPT = 100;
const MAX_COLUMN_NAME = 128;

/**
 * What the catalog and an activity's output keep of a header: at most 100 columns, names
 * cut at 128 characters. A header is bounded (MAX_HEADER_BYTES) but a table property and
 * an orchestration message are smaller still; `truncated` says the list is not whole.
 */
export function boundColumns(columns: string[]): { columns: string[]; truncated: boolean } {
  const truncated = columns.length > MAX_COLUMNS_KEPT || columns.some((c) => c.length > MAX_COLUMN_NAME);
  if (!truncated) return { columns, truncated };
  return { columns: columns.slice(0, MAX_COLUMNS_KEPT).map((c) => c.slice(0, MAX_COLUMN_NAME)), truncated };
}

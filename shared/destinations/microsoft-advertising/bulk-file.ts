import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import yauzl from 'yauzl';
import yazl from 'yazl';
import type { BulkAction, BulkItem, BulkItemError } from '../types.js';

/**
 * The Bulk service's upload file for one Customer List (docs/destinations.md, "Bulk"): a
 * CSV, UTF-8 with a byte-order mark, of a header, a `Format Version` row, one `Customer
 * List` row naming the audience and the action, then one `Customer List Item` row per
 * member, zipped. And the reading of its result file: the error rows, by Client Id.
 */
export const BULK_COLUMNS = [
  'Type',
  'Status',
  'Id',
  'Parent Id',
  'Client Id',
  'Modified Time',
  'Name',
  'Description',
  'Scope',
  'Audience',
  'Action Type',
  'Sub Type',
  'Text',
  'Accept Customer Match Term',
] as const;
export const BULK_FORMAT_VERSION = '6.0';
/** The name of the CSV inside the zip; the service takes any name, but exactly one file. */
export const BULK_CSV_NAME = 'customer-list.csv';
/** The service's limits on one upload file. */
export const BULK_MAX_ROWS = 4_000_000;
export const BULK_MAX_FILE_BYTES = 100 * 1024 * 1024;

const ACTION_TYPE: Record<BulkAction, string> = { add: 'Add', remove: 'Remove', replace: 'Replace' };
const column = Object.fromEntries(BULK_COLUMNS.map((name, index) => [name, index])) as Record<(typeof BULK_COLUMNS)[number], number>;

function row(values: Partial<Record<(typeof BULK_COLUMNS)[number], string>>): string {
  const fields: string[] = new Array<string>(BULK_COLUMNS.length).fill('');
  for (const [name, value] of Object.entries(values)) fields[column[name as keyof typeof column]] = csvField(value ?? '');
  return fields.join(',');
}

const csvField = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

export interface BulkFileSpec {
  audienceId: string;
  action: BulkAction;
  /** `Accept Customer Match Term` on the Customer List row; unset leaves the column empty (terms accepted in the UI). */
  acceptTerms?: boolean;
}

/** Rows are gathered into chunks of about this many characters: one write per chunk, not per row. */
const CHUNK_CHARS = 64 * 1024;

/**
 * The CSV as text chunks, pulled one at a time from `items` (memory stays flat whatever
 * the count). `counted.items` says how many item rows went out once the stream ends.
 */
export function bulkCsv(spec: BulkFileSpec, items: AsyncIterable<BulkItem> | Iterable<BulkItem>, counted: { items: number } = { items: 0 }): AsyncIterable<string> {
  return (async function* () {
    let chunk = '\uFEFF' + BULK_COLUMNS.join(',') + '\r\n';
    chunk += row({ Type: 'Format Version', Name: BULK_FORMAT_VERSION }) + '\r\n';
    chunk += row({
      Type: 'Customer List',
      Id: spec.audienceId,
      'Action Type': ACTION_TYPE[spec.action],
      ...(spec.acceptTerms === undefined ? {} : { 'Accept Customer Match Term': spec.acceptTerms ? 'True' : 'False' }),
    }) + '\r\n';
    for await (const item of items) {
      counted.items++;
      chunk += row({ Type: 'Customer List Item', 'Parent Id': spec.audienceId, 'Client Id': item.clientId, 'Sub Type': 'Email', Text: item.memberId }) + '\r\n';
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk !== '') yield chunk;
  })();
}

/**
 * Writes the upload file (the zip) to `path`, the CSV deflated as it is generated, and
 * says how large it is and how many rows it has. Deflate level 1: hex digests hardly
 * compress further at higher levels, and the time is the upload's.
 */
export async function writeBulkZip(
  path: string,
  spec: BulkFileSpec,
  items: AsyncIterable<BulkItem> | Iterable<BulkItem>,
): Promise<{ bytes: number; items: number; rows: number }> {
  const counted = { items: 0 };
  const zip = new yazl.ZipFile();
  // Buffers, not strings: yazl's CRC and deflate take bytes.
  const csv = Readable.from(
    (async function* () {
      for await (const chunk of bulkCsv(spec, items, counted)) yield Buffer.from(chunk, 'utf8');
    })(),
  );
  zip.addReadStream(csv, BULK_CSV_NAME, { compressionLevel: 1 });
  zip.end();
  const out = createWriteStream(path);
  // A failure reading the items (storage) surfaces on the CSV stream: the zip is abandoned.
  const failed = new Promise<never>((_, reject) => csv.once('error', reject));
  try {
    await Promise.race([pipeline(zip.outputStream, out), failed]);
  } catch (error) {
    (zip.outputStream as Readable).destroy();
    out.destroy();
    throw error;
  }
  return { bytes: out.bytesWritten, items: counted.items, rows: counted.items + 2 };
}

/**
 * Reads a result file (a zip with one CSV, or the CSV itself) and returns its errors:
 * `Customer List Item Error` rows by the Client Id they echo, and `Customer List Error`
 * rows (about the list itself: no Client Id) apart. Only error rows are kept, so memory
 * follows the errors, not the upload.
 */
export async function readBulkResult(path: string): Promise<{ itemErrors: BulkItemError[]; listErrors: string[] }> {
  const csv = (await isZip(path)) ? await openSingleEntry(path) : createReadStream(path);
  const itemErrors: BulkItemError[] = [];
  const listErrors: string[] = [];
  const parser = csv.pipe(parse({ bom: true, columns: true, relax_column_count: true, skip_empty_lines: true }));
  for await (const record of parser as AsyncIterable<Record<string, string | undefined>>) {
    const type = record.Type ?? '';
    if (type === 'Customer List Item Error') {
      itemErrors.push({ clientId: record['Client Id'] ?? '', reason: describeError(record) });
    } else if (type === 'Customer List Error') {
      listErrors.push(describeError(record));
    }
  }
  return { itemErrors, listErrors };
}

/** `Error Number` and `Error` as the result file gives them: `8007 CustomerListItemInvalid`. */
function describeError(record: Record<string, string | undefined>): string {
  return [record['Error Number'], record.Error].filter((part) => part !== undefined && part !== '').join(' ') || 'error without a message';
}

async function isZip(path: string): Promise<boolean> {
  const stream = createReadStream(path, { start: 0, end: 3 });
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).readUInt32LE(0) === 0x04034b50;
}

/** The one file in a zip, as a stream; a zip with none or several is not a result file. */
function openSingleEntry(path: string): Promise<Readable> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error('cannot open the result file'));
      if (zip.entryCount !== 1) {
        zip.close();
        return reject(new Error(`the result file holds ${zip.entryCount} files, expected 1`));
      }
      zip.once('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => (streamError || !stream ? reject(streamError ?? new Error('unreadable entry')) : resolve(stream)));
      });
      zip.once('error', reject);
      zip.readEntry();
    });
  });
}

import type { ContainerClient } from '@azure/storage-blob';
import type { DataMatching } from '../domain/export.js';
import type { ProfileRecord } from '../destinations/types.js';
import { BlobLineWriter } from './blob-line-writer.js';
import { FingerprintSet } from './fingerprint-set.js';
import { normalizeEmail, normalizeName } from './normalize.js';
import { addressHash } from '../privacy/address-hash.js';
import { ReportWriter } from './report.js';
import { readSegmentRows } from './segment-reader.js';
import { segmentFileFormat } from './segment-file.js';
import { workFileName, type WorkFileRef } from './work-files.js';

export interface PrepareSegmentInput {
  runId: string;
  segmentIndex: number;
  segment: string;
  /** Blob name inside the segments container (`<segment>/<file>`). */
  blobName: string;
  dataMatching: DataMatching;
  recordsPerWorkFile: number;
  /** Address hashes on the suppression list: such rows are never sent. */
  suppressed?: ReadonlySet<string>;
}

export interface PreparedSegment {
  segment: string;
  segmentIndex: number;
  blobName: string;
  columns: string[];
  read: number;
  valid: number;
  invalid: number;
  duplicate: number;
  suppressed: number;
  workFiles: WorkFileRef[];
}

/** The segment cannot be prepared at all (a file problem, not a row problem): the segment fails with `reason`. */
export class SegmentFileError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'SegmentFileError';
  }
}

export interface PrepareContainers {
  segments: ContainerClient;
  work: ContainerClient;
  reports: ContainerClient;
}

/**
 * One segment file to work files: streams the rows, picks the mapped fields, normalizes
 * and validates emails, drops invalid and duplicate rows into the run's rejected-rows
 * report, and writes the valid profiles as work files of `recordsPerWorkFile` records.
 * Memory is flat in the file size but for the de-duplication fingerprints (8-16 bytes a
 * distinct address).
 */
export async function prepareSegment(containers: PrepareContainers, input: PrepareSegmentInput): Promise<PreparedSegment> {
  const format = segmentFileFormat(input.blobName);
  if (!format) throw new SegmentFileError(`unsupported-file: ${input.blobName} is not .csv, .jsonl or .ndjson (optionally .gz)`);

  const blob = containers.segments.getBlobClient(input.blobName);
  let body: NodeJS.ReadableStream;
  try {
    body = (await blob.download()).readableStreamBody!;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) throw new SegmentFileError(`file-not-found: ${input.blobName}`);
    throw error;
  }
  const reader = readSegmentRows(body as import('node:stream').Readable, format);
  let columns: string[];
  try {
    columns = await reader.columns();
  } catch (error) {
    throw isFileProblem(error) ? new SegmentFileError(`unreadable-file: ${(error as Error).message}`) : error;
  }
  const { email: emailColumn, firstName: firstNameColumn, lastName: lastNameColumn } = input.dataMatching;
  // CSV has a header: a mapped column that is not there fails the segment up front. JSON
  // Lines rows may omit keys, so there only the email key is required, of some row.
  if (format.format === 'csv') {
    const missing = [emailColumn, firstNameColumn, lastNameColumn].filter((c): c is string => Boolean(c) && !columns.includes(c!));
    if (missing.length > 0) {
      throw new SegmentFileError(`missing-column: ${missing.join(', ')} not in the file's header (${columns.join(', ') || 'empty'})`);
    }
  }

  const result: PreparedSegment = {
    segment: input.segment,
    segmentIndex: input.segmentIndex,
    blobName: input.blobName,
    columns,
    read: 0,
    valid: 0,
    invalid: 0,
    duplicate: 0,
    suppressed: 0,
    workFiles: [],
  };
  // Hashing every row costs; with nobody suppressed there is nothing to look up.
  const suppressed = input.suppressed && input.suppressed.size > 0 ? input.suppressed : undefined;
  const report = new ReportWriter(containers.reports, input.runId, `${String(input.segmentIndex).padStart(3, '0')}-prepare`);
  const seen = new FingerprintSet();
  let workFile: BlobLineWriter | undefined;
  const closing: Promise<void>[] = [];
  let sawEmailKey = false;

  const closeWorkFile = () => {
    const file = workFile!;
    workFile = undefined;
    // Finishing an upload overlaps with reading the next rows; results are gathered at the end.
    const ref: WorkFileRef = { name: file.blobName, records: file.lines };
    result.workFiles.push(ref);
    closing.push(file.close().then(() => undefined));
  };

  try {
    for await (const row of reader.rows()) {
      result.read++;
      if ('malformed' in row) {
        result.invalid++;
        await report.add({ segment: input.segment, row: row.row, reason: row.malformed });
        continue;
      }
      const raw = row.values[emailColumn];
      if (raw !== undefined) sawEmailKey = true;
      const email = normalizeEmail(raw);
      if (!email.ok) {
        result.invalid++;
        await report.add({ segment: input.segment, row: row.row, reason: email.reason, value: printable(raw) });
        continue;
      }
      if (suppressed?.has(addressHash(email.email))) {
        // The report names the row, never the address of someone who opted out.
        result.suppressed++;
        await report.add({ segment: input.segment, row: row.row, reason: 'suppressed' });
        continue;
      }
      if (!seen.add(email.email)) {
        result.duplicate++;
        await report.add({ segment: input.segment, row: row.row, reason: 'duplicate', value: email.email });
        continue;
      }
      result.valid++;
      const record: ProfileRecord = { row: row.row, email: email.email };
      const firstName = firstNameColumn ? normalizeName(row.values[firstNameColumn]) : undefined;
      const lastName = lastNameColumn ? normalizeName(row.values[lastNameColumn]) : undefined;
      if (firstName) record.firstName = firstName;
      if (lastName) record.lastName = lastName;
      workFile ??= new BlobLineWriter(containers.work, workFileName(input.runId, input.segmentIndex, result.workFiles.length + 1));
      const flushing = workFile.write(JSON.stringify(record));
      if (flushing) await flushing;
      if (workFile.lines >= input.recordsPerWorkFile) closeWorkFile();
    }
    if (workFile) closeWorkFile();
    await Promise.all(closing);
    await report.close();
  } catch (error) {
    workFile?.abort(error as Error);
    report.abort(error as Error);
    throw isFileProblem(error) ? new SegmentFileError(`unreadable-file: ${(error as Error).message}`) : error;
  }

  if (format.format === 'jsonl' && result.read > 0 && !sawEmailKey) {
    throw new SegmentFileError(`missing-column: no row has the key ${emailColumn}`);
  }
  return result;
}

/** Parse and decompression errors are the file's fault; anything else (storage) may pass on retry. */
function isFileProblem(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('CSV_') || code.startsWith('Z_') || code === 'ERR_INVALID_CHAR');
}

function printable(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

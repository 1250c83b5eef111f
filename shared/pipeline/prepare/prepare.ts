import type { ContainerClient } from '@azure/storage-blob';
import type { DataMatching } from '../../domain/export.js';
import { identifierNames, type IdentifierName, type ProfileRecord } from '../../destinations/types.js';
import { identify, type IdentifyPlan } from './identify.js';
import { BlobLineWriter } from '../run-files/blob-line-writer.js';
import { FingerprintSet } from './fingerprint-set.js';
import { normalizeEmail, normalizeName } from './normalize.js';
import { addressHash } from '../../privacy/address-hash.js';
import { ReportWriter } from '../run-files/report.js';
import { readSegmentRows } from '../read/segment-reader.js';
import { boundColumns, oneLine, SegmentFileError, segmentFileFormat } from './segment-file.js';
import { workFileName, type WorkFileRef } from '../run-files/work-files.js';

export { SegmentFileError };

const WORK_FILES_IN_FLIGHT = 3;

export interface PrepareSegmentInput {
  runId: string;
  segmentIndex: number;
  segment: string;
  /** Blob name inside the segments container (`<segment>/<file>`). */
  blobName: string;
  dataMatching: DataMatching;
  recordsPerWorkFile: number;
  /**
   * The destination's match sets (`Destination.identifiers.matchSets`). Absent, or email
   * alone, is the email path every destination took before phones and names could match.
   */
  matchSets?: IdentifierName[][];
  /** The export's `defaultCountry`: where phones written without a country code are. */
  defaultCountry?: string;
  /** Address hashes on the suppression list: such rows are never sent. */
  suppressed?: ReadonlySet<string>;
  /** Read this version of the blob (its ETag) or fail: another read of the file must see the same bytes. */
  etag?: string;
}

export interface PreparedSegment {
  segment: string;
  segmentIndex: number;
  blobName: string;
  /** The file's columns, bounded (boundColumns): the activity's output stays small whatever the header. */
  columns: string[];
  read: number;
  valid: number;
  invalid: number;
  duplicate: number;
  suppressed: number;
  workFiles: WorkFileRef[];
  /**
   * The file failed the segment after rows were read (a mapped column missing, a file cut
   * short): the counts stand, every row read is in the report or a work file, and the run
   * lists the work files' rows with this reason.
   */
  fileFailure?: string;
}

/**
 * Told of each work file as it is finished (its upload under way), with its records, so
 * they can be sent before the segment is prepared (sync/send-while-preparing.ts).
 */
export type WorkFileListener = (file: WorkFileRef, records: ProfileRecord[], validSoFar: number) => void;

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
export async function prepareSegment(containers: PrepareContainers, input: PrepareSegmentInput, onWorkFile?: WorkFileListener): Promise<PreparedSegment> {
  const format = segmentFileFormat(input.blobName);
  if (!format) throw new SegmentFileError(`unsupported-file: ${input.blobName} is not .csv, .jsonl or .ndjson (optionally .gz)`);

  const blob = containers.segments.getBlobClient(input.blobName);
  let body: import('node:stream').Readable;
  try {
    body = (await blob.download(0, undefined, input.etag ? { conditions: { ifMatch: input.etag } } : {})).readableStreamBody as import('node:stream').Readable;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) throw new SegmentFileError(`file-not-found: ${input.blobName}`);
    throw error;
  }
  const reader = readSegmentRows(body, format);
  let columns: string[];
  try {
    columns = await reader.columns();
  } catch (error) {
    body.destroy();
    throw fileProblem(error);
  }
  const { email: emailColumn, firstName: firstNameColumn, lastName: lastNameColumn } = input.dataMatching;
  const general = generalPlan(input);
  // CSV has a header: a mapped column that is not there fails the segment up front. JSON
  // Lines rows may omit keys, so there only the email key is required, of some row.
  let missingColumn: string | undefined;
  if (format.format === 'csv') {
    const mappedColumns = general ? general.columns : [emailColumn, firstNameColumn, lastNameColumn];
    const missing = mappedColumns.filter((c): c is string => Boolean(c) && !columns.includes(c!));
    // SegmentFileError keeps the reason to one bounded line, however long the header. The
    // rows are still read, each reported, so the run accounts for every one of them.
    if (missing.length > 0) missingColumn = new SegmentFileError(`missing-column: ${missing.join(', ')} not in the file's header (${columns.join(', ') || 'empty'})`).reason;
  }

  const result: PreparedSegment = {
    segment: input.segment,
    segmentIndex: input.segmentIndex,
    blobName: input.blobName,
    columns: boundColumns(columns).columns,
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
  let records: ProfileRecord[] = [];
  const closing: Promise<void>[] = [];
  let uploading: Promise<void>[] = [];
  let sawEmailKey = false;

  // Finishing an upload overlaps with reading the next rows; results are gathered at the
  // end. At most WORK_FILES_IN_FLIGHT at once: when storage lags, reading waits for it
  // rather than holding ever more finished files in memory.
  const closeWorkFile = (): Promise<void> | undefined => {
    const file = workFile!;
    workFile = undefined;
    const ref: WorkFileRef = { name: file.blobName, records: file.lines };
    result.workFiles.push(ref);
    const upload = file.close().then(() => undefined);
    // Awaited below; a failure while the loop stops for another reason must not go unhandled.
    upload.catch(() => undefined);
    closing.push(upload);
    uploading.push(upload);
    if (onWorkFile) {
      onWorkFile(ref, records, result.valid);
      records = [];
    }
    if (uploading.length < WORK_FILES_IN_FLIGHT) return undefined;
    const oldest = uploading[0]!;
    return oldest.then(() => {
      uploading = uploading.filter((p) => p !== oldest);
    });
  };

  const select = general ? general.columns : [emailColumn, firstNameColumn, lastNameColumn].filter((c): c is string => Boolean(c));
  const firstAt = firstNameColumn ? 1 : -1;
  const lastAt = lastNameColumn ? select.length - 1 : -1;
  try {
    // Rows come a batch per chunk read: the loop below costs no promise per row, only when a
    // work file or the report has a full buffer to hand to its upload.
    for await (const batch of reader.batches(select)) {
      for (const row of batch) {
        result.read++;
        if (missingColumn) {
          result.invalid++;
          const flushing = report.add({ segment: input.segment, row: row.row, reason: 'missing-column' });
          if (flushing) await flushing;
          continue;
        }
        if ('malformed' in row) {
          result.invalid++;
          const flushing = report.add({ segment: input.segment, row: row.row, reason: row.malformed });
          if (flushing) await flushing;
          continue;
        }
        if (general) {
          if (!sawEmailKey && row.values.some((value) => value !== undefined)) sawEmailKey = true;
          const found = identify(row.values, general);
          if (!found.ok) {
            result.invalid++;
            const flushing = report.add({ segment: input.segment, row: row.row, reason: found.reason, value: printable(found.value) });
            if (flushing) await flushing;
            continue;
          }
          if (found.profile.email !== undefined && suppressed?.has(addressHash(found.profile.email))) {
            result.suppressed++;
            const flushing = report.add({ segment: input.segment, row: row.row, reason: 'suppressed' });
            if (flushing) await flushing;
            continue;
          }
          if (!seen.add(found.key)) {
            result.duplicate++;
            const flushing = report.add({ segment: input.segment, row: row.row, reason: 'duplicate', value: found.key });
            if (flushing) await flushing;
            continue;
          }
          result.valid++;
          // Sent, and counted valid, without what could not be used: the report says so.
          for (const dropped of found.dropped) {
            const flushing = report.add({ segment: input.segment, row: row.row, reason: `identifier-dropped: ${dropped.name} (${dropped.reason})`, value: printable(dropped.value) });
            if (flushing) await flushing;
          }
          const record: ProfileRecord = { row: row.row, ...found.profile };
          workFile ??= new BlobLineWriter(containers.work, workFileName(input.runId, input.segmentIndex, result.workFiles.length + 1));
          if (onWorkFile) records.push(record);
          const flushing = workFile.write(recordLine(record));
          if (flushing) await flushing;
          if (workFile.lines >= input.recordsPerWorkFile) {
            const waiting = closeWorkFile();
            if (waiting) await waiting;
          }
          continue;
        }
        const raw = row.values[0];
        if (raw !== undefined) sawEmailKey = true;
        const email = normalizeEmail(raw);
        if (!email.ok) {
          result.invalid++;
          const flushing = report.add({ segment: input.segment, row: row.row, reason: email.reason, value: printable(raw) });
          if (flushing) await flushing;
          continue;
        }
        if (suppressed?.has(addressHash(email.email))) {
          // The report names the row, never the address of someone who opted out.
          result.suppressed++;
          const flushing = report.add({ segment: input.segment, row: row.row, reason: 'suppressed' });
          if (flushing) await flushing;
          continue;
        }
        if (!seen.add(email.email)) {
          result.duplicate++;
          const flushing = report.add({ segment: input.segment, row: row.row, reason: 'duplicate', value: email.email });
          if (flushing) await flushing;
          continue;
        }
        result.valid++;
        const firstName = firstAt > 0 ? normalizeName(row.values[firstAt]) : undefined;
        const lastName = lastAt > 0 ? normalizeName(row.values[lastAt]) : undefined;
        workFile ??= new BlobLineWriter(containers.work, workFileName(input.runId, input.segmentIndex, result.workFiles.length + 1));
        if (onWorkFile) records.push({ row: row.row, email: email.email, ...(firstName ? { firstName } : {}), ...(lastName ? { lastName } : {}) });
        const flushing = workFile.write(profileLine(row.row, email.email, firstName, lastName));
        if (flushing) await flushing;
        if (workFile.lines >= input.recordsPerWorkFile) {
          const waiting = closeWorkFile();
          if (waiting) await waiting;
        }
      }
    }
    if (workFile) closeWorkFile();
    // The last work files and the report finish together: one wait for storage, not two.
    await Promise.all([...closing, report.close()]);
  } catch (error) {
    // The reader stopped early (a header too long, a corrupt gzip): stop the download too.
    body.destroy();
    const problem = fileProblem(error);
    if (!(problem instanceof SegmentFileError) || result.read === 0) {
      workFile?.abort(error as Error);
      report.abort(error as Error);
      throw problem;
    }
    // The file's fault, after some rows: keep what was read, so every row is accounted for.
    if (workFile) closeWorkFile();
    await Promise.all([...closing, report.close()]);
    return { ...result, fileFailure: problem.reason };
  }
  if (missingColumn) return { ...result, fileFailure: missingColumn };

  if (format.format === 'jsonl' && result.read > 0 && !sawEmailKey) {
    // Every row is in the report already (missing-email): the counts stand.
    const keys = general ? general.columns.join(', ') : emailColumn;
    return { ...result, fileFailure: new SegmentFileError(`missing-column: no row has the key ${keys}`).reason };
  }
  return result;
}

/**
 * One work file line: the NDJSON of a ProfileRecord (`{row,email,firstName?,lastName?}`),
 * written out directly rather than through an object and JSON.stringify, which took a
 * tenth of the preparation time. Strings still go through JSON.stringify for escaping.
 */
export function profileLine(row: number, email: string, firstName?: string, lastName?: string): string {
  let line = '{"row":' + row + ',"email":' + jsonString(email);
  if (firstName) line += ',"firstName":' + jsonString(firstName);
  if (lastName) line += ',"lastName":' + jsonString(lastName);
  return line + '}';
}

/**
 * A work file line of any profile: the fields of profileLine first, in its order (so an
 * email-only profile is the same line), then the other identifiers.
 */
export function recordLine(record: ProfileRecord): string {
  let line = '{"row":' + record.row;
  for (const name of LINE_ORDER) {
    const value = record[name];
    if (value !== undefined) line += ',"' + name + '":' + jsonString(value);
  }
  return line + '}';
}

const LINE_ORDER: readonly IdentifierName[] = ['email', 'firstName', 'lastName', ...identifierNames.filter((name) => name !== 'email' && name !== 'firstName' && name !== 'lastName')];

/** The general path's plan, or undefined for a destination that matches on the email alone. */
function generalPlan(input: PrepareSegmentInput): IdentifyPlan | undefined {
  const sets = input.matchSets;
  const names = identifierNames.filter((name) => input.dataMatching[name]);
  // The original path reads the email and the names only: an export that maps more beside the
  // email (Ortto's phone, normalized to E.164 like any phone) takes this one.
  const namesOnly = names.every((name) => name === 'email' || name === 'firstName' || name === 'lastName');
  if (!sets || (sets.length === 1 && sets[0]!.length === 1 && sets[0]![0] === 'email' && namesOnly)) return undefined;
  return {
    names,
    columns: names.map((name) => input.dataMatching[name]!),
    matchSets: sets,
    ...(input.defaultCountry ? { defaultCountry: input.defaultCountry } : {}),
  };
}

// Emails and names hold no control characters (normalize.ts): only a quote or a backslash needs escaping.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029]/;
const jsonString = (text: string) => (NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : '"' + text + '"');

/**
 * The file's fault, with its reason (a header too long, a corrupt gzip), or anything else
 * (storage), thrown again as it is since it may pass on retry.
 */
function fileProblem(error: unknown): unknown {
  if (error instanceof SegmentFileError) return error;
  const code = (error as { code?: unknown }).code;
  const isFiles = typeof code === 'string' && (code.startsWith('Z_') || code === 'ERR_INVALID_CHAR');
  return isFiles ? new SegmentFileError(`unreadable-file: ${oneLine((error as Error).message)}`) : error;
}

/** A rejected value as the report shows it: control characters spelled out (`\u0000`), at most 300 characters. */
function printable(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value.slice(0, 301) : JSON.stringify(value).slice(0, 301);
  // eslint-disable-next-line no-control-regex
  const shown = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return shown.length > 300 ? `${shown.slice(0, 300)}…` : shown;
}

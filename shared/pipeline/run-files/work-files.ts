import type { ContainerClient } from '@azure/storage-blob';
import type { ProfileRecord } from '../../destinations/types.js';
import { readWholeBlob } from '../../storage/read-blob.js';

/** A work file: one upload activity's share of a segment, as NDJSON of ProfileRecord (or member ids, one a line, for removals). */
export interface WorkFileRef {
  name: string;
  records: number;
}

/**
 * A part of a work file: `records` lines from line `skip` on (default 0), `take` of them
 * when set. Uploads resume a slice where a failure stopped them by moving `skip` on.
 */
export interface WorkFileSlice {
  name: string;
  records: number;
  take?: number;
  skip?: number;
}

/** The rest of a slice after its first `done` records. */
export function sliceRest(slice: WorkFileSlice, done: number): WorkFileSlice {
  return {
    name: slice.name,
    records: slice.records - done,
    skip: (slice.skip ?? 0) + done,
    ...(slice.take !== undefined ? { take: slice.take - done } : {}),
  };
}

/**
 * What of a segment's membership is still to send, given parts delivered already (each the
 * first `records` records of its file): whole slices, or the rest of a slice.
 */
export function undelivered(membership: WorkFileSlice[], delivered: WorkFileSlice[] = []): WorkFileSlice[] {
  const done = new Map(delivered.map((slice) => [slice.name, slice.records]));
  return membership.flatMap((slice) => {
    const sent = Math.min(done.get(slice.name) ?? 0, slice.records);
    if (sent === 0) return [slice];
    return sent === slice.records ? [] : [sliceRest(slice, sent)];
  });
}

/** `<run>/<seg>/<00001>.ndjson` → `00001`, plus the cut, so two slices of one file never share a name. */
export const sliceTag = (slice: WorkFileSlice) =>
  `${slice.name.split('/').pop()!.replace(/\.(ndjson|txt)$/, '')}${slice.skip ? `s${slice.skip}` : ''}`;

function cut<T>(items: T[], slice: WorkFileSlice): T[] {
  const start = slice.skip ?? 0;
  return items.slice(start, slice.take !== undefined ? start + slice.take : undefined);
}

export async function readSlice(container: ContainerClient, slice: WorkFileSlice): Promise<ProfileRecord[]> {
  return (await openSlice(container, slice)).slice(0);
}

/** Records in order, by position: an array, or a slice of a work file parsed as it is read. */
export interface RecordList {
  readonly length: number;
  slice(start: number, end?: number): ProfileRecord[];
}

/**
 * A slice's records, each parsed only when asked for. A paced send step often sends one
 * batch of a 10,000-record file before its turn at the rate runs out and comes back for the
 * next in another activity: parsing the whole file each time cost that step (and the host's
 * heap) the file's size for every batch.
 */
export async function openSlice(container: ContainerClient, slice: WorkFileSlice): Promise<RecordList> {
  const body = await readWholeBlob(container.getBlockBlobClient(slice.name));
  return parsedOnDemand(body, slice);
}

/** A work file's lines, by position: each as text, its email read straight off the line, or parsed whole. */
export interface WorkFileLines extends RecordList {
  text(position: number): string;
  /**
   * The line's email, read without parsing the line: preparation writes `{"row":N,"email":"…"`
   * first. Undefined when the line has no email there, or one written with escapes (parse it).
   */
  email(position: number): string | undefined;
}

/** A slice's lines, for a pass that needs each member's email or line rather than its record (planning). */
export async function openSliceLines(container: ContainerClient, slice: WorkFileSlice): Promise<WorkFileLines> {
  return parsedOnDemand(await readWholeBlob(container.getBlockBlobClient(slice.name)), slice);
}

const ROW_PREFIX = Buffer.from('{"row":');
const EMAIL_KEY = Buffer.from(',"email":"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The slice's lines of an NDJSON body (blank lines skipped), parsed as they are sliced. */
export function parsedOnDemand(body: Buffer, slice: Pick<WorkFileSlice, 'skip' | 'take'> = {}): WorkFileLines {
  const skip = slice.skip ?? 0;
  const starts: number[] = [];
  const ends: number[] = [];
  let line = 0;
  for (let at = 0; at < body.length && (slice.take === undefined || starts.length < slice.take); ) {
    const newline = body.indexOf(10, at);
    const end = newline === -1 ? body.length : newline;
    if (end > at) {
      if (line >= skip) {
        starts.push(at);
        ends.push(end);
      }
      line++;
    }
    at = end + 1;
  }
  return {
    length: starts.length,
    slice(start, end = starts.length) {
      const records: ProfileRecord[] = [];
      for (let i = Math.max(0, start); i < Math.min(end, starts.length); i++) records.push(JSON.parse(body.toString('utf8', starts[i], ends[i])) as ProfileRecord);
      return records;
    },
    text: (position) => body.toString('utf8', starts[position], ends[position]),
    email(position) {
      const start = starts[position]!;
      const end = ends[position]!;
      if (end - start < ROW_PREFIX.length || body.compare(ROW_PREFIX, 0, ROW_PREFIX.length, start, start + ROW_PREFIX.length) !== 0) return undefined;
      let at = start + ROW_PREFIX.length;
      while (at < end && body[at]! >= 0x30 && body[at]! <= 0x39) at++;
      if (end - at < EMAIL_KEY.length || body.compare(EMAIL_KEY, 0, EMAIL_KEY.length, at, at + EMAIL_KEY.length) !== 0) return undefined;
      const from = at + EMAIL_KEY.length;
      for (let k = from; k < end; k++) {
        if (body[k] === BACKSLASH) return undefined;
        if (body[k] === QUOTE) return body.toString('utf8', from, k);
      }
      return undefined;
    },
  };
}

/** A removal work file: member ids, one a line. */
export async function readIdSlice(container: ContainerClient, slice: WorkFileSlice): Promise<string[]> {
  const body = await readWholeBlob(container.getBlockBlobClient(slice.name));
  return cut(body.toString('utf8').split('\n').filter((line) => line !== ''), slice);
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export const workFilePrefix = (runId: string) => `${runId}/`;

export const workFileName = (runId: string, segmentIndex: number, fileIndex: number) =>
  `${runId}/${pad(segmentIndex, 3)}/${pad(fileIndex, 5)}.ndjson`;

/** Work files are bounded (recordsPerWorkFile), so reading one whole is fine. */
export async function readWorkFile(container: ContainerClient, name: string): Promise<ProfileRecord[]> {
  const body = await readWholeBlob(container.getBlockBlobClient(name));
  const records: ProfileRecord[] = [];
  for (const line of body.toString('utf8').split('\n')) {
    if (line !== '') records.push(JSON.parse(line) as ProfileRecord);
  }
  return records;
}

/** Removes a run's work files once the run has recorded its outcome. */
export async function deleteWorkFiles(container: ContainerClient, runId: string): Promise<number> {
  let deleted = 0;
  for await (const blob of container.listBlobsFlat({ prefix: workFilePrefix(runId) })) {
    await container.deleteBlob(blob.name).catch(() => undefined);
    deleted++;
  }
  return deleted;
}

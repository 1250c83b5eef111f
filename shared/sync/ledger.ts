import { gunzip, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import { EntryLines } from './entry-lines.js';
import { entryParts, packedBytes, sortedDigests, sortedEntries, sortedIds, storedLines, type SortedIds } from './sorted-ids.js';
import { readWholeBlob } from '../storage/read-blob.js';

export { sortedIds, type SortedIds };

/**
 * The membership ledger of one export's segment at one audience: the member ids the
 * destination confirmed holding, exactly as they were sent (SHA-256 for Microsoft
 * Advertising, the normalized email for the other email-only destinations, an entry of
 * every identifier sent where a destination matches on more), plus the removals still owed.
 *
 * It never claims more than the audience holds: members enter only after the destination
 * confirmed them, and members who are about to be removed move to `pendingRemovals` before
 * the removal is sent, so a crash between the two leaves a removal owed, not a false member.
 */
export interface Ledger {
  /** The audience these ids are held by; a different audience id means the ledger is void. */
  audienceId: string;
  /** Member ids the audience holds. */
  members: SortedIds;
  /** Member ids to remove (sent, or about to be sent, but not confirmed). */
  pendingRemovals: SortedIds;
  updatedAt: string;
}

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export const ledgerBlobName = (exportId: string, segment: string) => `${exportId}/${encodeURIComponent(segment)}.ledger.gz`;
/** Removals owed since the ledger was last written: a small blob beside it, folded in when the ledger is read. */
export const owedBlobName = (exportId: string, segment: string) => `${exportId}/${encodeURIComponent(segment)}.owed.txt`;
/**
 * The texts of a ledger of entries, in its digests' order: one blob per version, named in
 * the ledger's header, so the ledger and its texts change together when the ledger (one
 * atomic upload) does.
 */
const entriesBlobPrefix = (exportId: string, segment: string) => `${exportId}/${encodeURIComponent(segment)}.entries-`;
const ENTRIES_VERSION = /^[0-9a-f]{16}\.gz$/;

/**
 * Formats, each a header line (JSON: the counts, the audience) and then the members and the
 * pending removals, in order:
 *
 * - emails: gzip of the header and the ids, one a line (sorted ids compress well);
 * - SHA-256 ids (Customer Match): the header (`encoding: sha256`) and the digests as their
 *   32 bytes, uncompressed;
 * - entries (`encoding: sha256-entries`, destinations that match on more than an email): the
 *   same, the digests being those of the entries' texts, and the texts, one a line in the
 *   same order, in a side blob (gzip) that the header names.
 *
 * Written whole in one upload (a block blob upload is atomic: readers see the old or the new
 * ledger; entries' texts go first, under a new name, and the old texts are deleted after),
 * then the owed removals it now includes are dropped.
 */
export async function writeLedger(container: ContainerClient, exportId: string, segment: string, ledger: Ledger): Promise<void> {
  const counts = {
    version: 1,
    audienceId: ledger.audienceId,
    members: ledger.members.length,
    pendingRemovals: ledger.pendingRemovals.length,
    updatedAt: ledger.updatedAt,
  };
  const members = packedBytes(ledger.members);
  const pending = packedBytes(ledger.pendingRemovals);
  const memberEntries = entryParts(ledger.members);
  const pendingEntries = entryParts(ledger.pendingRemovals);
  let body: Buffer;
  let texts: string | undefined;
  if (members && pending && members.length + pending.length > 0) {
    // SHA-256 ids (Customer Match) stored as their 32 bytes: half the size of hex, and no
    // compressor can shrink random bytes further; gzip would spend a second for nothing.
    body = Buffer.concat([Buffer.from(`${JSON.stringify({ ...counts, encoding: 'sha256' })}\n`, 'utf8'), members, pending]);
  } else if (memberEntries && pendingEntries && ledger.members.length + ledger.pendingRemovals.length > 0) {
    texts = `${entriesBlobPrefix(exportId, segment)}${randomBytes(8).toString('hex')}.gz`;
    // Level 1, as for emails; the digests beside them are random bytes, left as they are.
    await container.getBlockBlobClient(texts).uploadData(await gzipAsync(memberEntries.lines.concat(pendingEntries.lines), { level: 1 }));
    const header = JSON.stringify({ ...counts, version: 2, encoding: 'sha256-entries', entries: texts });
    body = Buffer.concat([Buffer.from(`${header}\n`, 'utf8'), memberEntries.packed, pendingEntries.packed]);
  } else {
    // Emails compress well; level 1 takes a fifth of level 6's time for a few percent more bytes.
    body = await gzipAsync(Buffer.from([JSON.stringify(counts), ...ledger.members, ...ledger.pendingRemovals].join('\n') + '\n', 'utf8'), { level: 1 });
  }
  await container.getBlockBlobClient(ledgerBlobName(exportId, segment)).uploadData(body, {
    blobHTTPHeaders: { blobContentType: 'application/octet-stream' },
    // What the ledger tracks, readable without downloading it (tracksNothing).
    metadata: { tracked: String(ledger.members.length + ledger.pendingRemovals.length) },
  });
  await container.getBlobClient(owedBlobName(exportId, segment)).deleteIfExists();
  await deleteEntryTexts(container, exportId, segment, texts);
}

/** Every entries' text blob of the segment but the one the ledger now names. */
async function deleteEntryTexts(container: ContainerClient, exportId: string, segment: string, keep: string | undefined): Promise<void> {
  const prefix = entriesBlobPrefix(exportId, segment);
  for await (const blob of container.listBlobsFlat({ prefix })) {
    // Only this segment's: another segment's name may start with this one's and `.entries-`.
    if (blob.name !== keep && ENTRIES_VERSION.test(blob.name.slice(prefix.length))) await container.deleteBlob(blob.name).catch(() => undefined);
  }
}

/**
 * Records removals about to be sent as owed, before they are sent: from then on the ledger
 * no longer claims those members, whatever happens to the run, without rewriting it whole.
 */
export async function writeOwedRemovals(container: ContainerClient, exportId: string, segment: string, audienceId: string, ids: string[]): Promise<void> {
  const text = [JSON.stringify({ audienceId }), ...ids].join('\n') + '\n';
  await container.getBlockBlobClient(owedBlobName(exportId, segment)).uploadData(Buffer.from(text, 'utf8'));
}

const GZIP_MAGIC = 0x1f;

interface Header {
  audienceId: string;
  members: number;
  pendingRemovals: number;
  updatedAt: string;
  encoding?: string;
  entries?: string;
}

/** The header line, and the ids after it: packed digests, or one id a line. */
async function ledgerParts(stored: Buffer): Promise<{ header: string; ids: { packed: Buffer } | { lines: string[] } }> {
  if (stored[0] === GZIP_MAGIC) {
    const [header = '', ...lines] = ownLines(await gunzipAsync(stored));
    return { header, ids: { lines } };
  }
  const newline = stored.indexOf(0x0a);
  return { header: stored.toString('utf8', 0, newline), ids: { packed: stored.subarray(newline + 1) } };
}

const headerSchema = (value: unknown): value is Header =>
  typeof value === 'object' && value !== null && typeof (value as { audienceId?: unknown }).audienceId === 'string';

async function download(container: ContainerClient, name: string): Promise<Buffer | undefined> {
  try {
    return await readWholeBlob(container.getBlockBlobClient(name));
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

const LOST = Symbol('lost');
const REPLACED = Symbol('replaced');

/** The stored ledger alone (no owed removals): undefined when there is none, LOST when it does not add up, REPLACED when its texts went with a newer version. */
async function storedLedger(container: ContainerClient, exportId: string, segment: string): Promise<Ledger | undefined | typeof LOST | typeof REPLACED> {
  const stored = await download(container, ledgerBlobName(exportId, segment));
  if (!stored) return undefined;
  // Bounded by the destinations' limits (at most 500,000 ids): read whole.
  const { header: headerLine, ids } = await ledgerParts(stored);
  const header: unknown = headerLine ? JSON.parse(headerLine) : undefined;
  if (!headerSchema(header)) return LOST;
  const ledger = (members: SortedIds, pendingRemovals: SortedIds): Ledger => ({ audienceId: header.audienceId, members, pendingRemovals, updatedAt: header.updatedAt });
  if ('lines' in ids) {
    // Emails; or entries written before they had a format of their own, which become one here.
    if (ids.lines.length !== header.members + header.pendingRemovals) return LOST;
    return ledger(storedLines(ids.lines.slice(0, header.members)), storedLines(ids.lines.slice(header.members)));
  }
  const count = ids.packed.length / 32;
  if (count !== header.members + header.pendingRemovals) return LOST;
  const split = header.members * 32;
  if (header.encoding !== 'sha256-entries') return ledger(sortedDigests(ids.packed.subarray(0, split)), sortedDigests(ids.packed.subarray(split)));
  const texts = header.entries === undefined ? undefined : await download(container, header.entries);
  // Deleted after a newer ledger named its own: this one was replaced while it was read.
  if (!texts) return REPLACED;
  const lines = EntryLines.parse(await gunzipAsync(texts));
  if (lines.length !== count) return LOST;
  return ledger(
    sortedEntries(ids.packed.subarray(0, split), lines.filter((k) => k < header.members)),
    sortedEntries(ids.packed.subarray(split), lines.filter((k) => k >= header.members)),
  );
}

/** The ledger, or undefined when there is none (a first run, or a lost ledger: both mean a full sync). */
export async function readLedger(container: ContainerClient, exportId: string, segment: string, again = false): Promise<Ledger | undefined> {
  const [first, owedText] = await Promise.all([storedLedger(container, exportId, segment), download(container, owedBlobName(exportId, segment))]);
  // A ledger replaced between its two reads is read again (and its owed removals with it), once.
  if (first === REPLACED && !again) return readLedger(container, exportId, segment, true);
  // A ledger that does not add up (or whose texts are gone) cannot be trusted: treat it as lost, which means a full sync.
  const ledger = first === LOST || first === REPLACED ? undefined : first;
  if (!owedText) return ledger;
  const [line, ...owed] = owedText.toString('utf8').split('\n').filter((text) => text !== '');
  const { audienceId } = JSON.parse(line!) as { audienceId: string };
  if (ledger && ledger.audienceId !== audienceId) return ledger;
  return {
    audienceId,
    members: (ledger?.members ?? sortedIds([])).without(new Set(owed)),
    pendingRemovals: (ledger?.pendingRemovals ?? sortedIds([])).with(owed),
    updatedAt: ledger?.updatedAt ?? new Date(0).toISOString(),
  };
}

/**
 * Whether the export's segment starts a run from nothing tracked, read from the blobs'
 * properties (two HEAD requests, not the ledger itself): no ledger, or an empty one, and no
 * removals owed. Every valid member of the run is then an add, whatever the audience, so
 * preparation may send them before planning. Unsure (a ledger written before it carried
 * its count) counts as tracked.
 */
export async function tracksNothing(container: ContainerClient, exportId: string, segment: string): Promise<boolean> {
  const properties = async (name: string) => {
    try {
      return await container.getBlobClient(name).getProperties();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  };
  const [ledger, owed] = await Promise.all([properties(ledgerBlobName(exportId, segment)), properties(owedBlobName(exportId, segment))]);
  if (owed) return false;
  return !ledger || ledger.metadata?.tracked === '0';
}

/** Every ledger of an export, when the export is deleted: they name the people it sent. */
export async function deleteLedgers(container: ContainerClient, exportId: string): Promise<void> {
  for await (const blob of container.listBlobsFlat({ prefix: `${exportId}/` })) await container.deleteBlob(blob.name).catch(() => undefined);
}

/**
 * The lines of a buffer as strings of their own. Slices of one large string (what `split`
 * returns) each point into it, and half a million of them made every lookup and sort
 * afterwards two to four times slower.
 */
function ownLines(text: Buffer, from = 0): string[] {
  const lines: string[] = [];
  for (let start = from; start < text.length; ) {
    let end = text.indexOf(0x0a, start);
    if (end < 0) end = text.length;
    lines.push(text.toString('utf8', start, end));
    start = end + 1;
  }
  return lines;
}

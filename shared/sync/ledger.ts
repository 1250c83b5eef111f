import { gunzip, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { ContainerClient } from '@azure/storage-blob';
import { packedBytes, sortedDigests, sortedIds, sortedStrings, type SortedIds } from './sorted-ids.js';

export { sortedIds, type SortedIds };

/**
 * The membership ledger of one export's segment at one audience: the member ids the
 * destination confirmed holding, exactly as they were sent (SHA-256 for Microsoft
 * Advertising, the normalized email elsewhere), plus the removals still owed.
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
 * Format: gzip of text lines. The first line is a JSON header with the counts, then the
 * members one a line, then the pending removals. Sorted ids compress well and diff in order.
 * Written whole in one upload (a block blob upload is atomic: readers see the old or the new
 * ledger), then the owed removals it now includes are dropped.
 */
export async function writeLedger(container: ContainerClient, exportId: string, segment: string, ledger: Ledger): Promise<void> {
  const header = JSON.stringify({
    version: 1,
    audienceId: ledger.audienceId,
    members: ledger.members.length,
    pendingRemovals: ledger.pendingRemovals.length,
    updatedAt: ledger.updatedAt,
  });
  const members = packedBytes(ledger.members);
  const pending = packedBytes(ledger.pendingRemovals);
  let body: Buffer;
  if (members && pending && members.length + pending.length > 0) {
    // SHA-256 ids (Customer Match) stored as their 32 bytes: half the size of hex, and no
    // compressor can shrink random bytes further; gzip would spend a second for nothing.
    body = Buffer.concat([Buffer.from(`${JSON.stringify({ ...JSON.parse(header), encoding: 'sha256' })}\n`, 'utf8'), members, pending]);
  } else {
    // Emails compress well; level 1 takes a fifth of level 6's time for a few percent more bytes.
    body = await gzipAsync(Buffer.from([header, ...ledger.members, ...ledger.pendingRemovals].join('\n') + '\n', 'utf8'), { level: 1 });
  }
  await container.getBlockBlobClient(ledgerBlobName(exportId, segment)).uploadData(body, {
    blobHTTPHeaders: { blobContentType: 'application/octet-stream' },
    // What the ledger tracks, readable without downloading it (tracksNothing).
    metadata: { tracked: String(ledger.members.length + ledger.pendingRemovals.length) },
  });
  await container.getBlobClient(owedBlobName(exportId, segment)).deleteIfExists();
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

/** The header line, and the ids after it: packed digests, or one id a line. */
async function ledgerParts(stored: Buffer): Promise<{ header: string; ids: { packed: Buffer } | { lines: string[] } }> {
  if (stored[0] === GZIP_MAGIC) {
    const [header = '', ...lines] = ownLines(await gunzipAsync(stored));
    return { header, ids: { lines } };
  }
  const newline = stored.indexOf(0x0a);
  return { header: stored.toString('utf8', 0, newline), ids: { packed: stored.subarray(newline + 1) } };
}

const headerSchema = (value: unknown): value is { audienceId: string; members: number; pendingRemovals: number; updatedAt: string } =>
  typeof value === 'object' && value !== null && typeof (value as { audienceId?: unknown }).audienceId === 'string';

async function download(container: ContainerClient, name: string): Promise<Buffer | undefined> {
  try {
    return await container.getBlockBlobClient(name).downloadToBuffer();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/** The ledger, or undefined when there is none (a first run, or a lost ledger: both mean a full sync). */
export async function readLedger(container: ContainerClient, exportId: string, segment: string): Promise<Ledger | undefined> {
  const [stored, owedText] = await Promise.all([download(container, ledgerBlobName(exportId, segment)), download(container, owedBlobName(exportId, segment))]);
  let ledger: Ledger | undefined;
  if (stored) {
    // Bounded by the destinations' limits (at most 500,000 ids): read whole.
    const { header: headerLine, ids } = await ledgerParts(stored);
    const header: unknown = headerLine ? JSON.parse(headerLine) : undefined;
    const count = 'packed' in ids ? ids.packed.length / 32 : ids.lines.length;
    // A ledger that does not add up cannot be trusted: treat it as lost, which means a full sync.
    if (headerSchema(header) && count === header.members + header.pendingRemovals) {
      const cut = (from: number, to: number) =>
        'packed' in ids ? sortedDigests(ids.packed.subarray(from * 32, to * 32)) : sortedStrings(ids.lines.slice(from, to));
      ledger = {
        audienceId: header.audienceId,
        members: cut(0, header.members),
        pendingRemovals: cut(header.members, count),
        updatedAt: header.updatedAt,
      };
    }
  }
  if (!owedText) return ledger;
  const [first, ...owed] = owedText.toString('utf8').split('\n').filter((line) => line !== '');
  const { audienceId } = JSON.parse(first!) as { audienceId: string };
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

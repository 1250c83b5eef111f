import { gunzip, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { ContainerClient } from '@azure/storage-blob';

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
  /** Sorted member ids the audience holds. */
  members: string[];
  /** Sorted member ids to remove (sent, or about to be sent, but not confirmed). */
  pendingRemovals: string[];
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
  const ids = [...ledger.members, ...ledger.pendingRemovals];
  const packed = packSha256(ids);
  let body: Buffer;
  if (packed) {
    // SHA-256 ids (Customer Match) stored as their 32 bytes: half the size of hex, and no
    // compressor can shrink random bytes further; gzip would spend a second for nothing.
    body = Buffer.concat([Buffer.from(`${JSON.stringify({ ...JSON.parse(header), encoding: 'sha256' })}\n`, 'utf8'), packed]);
  } else {
    // Emails compress well; level 1 takes a fifth of level 6's time for a few percent more bytes.
    body = await gzipAsync(Buffer.from([header, ...ids].join('\n') + '\n', 'utf8'), { level: 1 });
  }
  await container.getBlockBlobClient(ledgerBlobName(exportId, segment)).uploadData(body, { blobHTTPHeaders: { blobContentType: 'application/octet-stream' } });
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

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The ids as 32 bytes each, when every one is a lower-case SHA-256 hex digest; otherwise undefined. */
function packSha256(ids: string[]): Buffer | undefined {
  if (ids.length === 0) return undefined;
  const packed = Buffer.allocUnsafe(ids.length * 32);
  for (let at = 0; at < ids.length; at++) {
    const id = ids[at]!;
    // Writing hex stops at the first character that is not: a short write means not a digest.
    if (id.length !== 64 || packed.write(id, at * 32, 32, 'hex') !== 32 || !SHA256_HEX.test(id)) return undefined;
  }
  return packed;
}
const GZIP_MAGIC = 0x1f;

/** The header line, then one id a line, whichever way the ledger was stored. */
async function ledgerLines(stored: Buffer): Promise<string[]> {
  if (stored[0] === GZIP_MAGIC) return ownLines(await gunzipAsync(stored));
  const newline = stored.indexOf(0x0a);
  const lines = [stored.toString('utf8', 0, newline)];
  for (let at = newline + 1; at + 32 <= stored.length; at += 32) lines.push(stored.toString('hex', at, at + 32));
  return lines;
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
    // Bounded by the destinations' limits (at most 500,000 ids): read whole, split once.
    const lines = await ledgerLines(stored);
    const header: unknown = lines.length > 0 ? JSON.parse(lines[0]!) : undefined;
    // A ledger that does not add up cannot be trusted: treat it as lost, which means a full sync.
    if (headerSchema(header) && lines.length - 1 === header.members + header.pendingRemovals) {
      ledger = {
        audienceId: header.audienceId,
        members: lines.slice(1, 1 + header.members),
        pendingRemovals: lines.slice(1 + header.members),
        updatedAt: header.updatedAt,
      };
    }
  }
  if (!owedText) return ledger;
  const [first, ...owed] = owedText.toString('utf8').split('\n').filter((line) => line !== '');
  const { audienceId } = JSON.parse(first!) as { audienceId: string };
  if (ledger && ledger.audienceId !== audienceId) return ledger;
  const owedSet = new Set(owed);
  return {
    audienceId,
    members: (ledger?.members ?? []).filter((id) => !owedSet.has(id)),
    pendingRemovals: sortedIds([...(ledger?.pendingRemovals ?? []), ...owed]),
    updatedAt: ledger?.updatedAt ?? new Date(0).toISOString(),
  };
}

/** Every ledger of an export, when the export is deleted: they name the people it sent. */
export async function deleteLedgers(container: ContainerClient, exportId: string): Promise<void> {
  for await (const blob of container.listBlobsFlat({ prefix: `${exportId}/` })) await container.deleteBlob(blob.name).catch(() => undefined);
}

/** Sorted, without repeats: the ledger's order. */
export function sortedIds(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort();
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

import { createGunzip, gzip } from 'node:zlib';
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

export const ledgerBlobName = (exportId: string, segment: string) => `${exportId}/${encodeURIComponent(segment)}.ledger.gz`;

/**
 * Format: gzip of text lines. The first line is a JSON header with the counts, then the
 * members one a line, then the pending removals. Sorted ids compress well and diff in order.
 */
export async function writeLedger(container: ContainerClient, exportId: string, segment: string, ledger: Ledger): Promise<void> {
  const header = JSON.stringify({
    version: 1,
    audienceId: ledger.audienceId,
    members: ledger.members.length,
    pendingRemovals: ledger.pendingRemovals.length,
    updatedAt: ledger.updatedAt,
  });
  const text = [header, ...ledger.members, ...ledger.pendingRemovals].join('\n') + '\n';
  // One upload call: a block blob upload is atomic, so readers see the old or the new ledger.
  const body = await gzipAsync(Buffer.from(text, 'utf8'), { level: 6 });
  await container.getBlockBlobClient(ledgerBlobName(exportId, segment)).uploadData(body, {
    blobHTTPHeaders: { blobContentType: 'text/plain', blobContentEncoding: 'gzip' },
  });
}

const headerSchema = (value: unknown): value is { audienceId: string; members: number; pendingRemovals: number; updatedAt: string } =>
  typeof value === 'object' && value !== null && typeof (value as { audienceId?: unknown }).audienceId === 'string';

/** The ledger, or undefined when there is none (a first run, or a lost ledger: both mean a full sync). */
export async function readLedger(container: ContainerClient, exportId: string, segment: string): Promise<Ledger | undefined> {
  let body: NodeJS.ReadableStream;
  try {
    body = (await container.getBlobClient(ledgerBlobName(exportId, segment)).download()).readableStreamBody!;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
  const lines: string[] = [];
  let rest = '';
  for await (const chunk of body.pipe(createGunzip()) as AsyncIterable<Buffer>) {
    const text = rest + chunk.toString('utf8');
    const parts = text.split('\n');
    rest = parts.pop()!;
    for (const part of parts) lines.push(part);
  }
  if (rest) lines.push(rest);
  const header: unknown = lines.length > 0 ? JSON.parse(lines[0]!) : undefined;
  if (!headerSchema(header) || lines.length - 1 !== header.members + header.pendingRemovals) {
    // A ledger that does not add up cannot be trusted: treat it as lost, which means a full sync.
    return undefined;
  }
  return {
    audienceId: header.audienceId,
    members: lines.slice(1, 1 + header.members),
    pendingRemovals: lines.slice(1 + header.members),
    updatedAt: header.updatedAt,
  };
}

export async function deleteLedger(container: ContainerClient, exportId: string, segment: string): Promise<void> {
  await container.getBlobClient(ledgerBlobName(exportId, segment)).deleteIfExists();
}

/** Sorted, without repeats: the ledger's order. */
export function sortedIds(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort();
}

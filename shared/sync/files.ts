import type { ContainerClient } from '@azure/storage-blob';
import type { Services } from '../services.js';
import { sortedIds, sortingDigests, type SortedIds } from './sorted-ids.js';
import { readWholeBlob } from '../storage/read-blob.js';

/**
 * Where a run keeps its sync files, beside its work files (`<runId>/<seg>/...`, deleted
 * with them when the run ends): the planned adds and removes, and the delivery log each
 * send writes, which the ledger commit reads.
 */
const pad = (n: number, width: number) => String(n).padStart(width, '0');

export const changeFileName = (runId: string, segmentIndex: number, kind: 'adds' | 'removes', fileIndex: number) =>
  `${runId}/${pad(segmentIndex, 3)}/${kind}-${pad(fileIndex, 5)}.${kind === 'adds' ? 'ndjson' : 'txt'}`;

export const deliveryPrefix = (runId: string, segmentIndex: number) => `${runId}/${pad(segmentIndex, 3)}/delivered/`;

export const deliveryLogName = (runId: string, segmentIndex: number, tag: string) => `${deliveryPrefix(runId, segmentIndex)}${tag}.txt`;

/**
 * A replace session's delivery logs (`session-<id>-<n>`) count only once the session ended:
 * its last log (`session-<id>-last`, which says `replaced`) is there. A session started again
 * or given up left the audience as it was, so what its logs say never reaches the ledger.
 */
export const sessionLogTag = (sessionId: string, part: number | 'last') => `session-${sessionId}-${part === 'last' ? 'last' : String(part).padStart(6, '0')}`;
const SESSION_LOG = /\/session-(\d+)-(\d+|last)\.txt$/;

function completedSessionsOnly(names: string[]): string[] {
  const ended = new Set(names.flatMap((name) => (SESSION_LOG.exec(name)?.[2] === 'last' ? [SESSION_LOG.exec(name)![1]!] : [])));
  return names.filter((name) => {
    const session = SESSION_LOG.exec(name)?.[1];
    return session === undefined || ended.has(session);
  });
}

/**
 * A delivery log: the members a destination accepted, the members it removed, and whether
 * a batch replaced the whole membership. Text (`+<id>`, `-<id>`, `!replaced`, a line each)
 * or, when every id is a SHA-256 hex digest, one header line and the digests as their 32
 * bytes: a full sync to Customer Match logs half a million of them, and the commit then
 * reads them as they are instead of parsing and packing hex.
 */
export interface Delivery {
  added: string[];
  removed: string[];
  replaced?: boolean;
}

/** What a segment's delivery logs say together, the ids as sorted sets. */
export interface Deliveries {
  added: SortedIds;
  removed: SortedIds;
  replaced: boolean;
}

const PACKED_HEADER = '#sha256';

export async function writeDeliveryLog(work: ContainerClient, name: string, delivery: Delivery): Promise<void> {
  if (delivery.added.length + delivery.removed.length === 0 && !delivery.replaced) return;
  // Rewritten whole by a retried attempt: the last attempt's log stands.
  await work.getBlockBlobClient(name).uploadData(encodeDelivery(delivery));
}

export function encodeDelivery(delivery: Delivery): Buffer {
  const ids = [...delivery.added, ...delivery.removed];
  // All the ids as one hex string, decoded in one native call and checked by encoding it
  // back: a test per id cost more than the upload it saves.
  const hex = ids.join('');
  if (ids.length > 0 && ids.every((id) => id.length === 2 * DIGEST)) {
    const header = Buffer.from(`${PACKED_HEADER} ${delivery.added.length} ${delivery.removed.length}${delivery.replaced ? ' replaced' : ''}\n`, 'latin1');
    const body = Buffer.allocUnsafe(header.length + ids.length * DIGEST);
    header.copy(body);
    // Not hex, or upper-case hex (which would come back lower-case): the text form keeps them as they are.
    if (body.write(hex, header.length, 'hex') === ids.length * DIGEST && body.toString('hex', header.length) === hex) return body;
  }
  const lines = [...(delivery.replaced ? ['!replaced'] : []), ...delivery.added.map((id) => `+${id}`), ...delivery.removed.map((id) => `-${id}`)];
  return Buffer.from(lines.join('\n') + '\n', 'utf8');
}

const [NEWLINE, PLUS, MINUS] = [0x0a, 0x2b, 0x2d];
const DIGEST = 32;

export async function readDeliveries(work: ContainerClient, runId: string, segmentIndex: number): Promise<Deliveries> {
  const names: string[] = [];
  for await (const blob of work.listBlobsFlat({ prefix: deliveryPrefix(runId, segmentIndex) })) names.push(blob.name);
  names.splice(0, names.length, ...completedSessionsOnly(names));
  const parts = deliveryParts();
  // A few downloads ahead of the one being read: a full sync has a log per work file.
  const downloads = names.map(() => undefined as Promise<Buffer> | undefined);
  const download = (k: number) => (downloads[k] ??= readWholeBlob(work.getBlockBlobClient(names[k]!)));
  for (let k = 0; k < names.length; k++) {
    for (let ahead = k + 1; ahead <= k + 4 && ahead < names.length; ahead++) download(ahead).catch(() => undefined);
    readDeliveryLog(await download(k), parts);
    downloads[k] = undefined;
  }
  return deliveriesOf(parts);
}

/** What delivery logs say, gathered a log at a time: packed digests apart from text ids. */
interface DeliveryParts {
  packed: { added: Buffer[]; removed: Buffer[] };
  text: { added: string[]; removed: string[] };
  replaced: boolean;
}

export const deliveryParts = (): DeliveryParts => ({ packed: { added: [], removed: [] }, text: { added: [], removed: [] }, replaced: false });

export function readDeliveryLog(log: Buffer, parts: DeliveryParts): void {
  if (log.toString('latin1', 0, PACKED_HEADER.length) === PACKED_HEADER) {
    const newline = log.indexOf(NEWLINE);
    const [, added, removed, flag] = log.toString('latin1', 0, newline).split(' ');
    const addedEnd = newline + 1 + Number(added) * DIGEST;
    parts.packed.added.push(log.subarray(newline + 1, addedEnd));
    parts.packed.removed.push(log.subarray(addedEnd, addedEnd + Number(removed) * DIGEST));
    parts.replaced ||= flag === 'replaced';
    return;
  }
  // Each id a string of its own, not a slice of the text: the commit sorts and looks them up.
  for (let start = 0; start < log.length; ) {
    let end = log.indexOf(NEWLINE, start);
    if (end < 0) end = log.length;
    const mark = log[start];
    if (mark === PLUS) parts.text.added.push(log.toString('utf8', start + 1, end));
    else if (mark === MINUS) parts.text.removed.push(log.toString('utf8', start + 1, end));
    else if (log.toString('utf8', start, end) === '!replaced') parts.replaced = true;
    start = end + 1;
  }
}

export function deliveriesOf(parts: DeliveryParts): Deliveries {
  return { added: idsOf(parts.packed.added, parts.text.added), removed: idsOf(parts.packed.removed, parts.text.removed), replaced: parts.replaced };
}

/** Packed digests stay packed; only when text logs are mixed in do they become hex strings. */
function idsOf(packed: Buffer[], text: string[]): SortedIds {
  const bytes = Buffer.concat(packed);
  if (text.length === 0) return sortingDigests(bytes);
  const hex: string[] = [];
  for (let at = 0; at < bytes.length; at += DIGEST) hex.push(bytes.toString('hex', at, at + DIGEST));
  return sortedIds([...text, ...hex]);
}

export async function containersFor(services: Services): Promise<{ work: ContainerClient; ledgers: ContainerClient; reports: ContainerClient }> {
  const { storage, config } = services;
  return {
    work: await storage.ensureContainer(config.containers.work),
    ledgers: await storage.ensureContainer(config.containers.ledgers),
    reports: await storage.ensureContainer(config.containers.reports),
  };
}

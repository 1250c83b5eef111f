import type { ContainerClient } from '@azure/storage-blob';
import type { Services } from '../services.js';

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
 * A delivery log: `+<id>` a member the destination accepted, `-<id>` a member it removed,
 * `!replaced` when a batch replaced the whole membership.
 */
export interface Delivery {
  added: string[];
  removed: string[];
  replaced?: boolean;
}

export async function writeDeliveryLog(work: ContainerClient, name: string, delivery: Delivery): Promise<void> {
  const lines = [
    ...(delivery.replaced ? ['!replaced'] : []),
    ...delivery.added.map((id) => `+${id}`),
    ...delivery.removed.map((id) => `-${id}`),
  ];
  if (lines.length === 0) return;
  // Rewritten whole by a retried attempt: the last attempt's log stands.
  await work.getBlockBlobClient(name).uploadData(Buffer.from(lines.join('\n') + '\n', 'utf8'));
}

const [NEWLINE, PLUS, MINUS] = [0x0a, 0x2b, 0x2d];

export async function readDeliveries(work: ContainerClient, runId: string, segmentIndex: number): Promise<Delivery> {
  const delivery: Delivery = { added: [], removed: [] };
  const names: string[] = [];
  for await (const blob of work.listBlobsFlat({ prefix: deliveryPrefix(runId, segmentIndex) })) names.push(blob.name);
  // A few downloads ahead of the one being read: a full sync has a log per work file.
  const downloads = names.map(() => undefined as Promise<Buffer> | undefined);
  const download = (k: number) => (downloads[k] ??= work.getBlockBlobClient(names[k]!).downloadToBuffer());
  for (let k = 0; k < names.length; k++) {
    for (let ahead = k + 1; ahead <= k + 4 && ahead < names.length; ahead++) download(ahead).catch(() => undefined);
    const log = await download(k);
    downloads[k] = undefined;
    // Each id a string of its own, not a slice of the text: the commit sorts and looks them up.
    for (let start = 0; start < log.length; ) {
      let end = log.indexOf(NEWLINE, start);
      if (end < 0) end = log.length;
      const mark = log[start];
      if (mark === PLUS) delivery.added.push(log.toString('utf8', start + 1, end));
      else if (mark === MINUS) delivery.removed.push(log.toString('utf8', start + 1, end));
      else if (log.toString('utf8', start, end) === '!replaced') delivery.replaced = true;
      start = end + 1;
    }
  }
  return delivery;
}

export async function containersFor(services: Services): Promise<{ work: ContainerClient; ledgers: ContainerClient; reports: ContainerClient }> {
  const { storage, config } = services;
  return {
    work: await storage.ensureContainer(config.containers.work),
    ledgers: await storage.ensureContainer(config.containers.ledgers),
    reports: await storage.ensureContainer(config.containers.reports),
  };
}

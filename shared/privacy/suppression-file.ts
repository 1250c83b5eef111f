import type { Readable } from 'node:stream';
import type { Services } from '../services.js';
import { normalizeEmail } from '../pipeline/prepare/normalize.js';
import { readSegmentRows } from '../pipeline/read/segment-reader.js';
import { segmentFileFormat } from '../pipeline/prepare/segment-file.js';
import { addressHash } from './address-hash.js';

/** The folder of the segments container where suppression lists are dropped; no segment may take its name. */
export const SUPPRESSIONS_FOLDER = 'suppressions';

const CHUNK = 1_000;
const SYSTEM = { userId: 'system', userDetails: 'suppression file' };

/**
 * A large suppression list, dropped as a file (`segments/suppressions/<name>.csv`, or JSON
 * Lines, optionally gzipped): streamed, each address normalized and hashed as the API does,
 * added in chunks. The `email` column is used, or the first column when there is none.
 */
export async function importSuppressionFile(services: Services, blobName: string): Promise<{ added: number; already: number; invalid: number }> {
  const format = segmentFileFormat(blobName);
  if (!format) throw new Error(`not a CSV or JSON Lines file: ${blobName}`);
  const container = await services.storage.ensureContainer(services.config.containers.segments);
  const body = (await container.getBlobClient(blobName).download()).readableStreamBody as Readable;
  const reader = readSegmentRows(body, format);
  const columns = await reader.columns();
  const column = columns.find((c) => c.trim().toLowerCase() === 'email') ?? columns[0] ?? 'email';
  const totals = { added: 0, already: 0, invalid: 0 };
  let chunk: string[] = [];
  const flush = async () => {
    const { added, already } = await services.suppressions.add(chunk, SYSTEM, `file:${blobName}`);
    totals.added += added;
    totals.already += already;
    chunk = [];
  };
  for await (const batch of reader.batches([column])) {
    for (const row of batch) {
      const email = 'values' in row ? normalizeEmail(row.values[0]) : undefined;
      if (!email?.ok) {
        totals.invalid++;
        continue;
      }
      chunk.push(addressHash(email.email));
      if (chunk.length >= CHUNK) await flush();
    }
  }
  if (chunk.length > 0) await flush();
  return totals;
}

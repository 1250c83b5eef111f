import type { ContainerClient } from '@azure/storage-blob';
import type { ProfileRecord } from '../destinations/types.js';

/** A work file: one upload activity's share of a segment, as NDJSON of ProfileRecord. */
export interface WorkFileRef {
  name: string;
  records: number;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export const workFilePrefix = (runId: string) => `${runId}/`;

export const workFileName = (runId: string, segmentIndex: number, fileIndex: number) =>
  `${runId}/${pad(segmentIndex, 3)}/${pad(fileIndex, 5)}.ndjson`;

/** Work files are bounded (recordsPerWorkFile), so reading one whole is fine. */
export async function readWorkFile(container: ContainerClient, name: string): Promise<ProfileRecord[]> {
  const body = await container.getBlockBlobClient(name).downloadToBuffer();
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

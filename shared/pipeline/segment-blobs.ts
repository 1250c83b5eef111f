import type { ContainerClient } from '@azure/storage-blob';
import { segmentFileFormat } from './segment-file.js';

/**
 * The newest file of a segment (`<segment>/...` in the segments container): its current
 * membership. Used when the catalog does not know the segment yet (files dropped before
 * the app was running, or a missed event).
 */
export async function findLatestSegmentBlob(
  container: ContainerClient,
  segment: string,
): Promise<{ name: string; lastModified: Date; size: number } | undefined> {
  let latest: { name: string; lastModified: Date; size: number } | undefined;
  for await (const blob of container.listBlobsFlat({ prefix: `${segment}/` })) {
    if (!segmentFileFormat(blob.name)) continue;
    const lastModified = blob.properties.lastModified;
    // Same second: the later name wins, so files named by timestamp order as expected.
    if (!latest || lastModified > latest.lastModified || (+lastModified === +latest.lastModified && blob.name > latest.name)) {
      latest = { name: blob.name, lastModified, size: blob.properties.contentLength ?? 0 };
    }
  }
  return latest;
}

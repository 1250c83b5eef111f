import type { ContainerClient } from '@azure/storage-blob';
import { SEGMENT_FILE_KINDS, segmentFileFormat } from './segment-file.js';

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

/**
 * The reason of a segment without a file: which files count, and which files are there but
 * do not (a `.txt` or `.xlsx` dropped by mistake), so the fix is obvious from the run.
 */
export async function segmentFileNotFound(container: ContainerClient, containerName: string, segment: string): Promise<string> {
  const ignored: string[] = [];
  let more = 0;
  for await (const blob of container.listBlobsFlat({ prefix: `${segment}/` })) {
    if (segmentFileFormat(blob.name)) continue;
    if (ignored.length < 3) ignored.push(blob.name.slice(segment.length + 1).slice(0, 100));
    else more++;
  }
  const there = ignored.length ? `; not segment files: ${ignored.join(', ')}${more ? ` and ${more} more` : ''}` : '';
  return `segment-file-not-found: no ${SEGMENT_FILE_KINDS} file under ${containerName}/${segment}/${there}`.replace(/[\r\n]+/g, ' ');
}

/** What a segment blob's name says about it: `segments/<segment>/<anything>.csv|.jsonl[.gz]`. */
export interface SegmentFileFormat {
  format: 'csv' | 'jsonl';
  gzip: boolean;
}

/** Which files count as segment files, in words, for reasons and logs that name what was ignored. */
export const SEGMENT_FILE_KINDS = '.csv, .jsonl or .ndjson, optionally gzipped (.gz)';

export function segmentFileFormat(blobName: string): SegmentFileFormat | undefined {
  const match = /\.(csv|jsonl|ndjson)(\.gz)?$/i.exec(blobName);
  if (!match) return undefined;
  return { format: match[1]!.toLowerCase() === 'csv' ? 'csv' : 'jsonl', gzip: Boolean(match[2]) };
}

/** Splits `<segment>/<file>` (the path inside the segments container). */
export function parseSegmentBlobName(blobName: string): { segment: string; file: string } | undefined {
  const slash = blobName.indexOf('/');
  if (slash <= 0 || slash === blobName.length - 1) return undefined;
  return { segment: blobName.slice(0, slash), file: blobName.slice(slash + 1) };
}

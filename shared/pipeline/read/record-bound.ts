import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { SegmentFileFormat } from '../prepare/segment-file.js';

const NEWLINE = 0x0a;

/**
 * The most data records a segment file can hold, from its newlines alone: every record
 * ends a line (a quoted newline makes one record of two lines, never two records of one),
 * the last line may lack its newline, and a CSV file's first line is its header. Parses
 * nothing, so it costs the download and the gunzip (on the thread pool), a small share of
 * preparing the file; preparation uses it to know early that a segment cannot be too large.
 */
export async function recordBound(source: Readable, format: SegmentFileFormat): Promise<number> {
  // Large chunks: the pass shares the event loop with preparation, which takes a turn per
  // chunk too, and should finish well before it.
  const input = format.gzip ? source.pipe(createGunzip({ chunkSize: 1024 * 1024 })) : source;
  if (format.gzip) source.on('error', (error) => input.destroy(error));
  let newlines = 0;
  let last = NEWLINE;
  let bytes = 0;
  for await (const chunk of input as AsyncIterable<Buffer>) {
    for (let at = chunk.indexOf(NEWLINE); at >= 0; at = chunk.indexOf(NEWLINE, at + 1)) newlines++;
    if (chunk.length > 0) last = chunk[chunk.length - 1]!;
    bytes += chunk.length;
  }
  const lines = bytes === 0 ? 0 : newlines + (last === NEWLINE ? 0 : 1);
  return Math.max(0, format.format === 'csv' ? lines - 1 : lines);
}

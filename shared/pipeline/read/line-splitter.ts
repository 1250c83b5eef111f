import { isAscii, isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { SegmentFileError } from '../prepare/segment-file.js';

/**
 * Splits a byte stream into lines, a chunk at a time. Each line is checked to be UTF-8
 * before it is decoded, so a row in another encoding (Latin-1, binary) is reported as such
 * instead of reaching a destination with U+FFFD in it: a line that is not valid UTF-8
 * comes out as `undefined`. Lines keep a trailing `\r` (a quoted CSV field may hold a CRLF);
 * whoever reads a record drops it.
 *
 * Only a line is ever buffered, and only up to a bound: a longer one is skipped to its end
 * without being held (`TOO_LONG`), and while `headerLimit` is set the first line over it
 * fails the file, so a 10 MB header is refused after its first 32 KiB.
 */
export interface LineBatch {
  /** Line number (from 1) of the batch's first line. */
  first: number;
  lines: (string | undefined | typeof TOO_LONG)[];
}

export const TOO_LONG = Symbol('line too long');

export interface LineSplitterOptions {
  /** Lines longer than this many bytes come out as TOO_LONG. */
  maxLineBytes: number;
  /** While the header is read: its bound, and the reason the file fails with beyond it. */
  header?: { maxBytes: number; reason: string };
}

const NEWLINE = 0x0a;

export async function* splitLines(input: Readable, options: LineSplitterOptions): AsyncGenerator<LineBatch, void, { headerDone?: boolean } | undefined> {
  let line = 1;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false; // inside a line already over the bound: drop bytes to its end
  let header = options.header;

  const limit = () => (header ? header.maxBytes : options.maxLineBytes);

  for await (const chunk of input as AsyncIterable<Buffer>) {
    let start = 0;
    const lines: LineBatch['lines'] = [];
    if (skipping || pendingBytes > 0) {
      // Finish the line carried over from the previous chunk.
      const end = chunk.indexOf(NEWLINE);
      const upTo = end < 0 ? chunk.length : end;
      if (!skipping) {
        if (pendingBytes + upTo > limit()) {
          if (header) throw new SegmentFileError(header.reason);
          skipping = true;
          pending = [];
          pendingBytes = 0;
        } else {
          pending.push(chunk.subarray(0, upTo));
          pendingBytes += upTo;
        }
      }
      if (end < 0) continue;
      lines.push(skipping ? TOO_LONG : decode(Buffer.concat(pending, pendingBytes)));
      skipping = false;
      pending = [];
      pendingBytes = 0;
      line++;
      start = end + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last >= start) {
      // The complete lines of this chunk, decoded at once when they are all valid text.
      const region = chunk.subarray(start, last);
      const ascii = isAscii(region);
      if (!header && (ascii || isUtf8(region)) && region.length <= options.maxLineBytes) {
        // No line of the region can be over the bound: the region is not.
        const before = lines.length;
        for (const l of region.toString(ascii ? 'latin1' : 'utf8').split('\n')) lines.push(l);
        line += lines.length - before;
      } else {
        // Line by line: the header (which may stop the file), or a chunk with a bad line in it.
        let from = start;
        while (from <= last) {
          const end = chunk.indexOf(NEWLINE, from);
          if (end - from > limit()) {
            if (header) throw new SegmentFileError(header.reason);
            lines.push(TOO_LONG);
          } else {
            lines.push(decode(chunk.subarray(from, end)));
          }
          line++;
          from = end + 1;
          if (header) {
            // The caller says whether the header is complete (a quoted header may span lines).
            const answer = yield { first: line - lines.length, lines: lines.splice(0) };
            if (answer?.headerDone) header = undefined;
          }
        }
      }
      start = last + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.length - start;
      if (rest > limit()) {
        if (header) throw new SegmentFileError(header.reason);
        skipping = true;
      } else {
        // Copied: the chunk's memory is not kept alive by a small tail.
        pending.push(Buffer.from(chunk.subarray(start)));
        pendingBytes = rest;
      }
    }
    if (lines.length > 0) {
      const answer = yield { first: line - lines.length, lines };
      if (answer?.headerDone) header = undefined;
    }
  }
  // The last line, without a newline at the end.
  if (skipping) yield { first: line, lines: [TOO_LONG] };
  else if (pendingBytes > 0) yield { first: line, lines: [decode(Buffer.concat(pending, pendingBytes))] };
}

function decode(bytes: Buffer): string | undefined {
  if (isAscii(bytes)) return bytes.toString('latin1');
  return isUtf8(bytes) ? bytes.toString('utf8') : undefined;
}

import { PassThrough, Readable } from 'node:stream';
import type { ContainerClient } from '@azure/storage-blob';

const FLUSH_AT = 256 * 1024;
/** Up to this size a blob goes up in one request at close (work files are 1 to 1.5 MB). */
const ONE_REQUEST_MAX = 2 * 1024 * 1024;
/**
 * Block size when streaming. The SDK holds up to a few blocks per upload in flight, so
 * this decides the memory a large blob (the report of a big file) costs while it uploads.
 */
const UPLOAD_BLOCK = 1024 * 1024;

/**
 * Writes a text blob line by line as a stream: lines are gathered into ~256 KB chunks and
 * uploaded block by block while more are produced, so neither the file nor the blob
 * ever sits whole in memory. The blob is created on the first line only.
 *
 * A blob that ends within ONE_REQUEST_MAX (work files do) goes up in a single request at
 * close: one Put Blob instead of a Put Block and a Put Block List, half the round trips and
 * half the storage work, which on a busy machine shares the cores with us. Until then its
 * chunks are held encoded, never as the text they were built from: a line's strings may
 * be slices of a whole chunk of the segment file, and a long-lived string of lines would
 * keep every such chunk alive (the report of a 2,000,000-row file held most of the file).
 */
export class BlobLineWriter {
  private buffer = '';
  private held: Buffer[] = [];
  private heldBytes = 0;
  private stream?: PassThrough;
  private upload?: Promise<unknown>;
  lines = 0;

  constructor(
    private readonly container: ContainerClient,
    readonly blobName: string,
    private readonly contentType = 'application/x-ndjson',
  ) {}

  /**
   * Adds one line (without its newline). Returns a promise only when a chunk goes to the
   * upload (await it: it waits when the upload lags behind); most lines cost no promise at
   * all, which matters at millions of rows.
   */
  write(line: string): Promise<void> | undefined {
    this.buffer += line + '\n';
    this.lines++;
    return this.buffer.length >= FLUSH_AT ? this.flush() : undefined;
  }

  private flush(): Promise<void> | undefined {
    const chunk = Buffer.from(this.buffer, 'utf8');
    this.buffer = '';
    if (!this.stream) {
      this.held.push(chunk);
      this.heldBytes += chunk.length;
      if (this.heldBytes < ONE_REQUEST_MAX) return undefined;
      // Larger than one block: stream it from here on.
      this.openStream();
      const held = Buffer.concat(this.held, this.heldBytes);
      this.held = [];
      this.heldBytes = 0;
      return this.send(held);
    }
    return this.send(chunk);
  }

  private openStream(): void {
    const stream = new PassThrough({ highWaterMark: UPLOAD_BLOCK });
    this.stream = stream;
    this.upload = this.container
      .getBlockBlobClient(this.blobName)
      .uploadStream(stream, UPLOAD_BLOCK, 2, { blobHTTPHeaders: { blobContentType: this.contentType } });
    // Surface an upload failure to the writer instead of leaving it waiting for 'drain'.
    this.upload.catch((error: unknown) => stream.destroy(error as Error));
  }

  private async send(chunk: Buffer): Promise<void> {
    if (!this.stream!.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        this.stream!.once('drain', resolve);
        this.stream!.once('error', reject);
      });
    }
  }

  /** Finishes the blob; returns the number of lines written (0: no blob was created). */
  async close(): Promise<number> {
    if (this.buffer.length > 0) await this.flush();
    if (this.stream) {
      this.stream.end();
      await this.upload;
    } else if (this.heldBytes > 0) {
      const chunks = this.held;
      this.held = [];
      // The chunks as they are, not concatenated (a copy of every work file): a stream
      // factory, so that a retried request reads them again from the start.
      await this.container
        .getBlockBlobClient(this.blobName)
        .upload(() => Readable.from(chunks, { objectMode: false }), this.heldBytes, { blobHTTPHeaders: { blobContentType: this.contentType } });
      this.heldBytes = 0;
    }
    return this.lines;
  }

  /** Abandons the upload after a failure elsewhere. */
  abort(error: Error): void {
    this.held = [];
    this.stream?.destroy(error);
  }
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RestError } from '@azure/core-rest-pipeline';
import { afterEach, describe, expect, it } from 'vitest';
import { blobServiceFromConnectionString } from './blob-service.js';
import { isStorageUnavailable } from './request-timeout.js';

const IDLE_MS = 300;
const retryOptions = { maxTries: 3, retryDelayInMs: 50, maxRetryDelayInMs: 100 };

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A loopback "blob service"; the test decides how each request is (or is not) answered. */
async function serve(handler: http.RequestListener): Promise<{ connection: string; requests: http.IncomingMessage[] }> {
  const requests: http.IncomingMessage[] = [];
  server = http.createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const connection = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`;
  return { connection, requests };
}

const body = Buffer.alloc(1024 * 1024, 'x');
const CHUNK = 64 * 1024;

/** Answers a blob GET with the bytes its x-ms-range asks for, through `send`. */
function blobGet(send: (req: http.IncomingMessage, res: http.ServerResponse, bytes: Buffer) => void): http.RequestListener {
  return (req, res) => {
    const range = /bytes=(\d+)-(\d*)/.exec(String(req.headers['x-ms-range'] ?? ''));
    const start = range ? Number(range[1]) : 0;
    const end = range?.[2] ? Number(range[2]) + 1 : body.length;
    const bytes = body.subarray(start, end);
    res.writeHead(range ? 206 : 200, {
      'Content-Length': bytes.length,
      ETag: '"0x1"',
      'Last-Modified': new Date(0).toUTCString(),
      'x-ms-blob-type': 'BlockBlob',
      ...(range ? { 'Content-Range': `bytes ${start}-${end - 1}/${body.length}` } : {}),
    });
    send(req, res, bytes);
  };
}

/** Writes `bytes` in chunks, `gapMs` apart: a transfer that keeps moving, slowly. */
function trickle(res: http.ServerResponse, bytes: Buffer, gapMs: number, stopAfter = Infinity): void {
  let sent = 0;
  const next = () => {
    if (res.destroyed) return;
    if (sent >= stopAfter) return; // goes silent, the connection left open
    if (sent >= bytes.length) return void res.end();
    res.write(bytes.subarray(sent, sent + CHUNK));
    sent += CHUNK;
    setTimeout(next, gapMs);
  };
  next();
}

async function readAll(stream: NodeJS.ReadableStream, pauseMs = 0): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let paused = false;
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    if (pauseMs && !paused && chunks.length === 2) {
      paused = true;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
  return Buffer.concat(chunks);
}

describe('blob clients with an idle bound', () => {
  it('abandons a try that gets no answer, retries it, then fails with a retriable error within a bound', async () => {
    const { connection, requests } = await serve(() => undefined);
    const blob = blobServiceFromConnectionString(connection, { idleTimeoutMs: IDLE_MS, retryOptions }).getContainerClient('segments').getBlobClient('a.csv');
    const started = Date.now();
    const error = await blob.getProperties().catch((e: unknown) => e);
    const elapsed = Date.now() - started;

    expect(error).toBeInstanceOf(RestError);
    expect((error as RestError).code).toBe('ETIMEDOUT');
    expect(isStorageUnavailable(error)).toBe(true);
    // Every try reached the service and was abandoned: the SDK's retry policy ran them all.
    expect(requests).toHaveLength(retryOptions.maxTries);
    expect(elapsed).toBeGreaterThanOrEqual(retryOptions.maxTries * IDLE_MS - 50);
    expect(elapsed).toBeLessThan(5_000);
  });

  it('does not cut a slow download that keeps moving, however long it takes', async () => {
    // 16 chunks 100 ms apart: 1.6 s in all, five times the idle bound, never silent for it.
    const { connection, requests } = await serve(blobGet((_req, res, bytes) => trickle(res, bytes, 100)));
    const blob = blobServiceFromConnectionString(connection, { idleTimeoutMs: IDLE_MS, retryOptions }).getContainerClient('segments').getBlobClient('big.csv');
    const started = Date.now();
    const download = await blob.download();
    const bytes = await readAll(download.readableStreamBody!);

    expect(Date.now() - started).toBeGreaterThan(5 * IDLE_MS);
    expect(bytes.equals(body)).toBe(true);
    expect(requests).toHaveLength(1);
  });

  it('does not count time its reader holds the stream back as silence', async () => {
    const { connection, requests } = await serve(blobGet((_req, res, bytes) => res.end(bytes)));
    const blob = blobServiceFromConnectionString(connection, { idleTimeoutMs: IDLE_MS, retryOptions }).getContainerClient('segments').getBlobClient('big.csv');
    const download = await blob.download();
    const bytes = await readAll(download.readableStreamBody!, 4 * IDLE_MS);

    expect(bytes.equals(body)).toBe(true);
    expect(requests).toHaveLength(1);
  });

  it('ends a download that goes silent half-way with an error instead of waiting for the rest', async () => {
    const { connection, requests } = await serve(blobGet((_req, res, bytes) => trickle(res, bytes, 10, body.length / 2)));
    const blob = blobServiceFromConnectionString(connection, { idleTimeoutMs: IDLE_MS, retryOptions }).getContainerClient('segments').getBlobClient('big.csv');
    const download = await blob.download();
    const started = Date.now();
    const error = await readAll(download.readableStreamBody!).catch((e: unknown) => e);

    // The SDK ends the stream (it does not resume a body whose connection closed: its
    // RetriableReadableStream takes the response's 'aborted' for the caller's abort), so the
    // caller's operation fails and is retried by whoever retries it, instead of hanging.
    expect(error).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeLessThan(IDLE_MS + 2_000);
    expect(requests).toHaveLength(1);
  });
});

import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ContainerClient } from '@azure/storage-blob';
import { Pool } from 'undici';

/**
 * The floor for our own cost: the one-off script someone would write to push a segment
 * file to a service, doing only the essential work. It streams the same blob from storage,
 * gunzips, splits lines, takes the email column, trims, lower-cases, checks it is a
 * plausible address, de-duplicates, hashes with SHA-256 and POSTs batches of 1,000 to a
 * loopback sink, 8 requests in flight over keep-alive connections. No work files, no
 * report, no orchestration, no retries, no rate limiter: what is left when all of that
 * is taken away.
 */
export interface BaselineResult {
  seconds: number;
  /** CPU time of this process (all threads, user + system) while it ran. */
  cpuSeconds: number;
  read: number;
  valid: number;
  /** Hashes the sink received: must equal `valid`. */
  received: number;
}

const BATCH = 1_000;
const IN_FLIGHT = 8;

/** A loopback HTTP service that reads each body, counts the hashes in it and answers 200. */
export interface Sink {
  url: string;
  received(): number;
  reset(): void;
  stop(): Promise<void>;
}

export async function startSink(): Promise<Sink> {
  let received = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received += (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { hashes: string[] }).hashes.length;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  // Longer than the client's idle timeout, so connections are reused, never cut under it.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => received,
    reset: () => void (received = 0),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function plausible(email: string): boolean {
  const at = email.indexOf('@');
  if (at <= 0 || at !== email.lastIndexOf('@') || email.length > 254 || /\s/.test(email)) return false;
  const domain = email.slice(at + 1);
  return domain.indexOf('.') > 0 && !domain.endsWith('.') && !domain.includes('..');
}

/** Runs the script once over `blobName` (CSV with a header, gzipped when it ends in .gz) against the sink. */
export async function runBaseline(container: ContainerClient, blobName: string, sink: Sink, emailColumn: string): Promise<BaselineResult> {
  sink.reset();
  const pool = new Pool(sink.url, { connections: IN_FLIGHT, keepAliveTimeout: 10_000 });
  const started = performance.now();
  const cpu = process.cpuUsage();
  const body = (await container.getBlobClient(blobName).download()).readableStreamBody as Readable;
  const input = blobName.endsWith('.gz') ? body.pipe(createGunzip()) : body;
  const lines = createInterface({ input, crlfDelay: Infinity });

  const seen = new Set<string>();
  let column = -1;
  let read = 0;
  let batch: string[] = [];
  const inFlight = new Set<Promise<void>>();
  const post = async (hashes: string[]) => {
    const response = await pool.request({ method: 'POST', path: '/members', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hashes }) });
    await response.body.text();
    if (response.statusCode !== 200) throw new Error(`sink answered ${response.statusCode}`);
  };
  const send = async (hashes: string[]) => {
    const request = post(hashes).finally(() => inFlight.delete(request));
    inFlight.add(request);
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  };

  for await (const line of lines) {
    // The file's own shape is known: no commas inside fields, the email may be quoted.
    const fields = line.split(',');
    if (column < 0) {
      column = fields.indexOf(emailColumn);
      continue;
    }
    read++;
    const email = (fields[column] ?? '').replaceAll('"', '').trim().toLowerCase();
    if (!plausible(email) || seen.has(email)) continue;
    seen.add(email);
    batch.push(createHash('sha256').update(email).digest('hex'));
    if (batch.length === BATCH) {
      await send(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await send(batch);
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  const used = process.cpuUsage(cpu);
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6, read, valid: seen.size, received: sink.received() };
}

import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { azuriteConnectionString } from '../../dev/azurite.js';

/**
 * A fault-injecting HTTP proxy in front of Azurite, for the reliability suite: one loopback
 * listener per storage service (blob, queue, table), each forwarding to Azurite's port for
 * that service, streaming both ways. `throttle(share)` makes it answer that share of the
 * requests itself with 503 ServerBusy and the body Azure Storage sends (XML for blobs and
 * queues, JSON for tables), spread evenly rather than at random so a case is repeatable.
 *
 * The app is pointed at `connectionString`; Azurite's ports are learned after it starts
 * (`setUpstream`), and requests that come earlier wait for them.
 */

export type StorageService = 'blob' | 'queue' | 'table';
const SERVICES: StorageService[] = ['blob', 'queue', 'table'];

export interface StorageProxy {
  connectionString: string;
  setUpstream(ports: Record<StorageService, number>): void;
  /** From now on, answer `share` (0 to 1) of the requests with 503 ServerBusy; 0 stops. */
  throttle(share: number): void;
  readonly counts: { forwarded: number; throttled: number };
  stop(): Promise<void>;
}

function serverBusy(service: StorageService): { headers: Record<string, string>; body: string } {
  const requestId = randomUUID();
  const message = 'The server is busy.';
  const headers = { 'x-ms-error-code': 'ServerBusy', 'x-ms-request-id': requestId, 'x-ms-version': '2025-11-05' };
  if (service === 'table') {
    return {
      headers: { ...headers, 'content-type': 'application/json;odata=minimalmetadata;streaming=true;charset=utf-8' },
      body: JSON.stringify({ 'odata.error': { code: 'ServerBusy', message: { lang: 'en-US', value: `${message}\nRequestId:${requestId}\nTime:${new Date().toISOString()}` } } }),
    };
  }
  return {
    headers: { ...headers, 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>${message}\nRequestId:${requestId}\nTime:${new Date().toISOString()}</Message></Error>`,
  };
}

export async function startStorageProxy(): Promise<StorageProxy> {
  let setPorts!: (ports: Record<StorageService, number>) => void;
  const upstream = new Promise<Record<StorageService, number>>((resolve) => (setPorts = resolve));
  const agent = new http.Agent({ keepAlive: true });
  const counts = { forwarded: 0, throttled: 0 };
  let share = 0;
  let seen = 0;
  // Evenly spread: request n is refused when n * share crosses an integer.
  const refuseNext = () => {
    if (share <= 0) return false;
    seen++;
    return Math.floor(seen * share) !== Math.floor((seen - 1) * share);
  };

  const servers = SERVICES.map((service) =>
    http.createServer((req, res) => {
      if (refuseNext()) {
        counts.throttled++;
        const { headers, body } = serverBusy(service);
        req.resume();
        res.writeHead(503, { ...headers, 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      void upstream.then((ports) => {
        counts.forwarded++;
        const forward = http.request(
          { host: '127.0.0.1', port: ports[service], method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${ports[service]}` }, agent },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
            answer.on('error', () => res.destroy());
          },
        );
        // Azurite gone or the client gone: cut the other side, as a reset connection would.
        forward.on('error', () => res.destroy());
        res.on('close', () => {
          if (!res.writableFinished) forward.destroy();
        });
        req.pipe(forward);
      });
    }),
  );
  const ports = await Promise.all(
    servers.map(
      (server) =>
        new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
        }),
    ),
  );
  const [blob, queue, table] = ports;
  const connectionString = azuriteConnectionString('127.0.0.1', { blob: blob!, queue: queue!, table: table! });

  return {
    connectionString,
    setUpstream: (p) => setPorts(p),
    throttle(value) {
      share = Math.min(Math.max(value, 0), 1);
      seen = 0;
    },
    counts,
    async stop() {
      agent.destroy();
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}

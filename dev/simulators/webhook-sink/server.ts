import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultInjector, faultSpec, type FaultSpec } from '../common/faults.js';

/** One POST the sink received, as it arrived. */
export interface ReceivedWebhook {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The status the sink answered (an injected fault, or 200). */
  answered: number;
  receivedAt: string;
}

export interface WebhookSink {
  readonly url: string;
  /** A webhook URL on the sink; the name only tells receivers apart (`teams`, `alerts-json`...). */
  webhookUrl(name: string): string;
  received(name?: string): ReceivedWebhook[];
  inject(fault: FaultSpec): void;
  reset(): void;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Stands in for Teams workflows, Slack and any JSON receiver: answers 200 to every POST
 * under `/hooks/<name>` and keeps what arrived, unless a fault is pending (`inject`, or
 * `POST /__sim/faults` from another process). `GET /__sim/received` lists what came in.
 */
export async function startWebhookSink(options: { host?: string; port?: number } = {}): Promise<WebhookSink> {
  const received: ReceivedWebhook[] = [];
  const faults = new FaultInjector();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://sink').pathname;
      const body = Buffer.concat(chunks).toString('utf8');
      const reply = (status: number, payload?: unknown) => {
        res.writeHead(status, payload === undefined ? {} : { 'content-type': 'application/json' }).end(payload === undefined ? undefined : JSON.stringify(payload));
      };
      if (path === '/__sim/received' && req.method === 'GET') return reply(200, received);
      if (path === '/__sim/faults' && req.method === 'POST') {
        try {
          faults.inject(faultSpec.parse(JSON.parse(body)));
          return reply(204);
        } catch (error) {
          return reply(400, { message: (error as Error).message });
        }
      }
      if (path === '/__sim/reset' && req.method === 'POST') {
        received.length = 0;
        faults.clear();
        return reply(204);
      }
      if (!path.startsWith('/hooks/') || req.method !== 'POST') return reply(404, { message: 'POST to /hooks/<name>' });
      if (size > MAX_BODY_BYTES) return reply(413);
      const fault = faults.take(path);
      if (fault?.kind === 'drop') return void req.socket.destroy();
      const answered = fault?.kind === 'status' ? fault.status : 200;
      received.push({ path, headers: req.headers, body, answered, receivedAt: new Date().toISOString() });
      if (fault?.kind === 'slow') return void setTimeout(() => reply(200), fault.delayMs);
      reply(answered, answered === 200 ? undefined : { message: 'injected fault' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    url,
    webhookUrl: (name) => `${url}/hooks/${encodeURIComponent(name)}`,
    received: (name) => received.filter((r) => !name || r.path === `/hooks/${encodeURIComponent(name)}`),
    inject: (fault) => faults.inject(fault),
    reset: () => {
      received.length = 0;
      faults.clear();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

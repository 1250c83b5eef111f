import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultInjector, faultSpec } from './faults.js';
import { ServiceRateLimit, type RateLimitSpec } from './rate-limit.js';
import { RequestLog, type LoggedRequest } from './request-log.js';

export interface SimRequest {
  method: string;
  path: string;
  /** Decoded capture groups of the route's pattern. */
  params: string[];
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON or form body; undefined when there is none. */
  body: unknown;
}

export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface SimRoute {
  method: string;
  path: RegExp;
  /** Token endpoints: outside the API's authentication and rate limit. */
  public?: boolean;
  /** The body is handed over as it came (a Buffer), not parsed: file uploads. */
  raw?: boolean;
  /** The records a request carries, for the log. */
  batchSize?(request: SimRequest): number | undefined;
  handle(request: SimRequest): SimResponse | Promise<SimResponse>;
}

/** What makes one simulator differ from another: its routes and its error shapes. */
export interface ServiceBehaviour {
  name: string;
  routes: SimRoute[];
  rateLimit: RateLimitSpec;
  /** The service's answer to a missing or wrong credential; undefined when the request may pass. */
  authenticate(request: SimRequest): SimResponse | undefined;
  /** The service's 429; `retryAfterSeconds` undefined for a quota that no wait within the day lifts. */
  tooManyRequests(retryAfterSeconds: number | undefined): SimResponse;
  /** The service's 400 for a body it cannot read. */
  badRequest(message: string): SimResponse;
  /** A 500 as the service would send it. */
  serverError(): SimResponse;
  notFound(request: SimRequest): SimResponse;
  /** Service-specific inspection and switches under `/__sim/`. */
  admin?(request: SimRequest): SimResponse | undefined | Promise<SimResponse | undefined>;
  /** `GET /__sim/state`. */
  snapshot(): unknown;
  reset(): void;
}

export interface SimServerOptions {
  rateLimits?: boolean;
  /** Requests the service accepts in all (NextRoll's daily quota); unlimited when absent. */
  quota?: number;
}

/** Above the largest upload a simulated service takes (Microsoft Advertising's 100 MB bulk files), so the service's own limit answers. */
const MAX_BODY_BYTES = 160 * 1024 * 1024;

/**
 * A service simulator on plain node:http. Every API request is logged, then meets, in order:
 * an injected fault, the service's authentication, its rate limit, its route. Inspection and
 * fault injection are also served over HTTP under `/__sim/` for a separate app process.
 */
export class SimServer {
  readonly log = new RequestLog();
  readonly faults = new FaultInjector();
  rateLimits: boolean;
  quota: number | undefined;
  private limiter: ServiceRateLimit;
  /** The service's published rate, which the simulator enforces when rate limits are on. */
  get rateLimit(): RateLimitSpec {
    return this.behaviour.rateLimit;
  }
  private metered = 0;
  private readonly server: http.Server;
  private baseUrl = '';

  constructor(
    private readonly behaviour: ServiceBehaviour,
    options: SimServerOptions = {},
  ) {
    this.rateLimits = options.rateLimits ?? true;
    this.quota = options.quota;
    this.limiter = new ServiceRateLimit(behaviour.rateLimit);
    this.server = http.createServer((req, res) => {
      this.serve(req, res).catch((error: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'simulator failure', message: (error as Error).message }));
        }
      });
    });
    // Long enough that clients reuse connections as they would with the real services:
    // undici closes a socket after each response when the server's keep-alive hint is no
    // more than its 2 s threshold, and a new connection per request was most of what an
    // unthrottled Autopilot run cost (docs/benchmarks.md). stop() closes idle sockets itself.
    this.server.keepAliveTimeout = 10_000;
  }

  get url(): string {
    return this.baseUrl;
  }

  async start(host = '127.0.0.1', port = 0): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.baseUrl = `http://${shownHost}:${address.port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Forgets audiences, requests, faults and quota use; rate limits start full again. */
  reset(): void {
    this.behaviour.reset();
    this.log.clear();
    this.faults.clear();
    this.metered = 0;
    this.limiter = new ServiceRateLimit(this.behaviour.rateLimit);
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const method = req.method ?? 'GET';
    const base = { method, path: url.pathname, params: [], query: url.searchParams, headers: req.headers };

    if (url.pathname.startsWith('/__sim/')) {
      const request = { ...base, body: parseBody((await readBody(req)).toString('utf8'), req.headers['content-type']) };
      return send(res, await this.administer(request));
    }

    // Stamped on arrival, before the body is read: rates are measured as the client sent.
    const entry = this.log.begin(method, url.pathname);
    const rawBody = await readBody(req);
    const fault = this.faults.take(url.pathname);
    if (fault?.kind === 'drop') {
      entry.fault = 'drop';
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      entry.fault = 'status';
      const answer = fault.status === 429 ? this.behaviour.tooManyRequests(fault.retryAfterSeconds ?? 1) : this.behaviour.serverError();
      return this.finish(res, entry, { ...answer, status: fault.status });
    }

    const response = await this.handle(base, rawBody, req.headers['content-type'], entry);
    if (fault?.kind === 'slow') {
      entry.fault = 'slow';
      await sleep(fault.delayMs);
    }
    this.finish(res, entry, response);
  }

  private async handle(
    base: Omit<SimRequest, 'body'>,
    rawBody: Buffer,
    contentType: string | undefined,
    entry: LoggedRequest,
  ): Promise<SimResponse> {
    let params: string[] = [];
    const route = this.behaviour.routes.find((candidate) => {
      if (candidate.method !== base.method) return false;
      const match = candidate.path.exec(base.path);
      if (match) params = match.slice(1).map((part) => decodeURIComponent(part ?? ''));
      return Boolean(match);
    });
    let body: unknown = rawBody;
    if (!route?.raw) {
      try {
        body = parseBody(rawBody.toString('utf8'), contentType, true);
      } catch {
        return this.behaviour.badRequest('the request body is not valid JSON');
      }
    }
    const request: SimRequest = { ...base, params, body };
    if (!route?.public) {
      const refused = this.behaviour.authenticate(request);
      if (refused) return refused;
      if (this.quota !== undefined && this.metered >= this.quota) {
        entry.rateLimited = true;
        return this.behaviour.tooManyRequests(undefined);
      }
      if (this.rateLimits) {
        const admitted = this.limiter.admit();
        if (!admitted.ok) {
          entry.rateLimited = true;
          return this.behaviour.tooManyRequests(admitted.retryAfterSeconds);
        }
      }
      this.metered++;
    }
    if (!route) return this.behaviour.notFound(request);
    entry.batchSize = route.batchSize?.(request);
    return route.handle(request);
  }

  private finish(res: http.ServerResponse, entry: LoggedRequest, response: SimResponse): void {
    entry.status = response.status;
    send(res, response);
  }

  private async administer(request: SimRequest): Promise<SimResponse> {
    const route = `${request.method} ${request.path}`;
    switch (route) {
      case 'GET /__sim/state':
        return { status: 200, body: this.behaviour.snapshot() };
      case 'GET /__sim/requests':
        return { status: 200, body: { requests: this.log.all() } };
      case 'POST /__sim/faults': {
        const parsed = faultSpec.safeParse(request.body);
        if (!parsed.success) return { status: 400, body: { error: 'invalid fault', issues: parsed.error.issues } };
        this.faults.inject(parsed.data);
        return { status: 204 };
      }
      case 'DELETE /__sim/faults':
        this.faults.clear();
        return { status: 204 };
      case 'POST /__sim/rate-limit': {
        const enabled = (request.body as { enabled?: unknown } | undefined)?.enabled;
        if (typeof enabled !== 'boolean') return { status: 400, body: { error: 'enabled: true or false' } };
        this.rateLimits = enabled;
        return { status: 204 };
      }
      case 'POST /__sim/reset':
        this.reset();
        return { status: 204 };
      default:
        return (await this.behaviour.admin?.(request)) ?? { status: 404, body: { error: `no simulator route ${route}` } };
    }
  }
}

function send(res: http.ServerResponse, response: SimResponse): void {
  if (res.destroyed) return;
  const headers: Record<string, string> = { ...response.headers };
  let payload: string | Buffer | undefined;
  if (Buffer.isBuffer(response.body)) {
    payload = response.body;
    headers['content-type'] ??= 'application/octet-stream';
  } else if (response.body !== undefined) {
    payload = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
    headers['content-type'] ??= typeof response.body === 'string' ? 'text/plain' : 'application/json';
  }
  res.writeHead(response.status, headers);
  res.end(payload);
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseBody(raw: string, contentType: string | undefined, strict = false): unknown {
  if (raw === '') return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw) as unknown;
  } catch (error) {
    if (strict) throw error;
    return undefined;
  }
}

/** Small helpers for route handlers. */
export const json = (status: number, body?: unknown, headers?: Record<string, string>): SimResponse => ({ status, body, headers });

export function isPlausibleEmail(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) && !value.includes('..');
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

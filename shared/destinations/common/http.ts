import type { Readable } from 'node:stream';
import { request as undiciRequest } from 'undici';
import {
  ExponentialBackoff,
  handleType,
  retry,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
} from 'cockatiel';
import { DestinationError, type DestinationErrorCode, type HttpTuning, type Logger } from '../types.js';
import { parseRetryAfter } from './retry-after.js';
import type { RequestLimiter } from './rate-limit.js';
import { startDependency, type DependencyCall } from '../../telemetry/events.js';

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Appended to the base URL as is (callers encode path segments). */
  path: string;
  query?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
  /** A body read from a stream (a file upload): opened again for each attempt. */
  upload?: { contentType: string; length: number; open(): Readable };
  /** This request's time limit, when a large body needs longer than the usual one. */
  timeoutMs?: number;
  /** Send to this absolute URL instead of base URL + path (token endpoints on another host). */
  url?: string;
  /** Token endpoints are not metered by the API's rate limit and never carry the API's auth. */
  unmetered?: boolean;
  anonymous?: boolean;
  /**
   * For calls that are not idempotent (a create that may have gone through before the
   * connection broke): one attempt, transient failures raised for the caller to check.
   */
  once?: boolean;
  /** Reads this endpoint's error bodies when they differ from the service's usual shape. */
  readFailure?(status: number, body: unknown, headers?: Headers): FailureReading;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON when the body is JSON, else the text (empty string for no body). */
  body: unknown;
}

/** What a service's error response says, in its own shape. */
export interface FailureReading {
  message: string;
  /** Overrides the status-based mapping (e.g. Microsoft's throttling code 117 in any status). */
  code?: DestinationErrorCode;
  /** Wait before retrying when the service says so in the body rather than in `Retry-After`. */
  retryAfterMs?: number;
}

export interface ServiceClientOptions {
  /** Name used in messages, e.g. `Autopilot`. */
  service: string;
  baseUrl: string;
  limiter: RequestLimiter;
  http?: HttpTuning;
  log?: Logger;
  /** Headers (and query parameters) proving who we are; called before every attempt. */
  authorize?(): Promise<{ headers?: Record<string, string>; query?: Record<string, string> }>;
  /**
   * Called once per call on a 401: drop the cached token and say whether a fresh attempt can
   * help (false for a static API key). A second 401 fails the call with `auth-failed`.
   */
  onUnauthorized?(): Promise<boolean>;
  /** `headers`: the response's, for services that signal throttling there (Meta's X-Business-Use-Case-Usage). */
  readFailure(status: number, body: unknown, headers?: Headers): FailureReading;
}

export const defaultHttpTuning = {
  timeoutMs: 30_000,
  maxAttempts: 6,
  maxRetryWaitMs: 120_000,
} as const;

/** A failure worth another attempt: 429, 5xx, a timeout or a dropped connection. */
class TransientFailure extends Error {
  constructor(
    message: string,
    readonly code: 'rate-limited' | 'transient',
    readonly retryAfterMs?: number,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The service refused our token; handled outside the retry policy (refresh once). */
class Unauthorized extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * The HTTP plumbing every connector shares: client-side rate limit, time limit per request,
 * retries of transient failures with exponential backoff and decorrelated jitter that wait at
 * least as long as the service's `Retry-After`, one token refresh on 401, and errors mapped to
 * DestinationError. Connectors only say how to authorize and how to read their error bodies.
 * Nothing here logs request bodies, headers or tokens.
 */
export class ServiceClient {
  private readonly tuning: Required<Omit<HttpTuning, 'requestsPerSecond'>>;

  constructor(private readonly options: ServiceClientOptions) {
    this.tuning = { ...defaultHttpTuning, ...withoutUndefined(options.http ?? {}) };
  }

  /** One call with all its attempts, reported as one dependency with its retry count. */
  async send(request: ApiRequest): Promise<ApiResponse> {
    const call = startDependency(this.options.service, request.method, new URL(request.url ?? joinUrl(this.options.baseUrl, request.path)));
    try {
      const response = await this.sendWithRetries(request, call);
      call.end({ status: response.status });
      return response;
    } catch (error) {
      call.end({ ...(error instanceof DestinationError && error.status !== undefined ? { status: error.status } : {}), error: error as Error });
      throw error;
    }
  }

  private async sendWithRetries(request: ApiRequest, call: DependencyCall): Promise<ApiResponse> {
    const what = `${this.options.service} ${request.method} ${request.path}`;
    const policy = retry(handleType(TransientFailure), {
      maxAttempts: request.once ? 0 : this.tuning.maxAttempts - 1,
      backoff: honourRetryAfter(new ExponentialBackoff({ initialDelay: 250, maxDelay: 30_000 })),
    });
    policy.onRetry((event) => {
      call.retried();
      const reason = 'error' in event ? event.error.message : 'unexpected result';
      this.options.log?.warn(`${what}: ${reason}; attempt ${event.attempt + 1} in ${Math.round(event.delay)} ms`);
    });

    let refreshed = false;
    for (;;) {
      try {
        return await policy.execute(() => this.attempt(request, what));
      } catch (error) {
        if (error instanceof Unauthorized) {
          if (!refreshed && !request.anonymous && this.options.onUnauthorized && (await this.options.onUnauthorized())) {
            refreshed = true;
            call.retried();
            continue;
          }
          throw new DestinationError('auth-failed', `${what}: ${error.message}`, false, error.status);
        }
        if (error instanceof TransientFailure) {
          throw new DestinationError(
            error.code,
            request.once ? `${what}: ${error.message}` : `${what}: ${error.message} (gave up after ${this.tuning.maxAttempts} attempts)`,
            true,
            error.status,
          );
        }
        throw error;
      }
    }
  }

  private async attempt(request: ApiRequest, what: string): Promise<ApiResponse> {
    if (!request.unmetered) await this.options.limiter.take();
    const auth = request.anonymous ? {} : ((await this.options.authorize?.()) ?? {});
    const url = new URL(request.url ?? joinUrl(this.options.baseUrl, request.path));
    for (const [name, value] of Object.entries({ ...request.query, ...auth.query })) url.searchParams.set(name, value);
    const headers: Record<string, string> = { accept: 'application/json', ...auth.headers };
    let body: string | Readable | undefined;
    if (request.upload) {
      headers['content-type'] = request.upload.contentType;
      headers['content-length'] = String(request.upload.length);
      body = request.upload.open();
    } else if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    } else if (request.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(request.form).toString();
    }

    let status: number;
    let responseHeaders: Headers;
    let text: string;
    try {
      // undici's request(), not fetch(): the same client underneath without the WHATWG
      // streams: less CPU a request, which is what bounds an unthrottled run (docs/benchmarks.md).
      const response = await undiciRequest(url, {
        method: request.method,
        headers,
        body,
        signal: AbortSignal.timeout(request.timeoutMs ?? this.tuning.timeoutMs),
      });
      status = response.statusCode;
      responseHeaders = toHeaders(response.headers);
      text = await response.body.text();
    } catch (error) {
      throw new TransientFailure(describeNetworkError(error, request.timeoutMs ?? this.tuning.timeoutMs), 'transient');
    }

    const parsed = parseBody(text, responseHeaders);
    if (status >= 200 && status < 300) return { status, headers: responseHeaders, body: parsed };

    const reading = (request.readFailure ?? this.options.readFailure)(status, parsed, responseHeaders);
    const message = `${status} ${reading.message}`.trim();
    if (status === 401) throw new Unauthorized(message, status);
    const retryAfterMs = parseRetryAfter(responseHeaders.get('retry-after')) ?? reading.retryAfterMs;
    const code = reading.code ?? codeForStatus(status);
    if (code === 'rate-limited' || code === 'transient') {
      if (retryAfterMs !== undefined && retryAfterMs > this.tuning.maxRetryWaitMs) {
        throw new DestinationError(
          code,
          `${what}: ${message}; the service asks to wait ${Math.ceil(retryAfterMs / 1000)} s, longer than this call waits`,
          true,
          status,
          retryAfterMs,
        );
      }
      throw new TransientFailure(message, code, retryAfterMs, status);
    }
    throw new DestinationError(code, `${what}: ${message}`, undefined, status);
  }
}

function codeForStatus(status: number): DestinationErrorCode {
  if (status === 429) return 'rate-limited';
  if (status >= 500 || status === 408) return 'transient';
  if (status === 403) return 'auth-failed';
  if (status === 404) return 'not-found';
  if (status === 400 || status === 409 || status === 413 || status === 422) return 'invalid-request';
  return 'destination-error';
}

/** Exponential backoff with jitter, but never shorter than what the service asked for. */
function honourRetryAfter(inner: IBackoffFactory<unknown>): IBackoffFactory<IRetryBackoffContext<unknown>> {
  const wrap = (backoff: IBackoff<unknown>, context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> => {
    const failure = 'error' in context.result ? context.result.error : undefined;
    const asked = failure instanceof TransientFailure ? (failure.retryAfterMs ?? 0) : 0;
    return {
      duration: Math.max(backoff.duration, asked),
      next: (nextContext) => wrap(backoff.next(nextContext), nextContext),
    };
  };
  return { next: (context) => wrap(inner.next(context), context) };
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no response within ${timeoutMs} ms`;
  }
  // Socket errors carry a `code`, on the error itself or on its `cause`.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const detail = cause instanceof Error ? `${(cause as NodeJS.ErrnoException).code ?? cause.name}: ${cause.message}` : String(error);
  return `connection failed (${detail})`;
}

function parseBody(text: string, headers: Headers): unknown {
  if (text === '') return '';
  const type = headers.get('content-type') ?? '';
  if (type.includes('json') || /^[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** The fields that are set: spread over defaults, an explicit `undefined` would otherwise erase a default. */
export function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Reads `field` of a JSON object body, if the body is one. */
export function field(body: unknown, name: string): unknown {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)[name] : undefined;
}

import { app, type FunctionInput, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { requireRole } from '../../shared/api/access.js';
import type { Principal } from '../../shared/domain/principal.js';
import { AppError, ServiceUnavailableError, ValidationError } from '../../shared/errors.js';
import { parseIfMatch } from '../../shared/api/etag.js';
import { readPrincipal } from '../../shared/api/principal.js';
import { issuesFromZod, PROBLEM_CONTENT_TYPE, toProblem } from '../../shared/api/problem.js';
import { redactSecrets } from '../../shared/api/redact.js';
import { auditedOperations, describeChanges } from '../../shared/privacy/audit.js';
import type { RouteDoc } from '../../shared/api/route-doc.js';
import { getServices, type Services } from '../../shared/services.js';

/**
 * The one adapter between HTTP and the domain. A route is data (method, path, roles, zod
 * schemas, summary) plus a handler; the adapter registers it with `app.http`, and the same
 * definition feeds GET /api/openapi.json. Per request: the principal (401/403), then
 * params, query and body parsed with zod (400 naming the field), then the handler, then
 * JSON with ETag/Location, or problem+json for any error. Bodies are never logged.
 */

const MAX_BODY_BYTES = 1024 * 1024;
/**
 * How long a handler may take before the caller gets 503: storage that stops answering must
 * not hold an API request (and the portal) for the host's functionTimeout. Above a table
 * try's deadline (10 s), so one slow try still ends in an answer.
 */
export const API_DEADLINE_MS = 12_000;
const ANONYMOUS: Principal = { userId: 'anonymous', userDetails: '', roles: [] };

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<P, Q, B> {
  /** The caller; on `public` routes without a principal, an anonymous one without roles. */
  principal: Principal;
  params: P;
  query: Q;
  body: B;
  /** Parsed If-Match (undefined: unconditional), on routes with `ifMatch: true`. */
  ifMatch?: string[];
  services: Services;
  request: HttpRequest;
  context: InvocationContext;
}

export interface RouteReply {
  /** Default 200 with a body, 204 without. */
  status?: number;
  body?: unknown;
  etag?: string;
  /** Path of a created resource, e.g. `/api/connections/<id>`. */
  location?: string;
  headers?: Record<string, string>;
  /** A body streamed as is (e.g. a CSV report) instead of JSON. */
  stream?: { contentType: string; body: Readable };
}

export interface RouteDefinition<
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
> extends Omit<RouteDoc, 'params' | 'query' | 'body'> {
  params?: P;
  query?: Q;
  body?: B;
  /** Extra input bindings (e.g. `df.input.durableClient()`), read from `context` in the handler. */
  extraInputs?: FunctionInput[];
  /** How long the handler may take before a 503 (default API_DEADLINE_MS); longer for routes that wait on a destination. */
  deadlineMs?: number;
  handle(input: RouteInput<Output<P>, Output<Q>, Output<B>>): Promise<RouteReply>;
}

/** Identity function that lets TypeScript infer the handler's input types from the schemas. */
export function defineRoute<
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(route: RouteDefinition<P, Q, B>): RouteDefinition<P, Q, B> {
  return route;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteDefinition<any, any, any>;

const registered: AnyRoute[] = [];

/** Every route registered through this adapter, for the OpenAPI document. */
export function registeredRoutes(): readonly RouteDoc[] {
  return registered;
}

export function registerRoutes(routes: readonly AnyRoute[]): void {
  for (const route of routes) {
    app.http(route.name, {
      route: route.path,
      methods: [route.method],
      authLevel: 'anonymous',
      ...(route.extraInputs ? { extraInputs: route.extraInputs } : {}),
      handler: httpHandler(route),
    });
    registered.push(route);
  }
}

export function httpHandler(route: AnyRoute): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  return async (request, context) => {
    const path = new URL(request.url).pathname;
    let principal: Principal | undefined;
    let response: HttpResponseInit;
    try {
      const services = getServices();
      principal = readPrincipal((name) => request.headers.get(name), services.config.devPrincipal);
      if (route.roles !== 'public') requireRole(principal, route.roles);
      if (!route.body && route.method === 'POST') requireCsrfDefence(request);
      const input = {
        principal: principal ?? ANONYMOUS,
        params: parse(route.params, request.params),
        query: parse(route.query, firstValues(request.query)),
        body: route.body ? parse(route.body, await readJson(request, route.bodyOptional === true)) : undefined,
        ...(route.ifMatch ? { ifMatch: parseIfMatch(request.headers.get('if-match')) } : {}),
        services,
        request,
        context,
      };
      const result = await withDeadline(route.handle(input), route.deadlineMs ?? API_DEADLINE_MS);
      response = reply(result);
      await audit(route.name, principal, input, result, response, context);
    } catch (error) {
      response = problem(error, path);
      if (!(error instanceof AppError) && !(error instanceof z.ZodError)) {
        context.error(`${route.name} failed: ${redactSecrets(describe(error))}`);
      }
    }
    context.log(`${request.method} ${path} -> ${response.status} (${principal ? principal.userId : 'no principal'})`);
    return response;
  };
}

function parse(schema: z.ZodType | undefined, value: unknown): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = issuesFromZod(result.error);
  throw new ValidationError(issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
}

/** Query parameters; a repeated one counts with its first value. */
function firstValues(query: URLSearchParams): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of query) if (!Object.hasOwn(values, key)) values[key] = value;
  return values;
}

/**
 * The body as JSON. Only `application/json` (or a `+json` type) is read: a cross-site form
 * can send text/plain, form-urlencoded or multipart, never JSON without a preflight, so
 * refusing the rest (415) is also the CSRF defence. The body is read as it streams and
 * reading stops at the limit, so an oversized (e.g. chunked) body never sits in memory.
 */
async function readJson(request: HttpRequest, optional: boolean): Promise<unknown> {
  if (!isJsonContentType(request.headers.get('content-type'))) {
    // An optional body left out: the route is then a body-less POST and needs the CSRF defence.
    if (!optional) throw unsupportedMediaType('a request body must be application/json');
    requireCsrfDefence(request);
    if ((await readBounded(request)).trim() !== '') throw unsupportedMediaType('a request body must be application/json');
    return {};
  }
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const text = await readBounded(request);
  if (text.trim() === '') {
    if (optional) return {};
    throw ValidationError.field('(body)', 'a JSON body is required');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // The parser's own message quotes the body, which may hold credentials: keep only the position.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw ValidationError.field('(body)', `malformed JSON${position ? ` at position ${position}` : ''}`);
  }
  const forbidden = prototypeKey(parsed);
  if (forbidden) throw ValidationError.field(forbidden, 'a reserved name (prototype pollution); rename the key');
  return parsed;
}

/**
 * State-changing routes without a body (run now, test a connection) have nothing for the
 * media type check to look at; they need `Content-Type: application/json` (any body, also
 * empty) or an `X-Requested-With` header, which a cross-site form cannot send either.
 */
function requireCsrfDefence(request: HttpRequest): void {
  if (isJsonContentType(request.headers.get('content-type'))) return;
  if ((request.headers.get('x-requested-with') ?? '').trim() !== '') return;
  throw unsupportedMediaType('send Content-Type: application/json (the body may be empty) or an X-Requested-With header');
}

function isJsonContentType(header: string | null): boolean {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type);
}

async function readBounded(request: HttpRequest): Promise<string> {
  const body = request.body;
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_BODY_BYTES) {
      // Stop reading, without cancelling: cancelling tears down the connection before the 413
      // can be written. Unread, the rest waits on the wire and the host closes the connection.
      reader.releaseLock();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The path of the first `__proto__`, `constructor` or `prototype` key, which no body of this API uses. */
function prototypeKey(value: unknown, path: string[] = []): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const at = [...path, key];
    if (!Array.isArray(value) && RESERVED_KEYS.has(key)) return at.join('.');
    const found = prototypeKey(child, at);
    if (found) return found;
  }
  return undefined;
}

const unsupportedMediaType = (detail: string) => new AppError(415, 'Unsupported Media Type', detail);
const tooLarge = () => new AppError(413, 'Content Too Large', `the body exceeds ${MAX_BODY_BYTES} bytes`);

function reply(result: RouteReply): HttpResponseInit {
  const headers: Record<string, string> = { 'cache-control': 'no-store', ...result.headers };
  if (result.etag) headers.etag = result.etag;
  if (result.location) headers.location = result.location;
  if (result.stream) {
    headers['content-type'] = result.stream.contentType;
    return { status: result.status ?? 200, headers, body: result.stream.body };
  }
  if (result.body === undefined) return { status: result.status ?? 204, headers };
  headers['content-type'] = 'application/json; charset=utf-8';
  return { status: result.status ?? 200, headers, body: JSON.stringify(result.body) };
}

/**
 * The handler's result, or a 503 once `ms` have passed. The handler is not cancelled (the
 * SDKs take no signal here); a write it still completes is one the caller may repeat, which
 * the ETag and name checks make safe.
 */
async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ServiceUnavailableError(`The request did not finish within ${ms / 1000} s (storage is slow or not answering); try again in a few seconds.`)), ms);
  });
  work.catch(() => undefined); // a rejection after the deadline is nobody's to handle
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function problem(error: unknown, instance: string): HttpResponseInit {
  const details = toProblem(error, instance);
  return {
    status: details.status,
    headers: {
      'content-type': PROBLEM_CONTENT_TYPE,
      'cache-control': 'no-store',
      ...(details.status === 503 ? { 'retry-after': String(error instanceof ServiceUnavailableError ? error.retryAfterSeconds : 10) } : {}),
    },
    body: JSON.stringify(details),
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * After an audited operation succeeds: one entry in the audit trail, naming the actor, the
 * entity and the fields the request set (never a secret's value). A trail write that fails
 * is logged; the operation has happened and is not undone.
 */
async function audit(
  operation: string,
  principal: Principal | undefined,
  input: { params: unknown; body: unknown; services: Services },
  result: RouteReply,
  response: HttpResponseInit,
  context: InvocationContext,
): Promise<void> {
  const audited = auditedOperations[operation];
  if (!audited || !principal || (response.status ?? 200) >= 300) return;
  const params = (input.params ?? {}) as Record<string, string | undefined>;
  const replied = (result.body ?? {}) as { id?: unknown };
  const id = params.webhookId ?? params.id ?? (typeof replied.id === 'string' ? replied.id : audited.entity === 'schedule' ? 'refresh' : 'batch');
  const changes = describeChanges(input.body);
  try {
    await input.services.audit.record({
      actor: { userId: principal.userId, userDetails: principal.userDetails },
      action: audited.action,
      entity: { type: audited.entity, id },
      ...(changes ? { changes } : {}),
    });
  } catch (error) {
    context.error(`audit entry for ${operation} not written: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
}

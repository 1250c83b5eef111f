import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { HttpRequest, HttpResponse, type Cookie, type HttpResponseInit } from '@azure/functions';

/**
 * Between Node's HTTP server and the `@azure/functions` request/response types: the
 * request body streams into the handler, the response body (string, buffer, JSON,
 * ReadableStream or async iterable) streams back out.
 */

// Hop-by-hop headers belong to the connection, not to the request the function sees.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

export function toHttpRequest(req: IncomingMessage, url: URL, params: Record<string, string>): HttpRequest {
  const method = (req.method ?? 'GET').toUpperCase();
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const nativeRequest = new Request(url, {
    method,
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as unknown as ReadableStream, duplex: 'half' } : {}),
  } as RequestInit);
  // `nativeRequest` is how the library itself builds a streaming request (its HTTP-stream mode).
  const init = { method, url: url.toString(), params, nativeRequest } as unknown as ConstructorParameters<typeof HttpRequest>[0];
  return new HttpRequest(init);
}

/** Writes what an HTTP handler returned; `undefined` (no response) becomes 204. */
export async function writeHttpResponse(res: ServerResponse, returned: unknown, method: string): Promise<void> {
  if (returned === undefined || returned === null) {
    res.writeHead(204).end();
    return;
  }
  if (typeof returned !== 'object') throw new Error('The HTTP response must be an object with optional properties "body", "status", "headers", and "cookies".');
  const response = returned instanceof HttpResponse ? returned : new HttpResponse(returned as HttpResponseInit);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of response.headers.entries()) headers[name] = value;
  const cookies = response.cookies.map(serializeCookie);
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  const body = response.body;
  if (!body || method === 'HEAD') {
    res.end();
    return;
  }
  await pipeline(Readable.fromWeb(body as unknown as WebReadableStream), res);
}

function serializeCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${encodeURIComponent(cookie.value)}`];
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  if (cookie.path) parts.push(`Path=${cookie.path}`);
  if (cookie.expires) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.secure) parts.push('Secure');
  if (cookie.httpOnly) parts.push('HttpOnly');
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join('; ');
}

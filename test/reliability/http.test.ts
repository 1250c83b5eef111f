import http from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemSchema } from '../../shared/api/problem.js';
import { rssMb, startStack, type Stack } from './stack.js';

/** The HTTP edge of the local host as `npm start` serves it: malformed paths and bodies that never end. */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

/** A raw request, so the path goes out exactly as written (fetch would normalise it). */
function rawGet(path: string): Promise<{ status: number; contentType: string; body: string }> {
  const url = new URL(stack.hostUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('malformed percent-encoding in a path', () => {
  it('is a 400 problem naming the parameter, not a 500 with an empty body', async () => {
    for (const path of ['/api/runs/%ZZ', '/api/runs/%', '/api/exports/%E0%A4%A/runs', '/api/connections/abc%', '/api/runs/%C0%AF/rejected']) {
      const response = await rawGet(path);
      expect(response.status, `${path}: ${response.body}`).toBe(400);
      expect(response.contentType, path).toBe('application/problem+json');
      expect(JSON.parse(response.body).errors.map((e: { field: string }) => e.field), path).toContain('id');
    }
  });
});

describe('a chunked body over the limit', () => {
  it('is refused with 413 while it is still arriving, and the host does not buffer it', async () => {
    const pid = (await stack.hostPid())!;
    const before = rssMb(pid);
    const url = new URL(stack.hostUrl);
    const chunk = Buffer.alloc(256 * 1024, 'a');
    let sent = 0;
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({
        host: url.hostname,
        port: url.port,
        path: '/api/exports',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      });
      let answered = false;
      req.on('response', (res) => {
        answered = true;
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      // A connection reset before any answer is a failure (the 413 was lost), not a hang.
      req.on('error', (error) => (answered ? undefined : reject(error)));
      req.write('{"name":"');
      // 400 MB at most: the answer must come long before that.
      const pump = () => {
        while (sent < 400 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end('"}');
      };
      pump();
    });
    expect(status).toBe(413);
    expect(sent).toBeLessThan(100 * 1024 * 1024);
    expect(rssMb(pid) - before).toBeLessThan(60);
    expect((await stack.api('GET', '/destinations')).status).toBe(200);
  }, 60_000);
});

interface Exchange {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

function send(exchange: Exchange): Promise<{ status: number; contentType: string; body: string }> {
  const url = new URL(stack.hostUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: exchange.path, method: exchange.method, headers: exchange.headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.end(exchange.body);
  });
}

describe('a generated fuzz pass over every route, path, query and header', () => {
  it('never gets a 500, and every error is well-formed problem+json', async () => {
    const doc = await stack.api('GET', '/openapi.json');
    const operations = Object.entries(doc.body.paths as Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>).flatMap(([template, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ template, method: method.toUpperCase(), query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name) })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(19);

    // Path values: ids, garbage, percent-escapes good and broken, unicode, long; never a bare `/`, `?` or `#`
    // or a dot segment (`.`, `%2e%2e`), which make another path (the host's 404) rather than another value.
    const pathValue = fc.oneof(
      fc.uuid(),
      fc.string({ maxLength: 80 }).map((v) => encodeURIComponent(v)),
      fc.constantFrom('%', '%ZZ', '%E0%A4%A', '%C0%AF', '%00', '...', '%2F..%2F', 'a%20b', '%F0%9F%98%80', '8000000000000-00000000'),
      fc.string({ minLength: 1, maxLength: 3 }).map((v) => 'x'.repeat(300) + encodeURIComponent(v)),
    ).filter((v) => v !== '' && !/[/?#]/.test(v) && !/^(\.|%2e){1,2}$/i.test(v));
    const queryValue = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('0', '-1', '1001', '1e3', 'true', 'yes', 'garbage', 'e30', '%%', ''), fc.base64String({ maxLength: 120 }));
    const headerText = fc.string({ maxLength: 60 }).map((v) => v.replace(/[^\x20-\x7e]/g, ''));
    const principal = fc.oneof(
      fc.constant(undefined),
      headerText,
      fc.base64String({ maxLength: 200 }),
      fc.record({ userId: fc.string({ maxLength: 300 }), userDetails: fc.string({ maxLength: 300 }), userRoles: fc.array(fc.constantFrom('admin', 'contributor', 'x'), { maxLength: 3 }) }).map((p) =>
        Buffer.from(JSON.stringify(p)).toString('base64'),
      ),
      fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v)).toString('base64')),
    );
    const body = fc.oneof(
      fc.constant(undefined),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 200 }),
      fc.dictionary(fc.constantFrom('type', 'displayName', 'credentials', 'consent', 'name', 'connectionId', 'segments', 'dataMatching', 'settings', 'cron', 'enabled', '__proto__'), fc.jsonValue({ maxDepth: 2 })).map((v) => JSON.stringify(v)),
    );
    const exchange = fc
      .record({
        op: fc.constantFrom(...operations),
        values: fc.array(pathValue, { minLength: 2, maxLength: 2 }),
        query: fc.array(fc.tuple(fc.oneof(fc.constantFrom('top', 'continuation', 'force', 'connectionId'), fc.string({ maxLength: 10 })), queryValue), { maxLength: 3 }),
        principal,
        contentType: fc.option(fc.oneof(fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/merge-patch+json', 'multipart/form-data; boundary=x'), headerText), { nil: undefined }),
        ifMatch: fc.option(fc.oneof(fc.constant('*'), headerText), { nil: undefined }),
        requestedWith: fc.option(headerText, { nil: undefined }),
        body,
      })
      .map(({ op, values, query, principal, contentType, ifMatch, requestedWith, body }): Exchange => {
        let i = 0;
        const path = op.template.replace(/\{[^}]+\}/g, () => values[i++ % values.length]!);
        const search = query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const headers: Record<string, string> = {};
        if (principal !== undefined) headers['x-ms-client-principal'] = principal;
        if (contentType !== undefined) headers['content-type'] = contentType;
        if (ifMatch !== undefined) headers['if-match'] = ifMatch;
        if (requestedWith !== undefined) headers['x-requested-with'] = requestedWith;
        const sendsBody = body !== undefined && op.method !== 'GET';
        if (sendsBody) headers['content-length'] = String(Buffer.byteLength(body));
        return { method: op.method, path: `/api${path}${search ? `?${search}` : ''}`, headers, ...(sendsBody ? { body } : {}) };
      });

    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(exchange, async (request) => {
        const answer = await send(request);
        seen.add(answer.status);
        const what = `${request.method} ${request.path} ${JSON.stringify(request.headers).slice(0, 300)} -> ${answer.status} ${answer.body.slice(0, 300)}`;
        expect(answer.status, what).toBeLessThan(500);
        if (answer.status >= 400) {
          expect(answer.contentType, what).toBe('application/problem+json');
          const problem = problemSchema.parse(JSON.parse(answer.body));
          expect(problem.status, what).toBe(answer.status);
          expect(problem.title, what).not.toBe('');
        }
      }),
      { numRuns: 2_000, seed: 20_261_201, endOnFailure: true },
    );
    // The pass reached past validation, not only the front door.
    expect([...seen].sort()).toEqual(expect.arrayContaining([400, 401, 404]));
    expect((await stack.api('GET', '/destinations')).status).toBe(200);
  }, 180_000);
});

import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', (error) => (sent > 0 ? undefined : reject(error)));
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

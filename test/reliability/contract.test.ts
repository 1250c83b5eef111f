import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../dev/azurite.js';
import { devConnections } from '../../dev/simulators/index.js';
import { encodeClientPrincipal } from '../../shared/api/principal.js';
import { dropFile, startStack, waitFor, type Stack } from './stack.js';

/**
 * The API against its own OpenAPI document: Redocly's recommended ruleset finds no error
 * in it, and Stoplight Prism, as a validating proxy in front of the local host, finds no
 * violation in any answer over a walk of every route's success and error paths.
 */

const ROOT = path.resolve(__dirname, '../..');
const BIN = (name: string) => path.join(ROOT, 'node_modules/.bin', name);
const admin = encodeClientPrincipal({ userId: 'contract-admin', userDetails: 'admin@example.com', userRoles: ['admin'] });
const contributor = encodeClientPrincipal({ userId: 'contract-contributor', userDetails: 'c@example.com', userRoles: ['contributor'] });

let stack: Stack;
let dir: string;
let specFile: string;
let prism: ChildProcess | undefined;
let prismUrl: string;
let prismOutput = '';

beforeAll(async () => {
  stack = await startStack();
  dir = mkdtempSync(path.join(os.tmpdir(), 'contract-'));
  specFile = path.join(dir, 'openapi.json');
  const doc = await stack.api('GET', '/openapi.json');
  expect(doc.status).toBe(200);
  writeFileSync(specFile, doc.text);
}, 120_000);

afterAll(async () => {
  if (prism && prism.exitCode === null && prism.signalCode === null) {
    const exited = new Promise((resolve) => prism!.once('exit', resolve));
    prism.kill('SIGTERM');
    await exited;
  }
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the OpenAPI document', () => {
  it("passes Redocly's recommended ruleset without errors", async () => {
    const result = await run(BIN('redocly'), ['lint', '--extends', 'recommended', '--format', 'json', specFile]);
    const json = result.stdout.slice(result.stdout.indexOf('{'));
    const report = JSON.parse(json) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[] };
    const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
    expect(errors).toEqual([]);
    expect(report.totals.errors).toBe(0);
  }, 60_000);
});

interface Call {
  method: string;
  path: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  /** The status this step is meant to produce. */
  expect: number;
  /** The request is deliberately outside the contract (an error path): only the answer must conform. */
  invalidRequest?: boolean;
}

interface Violation {
  location: string[];
  message: string;
  severity: number | string;
}

async function viaPrism(call: Call): Promise<{ status: number; body: any; violations: Violation[] }> {
  const headers: Record<string, string> = { 'x-ms-client-principal': admin, ...call.headers };
  const hasBody = call.body !== undefined || call.raw !== undefined;
  if (hasBody && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  if (!hasBody && call.method === 'POST' && !('x-requested-with' in headers)) headers['x-requested-with'] = 'contract-walk';
  for (const [name, value] of Object.entries(headers)) if (value === '') delete headers[name];
  const response = await fetch(`${prismUrl}${call.path}`, {
    method: call.method,
    headers,
    ...(hasBody ? { body: call.raw ?? JSON.stringify(call.body) } : {}),
  });
  const text = await response.text();
  const violations = JSON.parse(response.headers.get('sl-violations') ?? '[]') as Violation[];
  return { status: response.status, body: /json/.test(response.headers.get('content-type') ?? '') && text ? JSON.parse(text) : text, violations };
}

describe('Prism as a validating proxy', () => {
  it('reports no violation over every route, success and error paths', async () => {
    const port = await freePort();
    prism = spawn(BIN('prism'), ['proxy', specFile, `${stack.hostUrl}/api`, '--host', '127.0.0.1', '--port', String(port), '--errors', 'false'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
    });
    prism.stdout!.on('data', (c: Buffer) => (prismOutput = (prismOutput + c.toString()).slice(-50_000)));
    prism.stderr!.on('data', (c: Buffer) => (prismOutput = (prismOutput + c.toString()).slice(-50_000)));
    prismUrl = `http://127.0.0.1:${port}`;
    await waitFor(() => /Prism is listening/.test(prismOutput), 60_000, 'Prism to listen', () => prismOutput);

    const findings: string[] = [];
    let seen = 0;
    const step = async (call: Call) => {
      const answer = await viaPrism(call);
      seen += answer.violations.length;
      const label = `${call.method} ${call.path} -> ${answer.status}`;
      if (answer.status !== call.expect) findings.push(`${label}: expected ${call.expect}: ${JSON.stringify(answer.body).slice(0, 300)}`);
      for (const v of answer.violations) {
        if (call.invalidRequest && v.location[0] === 'request') continue;
        findings.push(`${label}: ${v.location.join('.')}: ${v.message}`);
      }
      return answer;
    };

    const segment = 'contract-members';
    await dropFile(stack, `${segment}/members.csv`, `email,name\n${Array.from({ length: 20 }, (_, i) => `c.${i}@example.com,C ${i}`).join('\n')}\n`);
    await waitFor(async () => ((await stack.api('GET', '/segments')).body.items as { name: string }[]).some((s) => s.name === segment), 30_000, 'the catalog');

    await step({ method: 'GET', path: '/openapi.json', expect: 200 });
    await step({ method: 'GET', path: '/destinations', expect: 200 });
    await step({ method: 'GET', path: '/destinations', headers: { 'x-ms-client-principal': 'not base64 json' }, expect: 401, invalidRequest: true });
    await step({ method: 'GET', path: '/schedule', headers: { 'x-ms-client-principal': contributor }, expect: 403 });
    await step({ method: 'GET', path: '/segments', expect: 200 });
    await step({ method: 'GET', path: '/segments?top=0', expect: 400, invalidRequest: true });
    await step({ method: 'GET', path: '/segments?continuation=garbage', expect: 400 });

    const { credentials } = devConnections.autopilot;
    const created = await step({ method: 'POST', path: '/connections', body: { type: 'autopilot', displayName: 'Contract', credentials, consent: true }, expect: 201 });
    const connectionId = created.body.id as string;
    await step({ method: 'POST', path: '/connections', body: { type: 'autopilot', displayName: 'Contract', credentials, consent: true }, expect: 409 });
    await step({ method: 'POST', path: '/connections', body: { type: 'autopilot' }, expect: 400, invalidRequest: true });
    await step({ method: 'POST', path: '/connections', raw: '{"type":', expect: 400, invalidRequest: true });
    await step({ method: 'POST', path: '/connections', raw: 'a=b', headers: { 'content-type': 'text/plain' }, expect: 415, invalidRequest: true });
    await step({ method: 'POST', path: '/connections', raw: JSON.stringify({ displayName: 'x'.repeat(1_100_000) }), expect: 413, invalidRequest: true });
    await step({ method: 'GET', path: '/connections', expect: 200 });
    await step({ method: 'GET', path: '/connections?continuation=garbage', expect: 400 });
    const read = await step({ method: 'GET', path: `/connections/${connectionId}`, expect: 200 });
    await step({ method: 'GET', path: '/connections/00000000-0000-0000-0000-000000000000', expect: 404 });
    await step({ method: 'GET', path: '/connections/bad%20id', expect: 400, invalidRequest: true });
    await step({ method: 'PATCH', path: `/connections/${connectionId}`, body: {}, expect: 400, invalidRequest: true });
    await step({ method: 'PATCH', path: `/connections/${connectionId}`, body: { allowContributors: true }, headers: { 'if-match': '"stale"' }, expect: 412 });
    await step({ method: 'PATCH', path: `/connections/${connectionId}`, body: { allowContributors: true }, headers: { 'if-match': read.body.etag }, expect: 200 });
    await step({ method: 'POST', path: `/connections/${connectionId}/test`, expect: 200 });
    await step({ method: 'POST', path: `/connections/${connectionId}/test`, headers: { 'x-requested-with': '' }, expect: 415 });

    const exp = await step({
      method: 'POST',
      path: '/exports',
      body: { name: 'Contract export', connectionId, segments: [segment], dataMatching: { email: 'email', firstName: 'name' }, runOnSegmentRefresh: false },
      expect: 201,
    });
    const exportId = exp.body.id as string;
    await step({ method: 'POST', path: '/exports', body: { name: 'x', connectionId, segments: [], dataMatching: { email: 'email' } }, expect: 400, invalidRequest: true });
    await step({ method: 'GET', path: '/exports', expect: 200 });
    await step({ method: 'GET', path: '/exports?continuation=garbage', expect: 400 });
    const expRead = await step({ method: 'GET', path: `/exports/${exportId}`, expect: 200 });
    await step({ method: 'PATCH', path: `/exports/${exportId}`, body: { name: 'Contract export 2' }, headers: { 'if-match': expRead.body.etag }, expect: 200 });
    await step({ method: 'GET', path: '/exports/00000000-0000-0000-0000-000000000000', expect: 404 });
    await step({ method: 'DELETE', path: `/connections/${connectionId}`, expect: 409 });

    await stack.sim('autopilot').fault({ kind: 'slow', delayMs: 1_500, count: 1, path: '/contacts' });
    const started = await step({ method: 'POST', path: `/exports/${exportId}/run`, expect: 202 });
    await step({ method: 'POST', path: `/exports/${exportId}/run`, expect: 409 });
    await step({ method: 'POST', path: `/exports/${exportId}/run`, headers: { 'x-requested-with': '' }, expect: 415 });
    const runId = started.body.run.id as string;
    await step({ method: 'GET', path: `/exports/${exportId}/runs`, expect: 200 });
    await step({ method: 'GET', path: `/exports/${exportId}/runs?continuation=garbage`, expect: 400 });
    await step({ method: 'GET', path: `/runs/${runId}`, expect: 200 });
    await step({ method: 'GET', path: '/runs/8000000000000-00000000', expect: 404 });
    await waitFor(async () => ['succeeded', 'partially-succeeded', 'failed'].includes((await stack.api('GET', `/runs/${runId}`)).body.status), 60_000, 'the run');
    await step({ method: 'GET', path: `/runs/${runId}/rejected`, expect: 200 });

    await step({ method: 'GET', path: '/schedule', expect: 200 });
    await step({ method: 'PUT', path: '/schedule', body: { cron: '0 0 3 * * *' }, expect: 200 });
    await step({ method: 'PUT', path: '/schedule', body: { cron: 'every day' }, expect: 400 });
    await step({ method: 'PUT', path: '/schedule', body: { cron: '0 0 4 * * *' }, headers: { 'if-match': '"stale"' }, expect: 412 });
    await step({ method: 'PUT', path: '/schedule', body: { cron: '0 0 4 * * *' }, headers: { 'x-ms-client-principal': contributor }, expect: 403 });

    // A destination that cannot be reached: 502.
    await stack.sim('autopilot').fault({ kind: 'status', status: 500, count: 50, path: '/lists' });
    await step({ method: 'POST', path: `/connections/${connectionId}/test`, expect: 502 });
    await stack.sim('autopilot').clearFaults();

    const unknownExport = '/exports/00000000-0000-0000-0000-000000000000';
    await step({ method: 'POST', path: '/connections', body: { type: 'autopilot', displayName: 'Nope', credentials, consent: true }, headers: { 'x-ms-client-principal': contributor }, expect: 403 });
    await step({ method: 'GET', path: '/runs/8000000000000-00000000/rejected', expect: 404 });
    await step({ method: 'GET', path: `${unknownExport}/runs`, expect: 404 });
    await step({ method: 'POST', path: `${unknownExport}/run`, expect: 404 });
    await step({ method: 'PATCH', path: `/exports/${exportId}`, body: {}, expect: 400, invalidRequest: true });
    await step({ method: 'PATCH', path: `/exports/${exportId}`, body: { enabled: false }, headers: { 'if-match': '"stale"' }, expect: 412 });
    await step({ method: 'PATCH', path: `/exports/${exportId}`, body: { enabled: false }, expect: 200 });
    await step({ method: 'POST', path: `/exports/${exportId}/run`, expect: 409 });
    await step({ method: 'PATCH', path: `/connections/${connectionId}`, raw: '{"displayName":"x"}', headers: { 'content-type': 'text/plain' }, expect: 415, invalidRequest: true });

    await step({ method: 'DELETE', path: `/exports/${exportId}`, expect: 204 });
    await step({ method: 'DELETE', path: `/exports/${exportId}`, expect: 404 });
    await step({ method: 'DELETE', path: `/connections/${connectionId}?force=true`, expect: 200 });
    await step({ method: 'DELETE', path: `/connections/${connectionId}`, expect: 404 });

    expect(findings).toEqual([]);
    // The deliberately invalid requests were seen as such: Prism did validate.
    expect(seen).toBeGreaterThan(0);
  }, 180_000);
});

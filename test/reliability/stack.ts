import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { expect } from 'vitest';
import type { SegmentRun } from '../../shared/domain/run.js';
import { reconciliationErrors } from '../../shared/pipeline/counts/outcome.js';
import type { LocalEndpoints } from '../../dev/host/endpoints.js';
import { devConnections, type SimulatedService as SimulatedDestination } from '../../dev/simulators/index.js';

/**
 * Everything `npm start` starts (Azurite, the simulators, the supervised local host), run
 * as `npm start` itself in its own process group, on free ports, with a data folder of
 * its own. Tests talk to it only over HTTP and blob storage, as a user would.
 */

const ROOT = path.resolve(__dirname, '../..');
export const TERMINAL = new Set(['succeeded', 'partially-succeeded', 'failed', 'skipped']);

export interface Response<T = any> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

/** A run's counts per segment, as the API returns them. */
export type SegmentCounts = SegmentRun;

export interface Run {
  id: string;
  status: string;
  reason?: string;
  segments: SegmentCounts[];
}

export interface Stack {
  hostUrl: string;
  endpoints: LocalEndpoints;
  segments: ContainerClient;
  output(): string;
  api<T = any>(method: string, route: string, body?: unknown, headers?: Record<string, string>): Promise<Response<T>>;
  /** Azurite's process as `npm start` launched it (Linux): its pid, to freeze it, and its ports. */
  azurite(): AzuriteProcess | undefined;
  /** The pid of the host process now serving (it changes when the host is restarted). */
  hostPid(): Promise<number | undefined>;
  sim(service: SimulatedDestination): SimClient;
  stop(): Promise<void>;
}

export interface SimClient {
  url: string;
  fault(spec: Record<string, unknown>): Promise<void>;
  clearFaults(): Promise<void>;
  members(audience: string): Promise<string[]>;
}

export interface AzuriteProcess {
  pid: number;
  ports: { blob: number; queue: number; table: number };
}

/** The Azurite child of process `parent`, found in /proc by its command line. */
export function findAzurite(parent: number): AzuriteProcess | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    let args: string[];
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone meanwhile
    }
    // The parent pid is the second field after the command name in parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid !== parent || !args.some((a) => a.endsWith('azurite.js'))) continue;
    const port = (flag: string) => Number(args[args.indexOf(flag) + 1]);
    return { pid: Number(entry), ports: { blob: port('--blobPort'), queue: port('--queuePort'), table: port('--tablePort') } };
  }
  return undefined;
}

export interface StackOptions {
  /** Settings for the app that win over `npm start`'s (as the developer's shell does), e.g. another AzureWebJobsStorage. */
  env?: Record<string, string>;
  /** Called with Azurite's process as soon as `npm start` has launched it, before the host starts. */
  onAzurite?: (azurite: AzuriteProcess) => void;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'reliability-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'dev/start.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...options.env, LOCAL_PORTS: 'any', LOCAL_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-200_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', killGroup);
  if (options.onAzurite) {
    const { onAzurite } = options;
    await waitFor(() => findAzurite(child.pid!) !== undefined || child.exitCode !== null, 90_000, 'npm start to launch Azurite', () => output);
    const azurite = findAzurite(child.pid!);
    if (azurite) onAzurite(azurite);
  }
  await waitFor(() => /Try it in another terminal/.test(output) || child.exitCode !== null, 90_000, 'npm start', () => output);
  if (child.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
  const endpoints = JSON.parse(readFileSync(path.join(dataDir, 'endpoints.json'), 'utf8')) as LocalEndpoints;
  const segments = BlobServiceClient.fromConnectionString(endpoints.storage).getContainerClient('segments');
  await segments.createIfNotExists();
  const hostUrl = endpoints.hostUrl;

  const simUrl = (service: SimulatedDestination) =>
    service === 'microsoft-advertising' ? endpoints.simulators.microsoftAdvertising.api : endpoints.simulators[service as 'adroll' | 'rollworks' | 'autopilot'];

  return {
    hostUrl,
    endpoints,
    segments,
    output: () => output,
    azurite: () => findAzurite(child.pid!),
    async api(method, route, body, headers = {}) {
      const response = await fetch(`${hostUrl}/api${route}`, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      const json = /json/.test(response.headers.get('content-type') ?? '') && text ? JSON.parse(text) : text;
      return { status: response.status, headers: response.headers, text, body: json };
    },
    async hostPid() {
      const status = await fetch(`${hostUrl}/admin/host/status`, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => (r.ok ? (r.json() as Promise<{ pid?: number }>) : undefined),
        () => undefined,
      );
      return status?.pid;
    },
    sim(service) {
      // `/__sim/` sits at the server's root, below any API base path (Autopilot's `/v1`).
      const url = new URL(simUrl(service)).origin;
      return {
        url,
        async fault(spec) {
          const r = await fetch(`${url}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
          expect(r.status).toBe(204);
        },
        async clearFaults() {
          await fetch(`${url}/__sim/faults`, { method: 'DELETE' });
        },
        async members(audience) {
          const r = await fetch(`${url}/__sim/audiences/${encodeURIComponent(audience)}`);
          if (r.status === 404) return [];
          const text = await r.text();
          const members = (JSON.parse(text) as { members?: string[] }).members;
          if (r.status !== 200 || !Array.isArray(members)) throw new Error(`${url}/__sim/audiences answered ${r.status}: ${text.slice(0, 300)}`);
          return members;
        },
      };
    },
    async stop() {
      process.off('exit', killGroup);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        process.kill(-child.pid!, 'SIGTERM');
        const timer = setTimeout(killGroup, 20_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
/** A connection and an export of one segment on the simulator of `type`. */
export async function exportTo(
  stack: Stack,
  type: SimulatedDestination,
  segment: string,
  extra: Record<string, unknown> = {},
): Promise<{ exportId: string; connectionId: string }> {
  const { credentials, settings } = devConnections[type];
  const connection = await stack.api('POST', '/connections', { type, displayName: `${type} ${++counter} ${Date.now()}`, credentials, consent: true });
  expect(connection.status, connection.text).toBe(201);
  const dataMatching = type === 'autopilot' ? { email: 'email', firstName: 'name' } : { email: 'email' };
  const created = await stack.api('POST', '/exports', {
    name: `${segment} to ${type}`,
    connectionId: connection.body.id,
    segments: [segment],
    dataMatching,
    settings,
    runOnSegmentRefresh: false,
    ...extra,
  });
  expect(created.status, created.text).toBe(201);
  return { exportId: created.body.id, connectionId: connection.body.id };
}

export async function dropFile(stack: Stack, blobName: string, content: Buffer | string | (() => Readable)): Promise<void> {
  const blob = stack.segments.getBlockBlobClient(blobName);
  if (typeof content === 'function') await blob.uploadStream(content(), 4 * 1024 * 1024, 4);
  else await blob.upload(content, Buffer.byteLength(content));
}

export async function runNow(stack: Stack, exportId: string): Promise<string> {
  const started = await stack.api('POST', `/exports/${exportId}/run`);
  expect(started.status, started.text).toBe(202);
  return started.body.run.id as string;
}

export async function finished(stack: Stack, runId: string, timeoutMs = 120_000): Promise<Run> {
  let run: Run | undefined;
  await waitFor(
    async () => {
      const response = await stack.api<Run>('GET', `/runs/${runId}`).catch(() => undefined);
      run = response?.status === 200 ? response.body : undefined;
      return run !== undefined && TERMINAL.has(run.status);
    },
    timeoutMs,
    `run ${runId} to finish`,
    () => `${JSON.stringify(run)}\n${stack.output().slice(-3_000)}`,
  );
  return run!;
}

/** The rejected-rows report, without its header: one entry per row not delivered. */
export async function reportRows(stack: Stack, runId: string): Promise<string[]> {
  const report = await stack.api('GET', `/runs/${runId}/rejected`);
  expect(report.status).toBe(200);
  const lines = report.text.split('\n').filter((line) => line !== '');
  expect(lines[0]).toBe('segment,row,reason,value');
  return lines.slice(1);
}

/**
 * What every case asserts: the host still serves, the run ended with at most a one-line
 * reason, the counts reconcile, and every data row of the file was delivered or reported.
 */
export async function expectAccounted(stack: Stack, run: Run, dataRows: number, delivered: number): Promise<void> {
  await expectEnded(stack, run);
  const reported = (await reportRows(stack, run.id)).length;
  expect(delivered + reported, `delivered ${delivered} + reported ${reported} = the file's ${dataRows} data rows`).toBe(dataRows);
}

/** The part of `expectAccounted` that holds for any file: the host serves, the run ended with a short reason, the counts reconcile. */
export async function expectEnded(stack: Stack, run: Run): Promise<void> {
  expect((await stack.api('GET', '/destinations')).status, 'the host keeps serving').toBe(200);
  expect(TERMINAL.has(run.status), run.status).toBe(true);
  for (const reason of [run.reason, ...run.segments.map((s) => s.reason)]) {
    if (reason === undefined) continue;
    expect(reason, 'a reason is one line').not.toMatch(/[\r\n]/);
    expect(reason.length, 'a reason is short').toBeLessThanOrEqual(500);
  }
  for (const s of run.segments) expect(reconciliationErrors(s), JSON.stringify(s)).toEqual([]);
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string, context: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${context().slice(-5_000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Resident memory of a process in MB (Linux). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

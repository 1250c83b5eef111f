import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import { devCredentials, startSimulators, type RunningSimulators } from '../../dev/simulators/index.js';
import { stopProcess } from '../../dev/host/stop-process.js';

/**
 * The local host as `npm start` runs it: a child process serving the real app on Azurite,
 * with the destination simulators. Everything goes over real HTTP and real blob storage;
 * the host is killed in the middle of a run and restarted, and the run still delivers
 * every profile exactly once.
 */

const ROOT = path.resolve(__dirname, '../..');
const SEGMENT = 'e2e-members';
const TERMINAL = new Set(['succeeded', 'partially-succeeded', 'failed', 'skipped']);

let azurite: RunningAzurite;
let sims: RunningSimulators;
let hostUrl: string;
let hostEnv: NodeJS.ProcessEnv;
let hostPort: number;
let host: ChildProcess | undefined;
let hostOutput = '';

beforeAll(async () => {
  azurite = await startAzurite();
  sims = await startSimulators();
  hostPort = await freePort();
  hostUrl = `http://127.0.0.1:${hostPort}`;
  hostEnv = {
    ...process.env,
    ...sims.env,
    AzureWebJobsStorage: azurite.connectionString,
    DURABLE_TASK_HUB: 'EndToEnd',
    SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    DEV_PRINCIPAL: JSON.stringify({ userId: 'e2e-admin', userDetails: 'e2e@localhost', userRoles: ['admin'] }),
  };
  await startHost();
}, 120_000);

afterAll(async () => {
  await stopHost('SIGTERM');
  await sims?.stop();
  await azurite?.stop();
});

/** Starts `dev/host/main.ts` as `npm start` does and waits until it answers. */
async function startHost(): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'dev/host/main.ts'), '--port', String(hostPort)], {
    cwd: ROOT,
    env: hostEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    hostOutput = (hostOutput + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  // Known before it answers, so afterAll stops it even when starting fails; never outlives the test process.
  host = child;
  process.once('exit', () => child.kill('SIGKILL'));
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`the host exited with code ${child.exitCode}:\n${hostOutput}`);
      return fetch(`${hostUrl}/admin/host/status`, { signal: AbortSignal.timeout(5_000) }).then(
        (r) => r.ok,
        () => false,
      );
    },
    60_000,
    'the local host to answer',
  );
}

async function stopHost(signal: NodeJS.Signals): Promise<void> {
  const child = host;
  host = undefined;
  await stopProcess(child, signal);
}

async function api<T>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${hostUrl}/api${route}`, {
    method,
    // JSON also on body-less POSTs: the API's CSRF defence asks for it (or X-Requested-With).
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

interface Run {
  id: string;
  status: string;
  startedAt: string;
  segments: { segment: string; read: number; valid: number; unchanged: number; sent: number; accepted: number; status: string; sync?: { ledgerAfter: number } }[];
}

async function runsOf(exportId: string): Promise<Run[]> {
  const { status, body } = await api<Run[] | { items: Run[] }>('GET', `/exports/${exportId}/runs`);
  expect(status).toBe(200);
  return Array.isArray(body) ? body : body.items;
}

async function dropSegmentFile(name: string, rows: number): Promise<string[]> {
  const emails = Array.from({ length: rows }, (_, i) => `member.${i + 1}@example.com`);
  const csv = `email,first_name\n${emails.map((email, i) => `${email},Member${i + 1}`).join('\n')}\n`;
  const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('segments');
  await container.createIfNotExists();
  await container.getBlockBlobClient(`${SEGMENT}/${name}`).upload(csv, Buffer.byteLength(csv));
  return emails;
}

async function waitForRun(exportId: string, after: Set<string>, until: (run: Run) => boolean, what: string): Promise<Run> {
  let found: Run | undefined;
  await waitFor(
    async () => {
      found = (await runsOf(exportId)).find((run) => !after.has(run.id) && until(run));
      return found !== undefined;
    },
    180_000,
    what,
  );
  return found!;
}

describe('local host end to end', () => {
  it('exports a segment file dropped into Azurite, and finishes a run interrupted by a host crash', async () => {
    const registered = (await (await fetch(`${hostUrl}/admin/functions`)).json()) as { name: string; trigger: { type: string } }[];
    const needed = ['httpTrigger', 'blobTrigger', 'orchestrationTrigger', 'activityTrigger'];
    const missing = needed.filter((type) => !registered.some((fn) => fn.trigger.type === type));
    expect(missing, `functions/index.ts registers no ${missing.join(', ')} functions yet; registered: ${registered.map((f) => f.name).join(', ') || 'none'}`).toEqual([]);

    const connection = await api<{ id: string }>('POST', '/connections', {
      type: 'autopilot',
      displayName: 'End-to-end Autopilot',
      credentials: { apiKey: devCredentials.autopilot.apiKey },
      consent: true,
    });
    expect(connection.status, JSON.stringify(connection.body)).toBe(201);
    const created = await api<{ id: string }>('POST', '/exports', {
      name: 'End-to-end export',
      connectionId: connection.body.id,
      segments: [SEGMENT],
      dataMatching: { email: 'email', firstName: 'first_name' },
      settings: {},
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const exportId = created.body.id;

    // First run: a small file, start to finish.
    const firstEmails = await dropSegmentFile('first.csv', 250);
    const first = await waitForRun(exportId, new Set(), (run) => TERMINAL.has(run.status), 'the first run to finish');
    expect(first.status).toBe('succeeded');
    expect([...sims.autopilot.audience(SEGMENT)!.members].sort()).toEqual([...firstEmails].sort());

    // Second run: slow uploads, so the host can be killed while the run is half-way.
    sims.autopilot.inject({ kind: 'slow', delayMs: 300, count: 1_000, path: '/v1/contacts' });
    const secondEmails = await dropSegmentFile('second.csv', 6_000);
    const second = await waitForRun(exportId, new Set([first.id]), () => true, 'the second run to start');
    await waitFor(async () => sims.autopilot.audience(SEGMENT)!.members.length > firstEmails.length, 120_000, 'the second run to deliver some profiles');
    expect(sims.autopilot.audience(SEGMENT)!.members.length).toBeLessThan(secondEmails.length);
    await stopHost('SIGKILL');

    sims.autopilot.faults.clear();
    await startHost();
    const finished = await waitForRun(exportId, new Set([first.id]), (run) => run.id === second.id && TERMINAL.has(run.status), 'the second run to finish after the restart');
    expect(finished.status).toBe('succeeded');
    // The first 250 members were held already: the rest went, including what the crash cut short.
    expect(finished.segments[0]).toMatchObject({ segment: SEGMENT, read: 6_000, valid: 6_000, unchanged: 250, sent: 5_750 });
    // The ledger is still true: it holds exactly the audience.
    expect(finished.segments[0]!.sync).toMatchObject({ ledgerAfter: 6_000 });

    // Every profile is in the one audience, once.
    const lists = sims.autopilot.audiences().filter((audience) => audience.name === SEGMENT);
    expect(lists).toHaveLength(1);
    expect(new Set(lists[0]!.members).size).toBe(lists[0]!.members.length);
    expect([...lists[0]!.members].sort()).toEqual([...secondEmails].sort());

    // And the next run knows it: nothing to send.
    const again = await api<{ run: Run }>('POST', `/exports/${exportId}/run`);
    expect(again.status).toBe(202);
    const third = await waitForRun(exportId, new Set([first.id, second.id]), (run) => TERMINAL.has(run.status), 'a run after the recovery');
    expect(third.segments[0]).toMatchObject({ status: 'succeeded', unchanged: 6_000, sent: 0 });
  }, 600_000);
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; host output:\n${hostOutput.slice(-5_000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

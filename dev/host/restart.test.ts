import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startAzurite, type RunningAzurite } from '../azurite.js';
import { stopProcess } from './stop-process.js';

/** The host as its own process, killed without warning and started again on the same storage. */
const ROOT = path.resolve(__dirname, '../..');
let azurite: RunningAzurite;
let dir: string;
let port: number;
let host: ChildProcess | undefined;
let output = '';

beforeAll(async () => {
  azurite = await startAzurite();
  dir = mkdtempSync(path.join(tmpdir(), 'host-restart-'));
  port = await freePort();
});

afterAll(async () => {
  await stop('SIGTERM');
  await azurite?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'dev/host/main.ts'), '--port', String(port), '--app', path.join(__dirname, 'fixtures/restart-app.ts')], {
    cwd: ROOT,
    env: { ...process.env, AzureWebJobsStorage: azurite.connectionString, DURABLE_TASK_HUB: 'RestartTests', RESTART_TEST_DIR: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  host = child;
  process.once('exit', () => child.kill('SIGKILL'));
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`host exited with ${child.exitCode}:\n${output}`);
    return fetch(`http://127.0.0.1:${port}/admin/host/status`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.ok, () => false);
  });
}

async function stop(signal: NodeJS.Signals): Promise<void> {
  const child = host;
  host = undefined;
  await stopProcess(child, signal);
}

const lines = (file: string) => (existsSync(path.join(dir, file)) ? readFileSync(path.join(dir, file), 'utf8').trim().split('\n') : []);

describe('local host restart', () => {
  it('resumes a running orchestration after being killed, re-running only the interrupted activity, and keeps blob receipts', async () => {
    await start();
    const drops = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('drops');
    await drops.createIfNotExists();
    await drops.getBlockBlobClient('before.txt').upload('x', 1);
    await waitFor(async () => lines('blobs.log').includes('before.txt'));

    const started = await fetch(`http://127.0.0.1:${port}/api/three-steps`, { method: 'POST' });
    expect(started.status).toBe(202);
    const { statusQueryGetUri } = (await started.json()) as { statusQueryGetUri: string };
    await waitFor(async () => lines('steps.log').includes('2'));

    await stop('SIGKILL');
    writeFileSync(path.join(dir, 'release'), '');
    await start();

    await waitFor(async () => (await fetch(statusQueryGetUri, { signal: AbortSignal.timeout(5_000) })).status === 200);
    expect(await (await fetch(statusQueryGetUri)).json()).toMatchObject({ runtimeStatus: 'Completed', output: [1, 2, 3] });
    // At-least-once: the step that was running when the host died ran again; the others once.
    expect(lines('steps.log')).toEqual(['1', '2', '2', '3']);

    await drops.getBlockBlobClient('after.txt').upload('y', 1);
    await waitFor(async () => lines('blobs.log').includes('after.txt'));
    expect(lines('blobs.log')).toEqual(['before.txt', 'after.txt']);
  }, 180_000);
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met in time; host output:\n${output.slice(-4_000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

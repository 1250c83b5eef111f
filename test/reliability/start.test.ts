import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { APP_PROCESS_ENV } from '../../dev/app-process-env.js';
import type { LocalEndpoints } from '../../dev/host/endpoints.js';
import { destinations, destinationTypes } from '../../shared/destinations/registry.js';

/**
 * `npm start` as a developer runs it, in its own process group on free ports with its own
 * data folder: a host that dies is restarted, and SIGTERM, SIGINT or SIGHUP, to the start
 * process or to the whole group, stops everything it started.
 */

const ROOT = path.resolve(__dirname, '../..');

interface Started {
  child: ChildProcess;
  output: () => string;
  hostUrl: string;
  ports: number[];
  dataDir: string;
}

const running: Started[] = [];
afterEach(() => {
  for (const s of running.splice(0)) {
    if (s.child.exitCode === null && s.child.signalCode === null) {
      try {
        process.kill(-s.child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(s.dataDir, { recursive: true, force: true });
  }
});

async function npmStart(): Promise<Started> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'npm-start-'));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'dev/start.ts')], {
    cwd: ROOT,
    env: { ...process.env, LOCAL_PORTS: 'any', LOCAL_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const started: Started = { child, output: () => text, hostUrl: '', ports: [], dataDir };
  running.push(started);
  await until(() => /Try it in another terminal/.test(text) || child.exitCode !== null, 90_000, () => text);
  const url = /API\s+(http:\/\/127\.0\.0\.1:\d+)\/api/.exec(text)?.[1];
  if (!url) throw new Error(`npm start did not come up:\n${text}`);
  started.hostUrl = url;
  started.ports = [...text.matchAll(/http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
  return started;
}

async function hostPid(url: string): Promise<number | undefined> {
  const status = await fetch(`${url}/admin/host/status`, { signal: AbortSignal.timeout(2_000) }).then(
    (r) => (r.ok ? (r.json() as Promise<{ pid?: number }>) : undefined),
    () => undefined,
  );
  return status?.pid;
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, context: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out; output:\n${context().slice(-4_000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

describe('npm start', () => {
  it('restarts a host killed by a signal, then stops everything on SIGTERM to its process group', async () => {
    const s = await npmStart();
    const first = await hostPid(s.hostUrl);
    expect(first).toEqual(expect.any(Number));
    // The host has the process settings Azure's app settings give it (dev/app-process-env.ts), unless the shell set its own.
    const environ = readFileSync(`/proc/${first}/environ`, 'utf8').split('\0');
    for (const [name, value] of Object.entries(APP_PROCESS_ENV)) expect(environ, name).toContain(`${name}=${process.env[name] ?? value}`);
    process.kill(first!, 'SIGKILL');
    await until(async () => {
      const pid = await hostPid(s.hostUrl);
      return pid !== undefined && pid !== first;
    }, 60_000, s.output);
    expect(s.output()).toMatch(/restarting it \(1 of 3\)/);

    process.kill(-s.child.pid!, 'SIGTERM');
    await until(() => exited(s.child), 30_000, s.output);
    for (const port of s.ports) expect(await listening(port), `port ${port} still open`).toBe(false);
  }, 180_000);

  it('lists a simulator for every registered destination, tells tools where, then stops everything on SIGHUP to the start process alone', async () => {
    const s = await npmStart();
    // What `npm run demo` reads to reach each destination's simulator, and what a newcomer sees.
    const endpoints = JSON.parse(readFileSync(path.join(s.dataDir, 'endpoints.json'), 'utf8')) as LocalEndpoints;
    expect(Object.keys(endpoints.simulatorsByType ?? {}).sort()).toEqual([...destinationTypes].sort());
    for (const type of destinationTypes) {
      const url = endpoints.simulatorsByType![type]!;
      expect(s.output()).toContain(`${destinations[type].displayName} sim`);
      expect(s.output()).toContain(url);
      expect((await fetch(`${new URL(url).origin}/__sim/state`)).status, type).toBe(200);
    }
    process.kill(s.child.pid!, 'SIGHUP');
    await until(() => exited(s.child), 30_000, s.output);
    expect(s.child.exitCode).toBe(0);
    for (const port of s.ports) expect(await listening(port), `port ${port} still open`).toBe(false);
  }, 180_000);
});

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort, startAzurite, type RunningAzurite } from './azurite.js';
import { removeEndpoints, writeEndpoints } from './host/endpoints.js';
import { buildPortal } from './portal.js';
import { withAppProcessEnv } from './app-process-env.js';
import { destinations, destinationTypes } from '../shared/destinations/registry.js';
import { startSimulators, type RunningSimulators, type SimulatedService } from './simulators/index.js';

/**
 * `npm start`: everything a developer needs, on this machine only: Azurite (data kept in
 * `.azurite/`), a simulator per destination, and the local Functions host serving the
 * app's real registrations, the portal included (built first). Ctrl-C stops all of it.
 */

const ROOT = path.resolve(__dirname, '..');
// Development switches (not app settings): another data folder, and any free ports instead of the usual ones.
const DATA = process.env.LOCAL_DATA_DIR ? path.resolve(process.env.LOCAL_DATA_DIR) : path.join(ROOT, '.azurite');
const ANY_PORTS = process.env.LOCAL_PORTS === 'any';
const HOST_PORT = 7071;
const AZURITE_PORTS = { blob: 10_000, queue: 10_001, table: 10_002 };
const SIMULATOR_PORTS: Record<SimulatedService, number> = { adroll: 7101, rollworks: 7102, 'microsoft-advertising': 7103, autopilot: 7104, meta: 7106, 'google-ads': 7107, linkedin: 7108, ortto: 7109 };
const WEBHOOK_SINK_PORT = 7105;
/** The principal assumed for requests without x-ms-client-principal (App Service auth is not in front of the local host). */
const DEV_PRINCIPAL = JSON.stringify({ userId: 'dev-admin', userDetails: 'dev-admin@localhost', userRoles: ['admin'] });

async function isFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** The wanted port if it is free, else 0 (any free port), with a note. */
async function portOr0(name: string, wanted: number, notes: string[]): Promise<number> {
  if (ANY_PORTS) return 0;
  if (await isFree(wanted)) return wanted;
  notes.push(`port ${wanted} (${name}) is taken; using another one`);
  return 0;
}

/** A development key for the encrypted secret table, kept beside the Azurite data so stored secrets stay readable. */
function developmentKey(): string {
  const file = path.join(DATA, 'secret-encryption-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

async function waitForHost(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hasExited(child)) throw new Error(`the local host exited (${child.signalCode ?? `code ${child.exitCode}`}) while starting`);
    const ready = await fetch(`${url}/admin/host/status`, { signal: AbortSignal.timeout(5_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the local host did not answer on ${url} within ${timeoutMs / 1000} s`);
}

/** How often a host that dies on its own is started again before `npm start` gives up. */
const HOST_RESTARTS = 3;
const RESTART_WINDOW_MS = 5 * 60_000;

const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** The banner's rows, labels in one column: one per destination simulator, in the registry's order, so a destination added to both is listed without a line here. */
function bannerRows(rows: [string, string][], simulators: RunningSimulators): string[] {
  const byType = simulators.byType as Partial<Record<string, { url: string }>>;
  const simulatorRows = destinationTypes.map((type): [string, string] => [`${destinations[type].displayName} sim`, byType[type]?.url ?? '(no simulator)']);
  const all = [...rows.slice(0, -1), ...simulatorRows, ...rows.slice(-1)];
  const width = Math.max(...all.map(([label]) => label.length));
  return all.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
}

async function main(): Promise<void> {
  mkdirSync(DATA, { recursive: true });
  const notes: string[] = [];
  let azurite: RunningAzurite | undefined;
  let simulators: RunningSimulators | undefined;
  let host: ChildProcess | undefined;

  let stopping: Promise<void> | undefined;
  const stopAll = (exitCode: number) => {
    stopping ??= (async () => {
      const child = host;
      // `exitCode` stays null for a child killed by a signal: look at `signalCode` too, or wait for an exit that already happened.
      if (child && !hasExited(child)) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const killTimer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(killTimer);
      }
      removeEndpoints(path.join(DATA, 'endpoints.json'));
      await simulators?.stop().catch((error: unknown) => console.error('stopping the simulators:', error));
      await azurite?.stop().catch((error: unknown) => console.error('stopping Azurite:', error));
      process.exit(exitCode);
    })();
  };
  // Ctrl-C, `kill`, a closed terminal, or a signal to the whole process group: all stop everything.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stopAll(0));
  // If this process dies without stopping it, the host goes too.
  process.once('exit', () => host?.kill('SIGKILL'));

  try {
    await buildPortal();
    azurite = await startAzurite({
      location: DATA,
      blobPort: (await portOr0('Azurite blob', AZURITE_PORTS.blob, notes)) || undefined,
      queuePort: (await portOr0('Azurite queue', AZURITE_PORTS.queue, notes)) || undefined,
      tablePort: (await portOr0('Azurite table', AZURITE_PORTS.table, notes)) || undefined,
    });
    const simulatorPorts: Partial<Record<SimulatedService, number>> = {};
    for (const [service, port] of Object.entries(SIMULATOR_PORTS) as [SimulatedService, number][]) {
      simulatorPorts[service] = await portOr0(`${service} simulator`, port, notes);
    }
    simulators = await startSimulators({ ports: simulatorPorts, webhookSinkPort: await portOr0('webhook sink', WEBHOOK_SINK_PORT, notes) });
    const hostPort = (await portOr0('Functions host', HOST_PORT, notes)) || (await freePort());

    const defaults: Record<string, string> = {
      FUNCTIONS_WORKER_RUNTIME: 'node',
      AzureWebJobsStorage: azurite.connectionString,
      DURABLE_TASK_HUB: 'SegmentExport',
      SECRET_ENCRYPTION_KEY: developmentKey(),
      DEV_PRINCIPAL,
      ...simulators.env,
    };
    // What the developer set in the shell wins, as it does over local.settings.json.
    const env: NodeJS.ProcessEnv = withAppProcessEnv({ ...defaults, ...process.env });
    for (const name of ['LOCAL_PORTS', 'LOCAL_DATA_DIR']) delete env[name];
    for (const name of Object.keys(defaults)) {
      if (process.env[name] !== undefined && process.env[name] !== defaults[name]) notes.push(`${name} comes from your environment, not from npm start`);
    }
    const url = `http://127.0.0.1:${hostPort}`;

    /**
     * The host is supervised: when it dies on its own (a crash, an out-of-memory kill, a
     * signal), it is started again, a few times within a while, saying so; runs resume
     * from the task hub. After that, everything stops rather than serve half an app.
     */
    const restarts: number[] = [];
    const launchHost = async (): Promise<void> => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'dev/host/main.ts'), '--port', String(hostPort)], {
        cwd: ROOT,
        env,
        stdio: 'inherit',
      });
      host = child;
      child.once('exit', (code, signal) => {
        if (stopping) return;
        // Exit code 0: it was stopped on purpose (e.g. a signal to the whole process group reached it first).
        if (code === 0) return stopAll(0);
        const cause = signal ?? `exit code ${code}`;
        const now = Date.now();
        while (restarts.length > 0 && now - restarts[0]! > RESTART_WINDOW_MS) restarts.shift();
        if (restarts.length >= HOST_RESTARTS) {
          console.error(`the local host stopped unexpectedly (${cause}) ${HOST_RESTARTS + 1} times within ${RESTART_WINDOW_MS / 60_000} minutes; stopping everything`);
          stopAll(1);
          return;
        }
        restarts.push(now);
        console.error(`the local host stopped unexpectedly (${cause}); restarting it (${restarts.length} of ${HOST_RESTARTS})`);
        launchHost().catch((error: unknown) => {
          console.error(`the local host did not come back: ${error instanceof Error ? error.message : String(error)}; stopping everything`);
          stopAll(1);
        });
      });
      await waitForHost(url, child);
    };
    await launchHost();

    const simulatorsByType = Object.fromEntries(Object.entries(simulators.byType).map(([type, handle]) => [type, handle.url]));
    writeEndpoints({ hostUrl: url, storage: azurite.connectionString, simulators: simulators.urls, simulatorsByType, webhookSink: simulators.webhookSink.url }, path.join(DATA, 'endpoints.json'));
    const endpoint = (kind: 'Blob' | 'Queue' | 'Table') => new RegExp(`${kind}Endpoint=([^;]+)`).exec(azurite!.connectionString)?.[1];
    console.log(
      [
        '',
        'segment-export is running locally',
        ...bannerRows(
          [
            ['Portal', `${url}/api/portal/  (act as admin or contributor with the switch at the top)`],
            ['API', `${url}/api`],
            ['Durable status', `${url}/runtime/webhooks/durabletask/instances/<instance id>`],
            ['Run a timer now', `POST ${url}/admin/functions/<function name>`],
            ['Azurite', `blob ${endpoint('Blob')}  queue ${endpoint('Queue')}  table ${endpoint('Table')}  (data in .azurite/)`],
            ['Webhook sink', `${simulators.webhookSink.url}/hooks/<name>  (what arrived: GET ${simulators.webhookSink.url}/__sim/received)`],
          ],
          simulators,
        ),
        ...notes.map((note) => `  note: ${note}`),
        '',
        'Try it in another terminal: npm run demo      Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    stopAll(1);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

/** The well-known Azurite development account (public, documented by Microsoft; not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** Folder for Azurite's data; omitted: in-memory (tests). */
  location?: string;
  host?: string;
  blobPort?: number;
  queuePort?: number;
  tablePort?: number;
  /**
   * One process per service (blob, queue, table) rather than one for all three. Azurite
   * serves everything on one Node thread; under a tenant's refresh that thread was busy all
   * the time while the app used half a core (bench --tenant), so the benchmark measured the
   * emulator. In Azure the services are separate, and far from one core. Tests keep one
   * process: they start dozens of Azurites, and each start loads the emulator again.
   */
  perService?: boolean;
}

export interface RunningAzurite {
  connectionString: string;
  ports: { blob: number; queue: number; table: number };
  stop(): Promise<void>;
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function azuriteConnectionString(host: string, ports: RunningAzurite['ports']): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${AZURITE_ACCOUNT}`,
    `AccountKey=${AZURITE_KEY}`,
    `BlobEndpoint=http://${host}:${ports.blob}/${AZURITE_ACCOUNT}`,
    `QueueEndpoint=http://${host}:${ports.queue}/${AZURITE_ACCOUNT}`,
    `TableEndpoint=http://${host}:${ports.table}/${AZURITE_ACCOUNT}`,
  ].join(';') + ';';
}

async function waitForPort(host: string, port: number, child: ChildProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Azurite exited with code ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, host, () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Azurite did not open ${host}:${port} within ${timeoutMs} ms`);
}

/**
 * Starts Azurite (blob, queue, table) from the npm package as a child process on free
 * loopback ports. The child is killed when this process exits, so a crashed test run
 * leaves nothing behind.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  // A free port can be taken by another process between finding it and Azurite binding it
  // (tests run in parallel): with ports of our choosing, try again with new ones.
  const chosen = options.blobPort === undefined && options.queuePort === undefined && options.tablePort === undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startAzuriteOnce(options);
    } catch (error) {
      if (!chosen || attempt >= 3 || !/EADDRINUSE/.test((error as Error).message)) throw error;
    }
  }
}

async function startAzuriteOnce(options: AzuriteOptions): Promise<RunningAzurite> {
  const host = options.host ?? '127.0.0.1';
  const ports = {
    blob: options.blobPort ?? (await freePort(host)),
    queue: options.queuePort ?? (await freePort(host)),
    table: options.tablePort ?? (await freePort(host)),
  };
  const dist = path.join(path.dirname(require.resolve('azurite/package.json')), 'dist/src');
  const common = [
    '--skipApiVersionCheck', '--loose', '--disableProductStyleUrl', '--silent',
    ...(options.location ? ['--location', options.location] : ['--inMemoryPersistence']),
  ];
  const serviceArgs = (service: keyof typeof ports) => [`--${service}Host`, host, `--${service}Port`, String(ports[service])];
  const launches = options.perService
    ? (['blob', 'queue', 'table'] as const).map((service) => ({ entry: path.join(dist, service, 'main.js'), args: serviceArgs(service), services: [service] }))
    : [{ entry: path.join(dist, 'azurite.js'), args: [...serviceArgs('blob'), ...serviceArgs('queue'), ...serviceArgs('table')], services: ['blob', 'queue', 'table'] as const }];
  let stderr = '';
  const children = launches.map(({ entry, args, services }) => {
    const child = spawn(process.execPath, [entry, ...args, ...common], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    return { child, services };
  });
  const killAll = () => children.forEach(({ child }) => child.kill('SIGKILL'));
  process.once('exit', killAll);
  try {
    await Promise.all(children.flatMap(({ child, services }) => services.map((service) => waitForPort(host, ports[service], child))));
  } catch (error) {
    process.off('exit', killAll);
    killAll();
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  const stopOne = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      // A child killed by a signal has no exit code, only a signal code; either means its exit event already fired.
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    });
  return {
    connectionString: azuriteConnectionString(host, ports),
    ports,
    stop: async () => {
      process.off('exit', killAll);
      await Promise.all(children.map(({ child }) => stopOne(child)));
    },
  };
}

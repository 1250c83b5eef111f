import path from 'node:path';
import { startLocalHost } from './local-host.js';

/**
 * The local host as a process of its own (what `npm start` runs, and the end-to-end test):
 *   node --import tsx dev/host/main.ts [--port 7071] [--app <module that registers the functions>]
 * Settings come from local.settings.json (or the sample) and the environment, as with
 * `func start`. SIGINT/SIGTERM stop it cleanly.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const portArg = args.indexOf('--port');
  const port = Number(portArg >= 0 ? args[portArg + 1] : (process.env.LOCAL_HOST_PORT ?? 7071));
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port must be a port number, got ${args[portArg + 1]}`);

  const appArg = args.indexOf('--app');
  const appModule = appArg >= 0 ? path.resolve(args[appArg + 1] ?? '') : undefined;

  const host = await startLocalHost({ port, ...(appModule ? { load: () => import(appModule) } : {}) });
  console.log(`Local Functions host listening on ${host.url} (task hub ${host.hostJson.taskHub})`);
  for (const fn of host.registry.functions.values()) {
    const trigger = fn.trigger as { type: string; route?: string; methods?: string[]; schedule?: string; path?: string };
    const detail =
      trigger.type === 'httpTrigger'
        ? `${(trigger.methods ?? ['ANY']).join(',')} ${host.url}/${host.hostJson.routePrefix}/${trigger.route ?? fn.name}`
        : trigger.type === 'timerTrigger'
          ? `schedule ${trigger.schedule}`
          : trigger.type === 'blobTrigger'
            ? `blob ${trigger.path}`
            : '';
    console.log(`  ${fn.name}: ${trigger.type} ${detail}`.trimEnd());
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping the local host`);
    host.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

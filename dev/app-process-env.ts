import { spawnSync } from 'node:child_process';

/**
 * Environment of a process that runs the app, set before it starts (the C library reads it
 * then): what the app settings give the Functions host and its Node worker in Azure
 * (`infra/modules/function-app.bicep`). `npm start` gives it to the local host, and the
 * benchmark, which runs the app in its own process, starts itself again with it.
 *
 * MALLOC_ARENA_MAX=2: glibc gives threads that allocate at the same time arenas of their own
 * (up to eight per core), and an arena keeps memory freed in it while any of it is in use.
 * The app allocates from the main thread, the preparing thread and libuv's pool (zlib,
 * crypto, files). The tenant benchmark's peak RSS was 423 to 461 MB with glibc's default and
 * 396 MB with two arenas, at the same speed. Other C libraries ignore it.
 */
export const APP_PROCESS_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** `env` with APP_PROCESS_ENV under it: what the developer set wins. */
export function withAppProcessEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...APP_PROCESS_ENV, ...env };
}

/**
 * Runs this script again, with the same arguments, in a child process that has
 * APP_PROCESS_ENV, when this one lacks any of it: its exit code, or undefined when this
 * process has it already (and should go on).
 */
export function rerunWithAppProcessEnv(): number | undefined {
  if (Object.keys(APP_PROCESS_ENV).every((name) => process.env[name] !== undefined)) return undefined;
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: withAppProcessEnv(process.env) });
  if (child.error) throw child.error;
  return child.status ?? 1;
}

// Runs the Azure CLI and azd for the hooks. No shell on POSIX; on Windows `az` and `azd`
// are .cmd scripts, which Node starts only through a shell, so arguments with spaces are quoted.
import { spawnSync } from 'node:child_process';

const windows = process.platform === 'win32';
const quote = (arg) => (windows && /\s/.test(arg) ? `"${arg}"` : arg);

/**
 * Runs a command; returns its stdout, or throws. `quiet` keeps its stderr for the error
 * message only; `inherit` shows all its output as it runs (and returns nothing).
 */
export function run(command, args, { quiet = false, inherit = false } = {}) {
  const result = spawnSync(command, args.map(quote), {
    encoding: 'utf8',
    shell: windows,
    stdio: inherit ? 'inherit' : ['ignore', 'pipe', quiet ? 'pipe' : 'inherit'],
  });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args[0]} ${args[1] ?? ''} failed: ${result.stderr ?? ''}`.trim());
  return result.stdout;
}

/** `az ... --output json`, parsed. */
export const az = (args, options) => JSON.parse(run('az', [...args, '--output', 'json'], options) || 'null');

export const azdEnvSet = (name, value) => run('azd', ['env', 'set', name, value]);

export function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set in the azd environment`);
  return value;
}

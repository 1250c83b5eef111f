import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * App settings the way Core Tools provides them: the `Values` of `local.settings.json`
 * (or of the checked-in `local.settings.sample.json` when there is no local file), with
 * the process environment taking precedence.
 */
export interface LocalSettings {
  /** The file the values came from, if any. */
  source?: string;
  values: Record<string, string>;
}

export function readLocalSettings(root: string, env: NodeJS.ProcessEnv = process.env): LocalSettings {
  const candidates = ['local.settings.json', 'local.settings.sample.json'].map((name) => path.join(root, name));
  const source = candidates.find((file) => existsSync(file));
  const fromFile: Record<string, string> = {};
  if (source) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(source, 'utf8'));
    } catch (error) {
      throw new Error(`${source} is not valid JSON: ${(error as Error).message}`);
    }
    const values = (parsed as { Values?: unknown }).Values ?? {};
    if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new Error(`${source}: "Values" must be an object`);
    for (const [name, value] of Object.entries(values)) {
      if (value !== null && value !== undefined) fromFile[name] = String(value);
    }
  }
  const values: Record<string, string> = { ...fromFile };
  for (const [name, value] of Object.entries(env)) if (value !== undefined) values[name] = value;
  return { ...(source ? { source } : {}), values };
}

/** Puts the file's values into the process environment without overriding what is already set. */
export function applyLocalSettings(settings: LocalSettings, env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, value] of Object.entries(settings.values)) if (env[name] === undefined) env[name] = value;
}

/** Resolves `%SETTING%` references (binding expressions in trigger metadata and host.json). */
export function resolveSettingReferences(value: string, env: NodeJS.ProcessEnv = process.env, what = 'value'): string {
  return value.replace(/%([^%]+)%/g, (_, name: string) => {
    const resolved = env[name];
    if (resolved === undefined || resolved === '') throw new Error(`${what} '${value}' refers to the app setting ${name}, which is not set`);
    return resolved;
  });
}

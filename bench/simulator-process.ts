import { spawn } from 'node:child_process';
import { scriptArgs } from './child-script.js';
import path from 'node:path';
import readline from 'node:readline';
import type { DestinationType } from '../shared/destinations/registry.js';
import { SETTINGS_END } from '../dev/simulators/settings-end.js';

/**
 * The destination simulators in a process of their own (`dev/simulators/main.ts`), driven
 * over their `/__sim/` routes. The mirror-sync benchmark runs them so: the simulators keep
 * every member of every audience, and in the benchmark's process they would count toward
 * the app's peak RSS.
 */
export interface SimulatorProcess {
  /** The app settings that point the app at the simulators. */
  env: Record<string, string>;
  /** Requests the destination's simulator received at or after `since` (epoch ms). */
  requestsSince(destination: DestinationType, since: number): Promise<number>;
  /** The requests it received at or after `since` (epoch ms): when, and whether its rate refused them. */
  requestLog(destination: DestinationType, since: number): Promise<{ at: number; rateLimited?: boolean }[]>;
  /** Members of the audience of that name; 0 when there is none. */
  audienceSize(destination: DestinationType, name: string): Promise<number>;
  /** NextRoll only: whether a members call appends or replaces. */
  setSegmentUpdates(destination: 'adroll' | 'rollworks', mode: 'append' | 'replace'): Promise<void>;
  reset(destination: DestinationType): Promise<void>;
  stop(): Promise<void>;
}

const URL_SETTING: Record<DestinationType, string> = {
  adroll: 'ADROLL_API_URL',
  rollworks: 'ROLLWORKS_API_URL',
  'microsoft-advertising': 'MSADS_API_URL',
  autopilot: 'AUTOPILOT_API_URL',
  'google-ads': 'GOOGLE_ADS_API_URL',
  meta: 'META_API_URL',
  ortto: 'ORTTO_API_URL',
  linkedin: 'LINKEDIN_API_URL',
};

export async function startSimulatorProcess(rateLimits: 'on' | 'off'): Promise<SimulatorProcess> {
  const child = spawn(process.execPath, [...scriptArgs(path.join(__dirname, '../dev/simulators'), 'main'), '--rate-limits', rateLimits, '--base-port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const env = await new Promise<Record<string, string>>((resolve, reject) => {
    const settings: Record<string, string> = {};
    const lines = readline.createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error('the simulators did not start within 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`the simulators exited with ${code} before they listened`)));
    lines.on('line', (line) => {
      const match = /^([A-Z_]+)=(.*)$/.exec(line);
      if (match) settings[match[1]!] = match[2]!;
      // Every setting, not only the service URLs: a token URL printed after them and missed
      // sent a fresh process's LinkedIn run to the sample settings' fixed port.
      if (line !== SETTINGS_END) return;
      clearTimeout(timer);
      const missing = Object.values(URL_SETTING).filter((name) => !settings[name]);
      if (missing.length > 0) reject(new Error(`the simulators printed no ${missing.join(', ')}`));
      else resolve(settings);
    });
  }).catch((error: unknown) => {
    child.kill();
    throw error;
  });

  const admin = async <T>(destination: DestinationType, method: string, route: string, body?: unknown): Promise<T | undefined> => {
    // The control routes sit at the root, whatever path the API has (Autopilot: /v1).
    const response = await fetch(`${new URL(env[URL_SETTING[destination]]!).origin}/__sim/${route}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`${method} /__sim/${route} answered ${response.status}: ${await response.text()}`);
    return response.status === 204 ? undefined : ((await response.json()) as T);
  };

  return {
    env,
    async requestsSince(destination, since) {
      const log = await admin<{ requests: { at: number }[] }>(destination, 'GET', 'requests');
      return (log?.requests ?? []).filter((request) => request.at >= since).length;
    },
    async requestLog(destination, since) {
      const log = await admin<{ requests: { at: number; rateLimited?: boolean }[] }>(destination, 'GET', 'requests');
      return (log?.requests ?? []).filter((request) => request.at >= since);
    },
    async audienceSize(destination, name) {
      const audience = await admin<{ members: unknown[] }>(destination, 'GET', `audiences/${encodeURIComponent(name)}`);
      return audience?.members.length ?? 0;
    },
    async setSegmentUpdates(destination, mode) {
      await admin(destination, 'POST', 'segment-updates', { mode });
    },
    async reset(destination) {
      await admin(destination, 'POST', 'reset');
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

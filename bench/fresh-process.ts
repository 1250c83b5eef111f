import { execFile } from 'node:child_process';
import { scriptArgs } from './child-script.js';
import { promisify } from 'node:util';

/** A run's steps in a fresh process of the app's code alone (bench/run-once.ts): what it did, and its peak RSS. */
export interface AppRun {
  seconds: number;
  valid: number;
  /** Valid members sent while preparing (a run from nothing tracked). */
  sentWhilePreparing: number;
  added: number;
  removed: number;
  ledgerAfter: number;
  peakRssMb: number;
}

const execFileAsync = promisify(execFile);

export async function runInFreshProcess(exportId: string, segment: string, blobName: string, mode: 'refresh' | 'full', rateLimits: 'on' | 'off'): Promise<AppRun> {
  const { stdout } = await execFileAsync(process.execPath, [...scriptArgs(__dirname, 'run-once'), exportId, segment, blobName, mode], {
    env: { ...process.env, BENCH_RATE_LIMITS: rateLimits },
    maxBuffer: 1024 * 1024,
  });
  const measured = JSON.parse(stdout.trim().split('\n').pop()!) as AppRun;
  return { ...measured, seconds: Math.round(measured.seconds * 100) / 100, peakRssMb: Math.round(measured.peakRssMb) };
}

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveSettingReferences } from './settings.js';

/** The parts of host.json the local host honours, with the Functions host's defaults. */
export interface HostJson {
  routePrefix: string;
  taskHub: string;
  maxConcurrentActivityFunctions: number;
  maxConcurrentOrchestratorFunctions: number;
  blobs: { maxDegreeOfParallelism: number; poisonBlobThreshold: number };
  /** `functionTimeout` in milliseconds; Infinity for `-1` (no limit, Premium and Dedicated plans). */
  functionTimeoutMs: number;
}

interface RawHostJson {
  functionTimeout?: string;
  extensions?: {
    http?: { routePrefix?: string };
    durableTask?: { hubName?: string; maxConcurrentActivityFunctions?: number; maxConcurrentOrchestratorFunctions?: number };
    blobs?: { maxDegreeOfParallelism?: number; poisonBlobThreshold?: number };
  };
}

export function readHostJson(root: string, env: NodeJS.ProcessEnv = process.env): HostJson {
  const file = path.join(root, 'host.json');
  const raw: RawHostJson = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RawHostJson) : {};
  const ext = raw.extensions ?? {};
  const hubName = ext.durableTask?.hubName;
  return {
    routePrefix: (ext.http?.routePrefix ?? 'api').replace(/^\/+|\/+$/g, ''),
    // The extension's default hub name when host.json names none.
    taskHub: hubName ? resolveSettingReferences(hubName, env, 'host.json durableTask.hubName') : 'TestHubName',
    maxConcurrentActivityFunctions: ext.durableTask?.maxConcurrentActivityFunctions ?? 10,
    maxConcurrentOrchestratorFunctions: ext.durableTask?.maxConcurrentOrchestratorFunctions ?? 10,
    blobs: {
      maxDegreeOfParallelism: ext.blobs?.maxDegreeOfParallelism ?? 8,
      poisonBlobThreshold: ext.blobs?.poisonBlobThreshold ?? 5,
    },
    functionTimeoutMs: raw.functionTimeout === undefined ? DEFAULT_FUNCTION_TIMEOUT_MS : parseTimeSpan(raw.functionTimeout),
  };
}

/** The host's default on Flex Consumption, Premium and Dedicated plans (Consumption: 5 minutes). */
const DEFAULT_FUNCTION_TIMEOUT_MS = 30 * 60_000;

/** A .NET TimeSpan as host.json writes it: `[d.]hh:mm:ss[.fffffff]`, or `-1` for no limit. */
export function parseTimeSpan(text: string): number {
  if (text.trim() === '-1') return Number.POSITIVE_INFINITY;
  const match = /^\s*(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?\s*$/.exec(text);
  if (!match) throw new Error(`host.json functionTimeout: '${text}' is not a time span like 00:30:00`);
  const [, days = '0', hours, minutes, seconds, fraction = '0'] = match;
  return ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 + Number(seconds) * 1000 + Math.round(Number(`0.${fraction}`) * 1000);
}

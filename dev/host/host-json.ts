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
}

interface RawHostJson {
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
  };
}

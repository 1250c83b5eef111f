import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Where `npm start` tells other tools (`npm run demo`) how to reach what it started: the
 * ports can differ from the defaults when those are taken.
 */
export interface LocalEndpoints {
  hostUrl: string;
  /** Azurite connection string. */
  storage: string;
  simulators: { adroll: string; rollworks: string; microsoftAdvertising: { api: string }; autopilot: string; googleAds: { api: string; token: string }; linkedin: { api: string; token: string }; ortto: string; meta?: string };
  /** Each simulator's base URL by destination type (`google-ads`, ...): what tools use to reach any of them alike. Absent in files of an older `npm start`. */
  simulatorsByType?: Record<string, string>;
  /** Base URL of the webhook sink (run notifications). */
  webhookSink?: string;
}

export const ENDPOINTS_FILE = path.resolve(__dirname, '../../.azurite/endpoints.json');

export function writeEndpoints(endpoints: LocalEndpoints, file = ENDPOINTS_FILE): void {
  writeFileSync(file, `${JSON.stringify(endpoints, null, 2)}\n`);
}

/** Where `npm start` wrote them: its data folder (`LOCAL_DATA_DIR`, as `npm start` reads it), by default `.azurite/`. */
export function readEndpoints(file = process.env.LOCAL_DATA_DIR ? path.join(path.resolve(process.env.LOCAL_DATA_DIR), 'endpoints.json') : ENDPOINTS_FILE): LocalEndpoints | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as LocalEndpoints) : undefined;
}

export function removeEndpoints(file = ENDPOINTS_FILE): void {
  rmSync(file, { force: true });
}

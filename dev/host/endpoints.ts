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
  /** Base URL of the webhook sink (run notifications). */
  webhookSink?: string;
}

export const ENDPOINTS_FILE = path.resolve(__dirname, '../../.azurite/endpoints.json');

export function writeEndpoints(endpoints: LocalEndpoints, file = ENDPOINTS_FILE): void {
  writeFileSync(file, `${JSON.stringify(endpoints, null, 2)}\n`);
}

export function readEndpoints(): LocalEndpoints | undefined {
  return existsSync(ENDPOINTS_FILE) ? (JSON.parse(readFileSync(ENDPOINTS_FILE, 'utf8')) as LocalEndpoints) : undefined;
}

export function removeEndpoints(file = ENDPOINTS_FILE): void {
  rmSync(file, { force: true });
}

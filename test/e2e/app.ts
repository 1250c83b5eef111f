import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { parse } from 'csv-parse/sync';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import { startLocalHost, type RunningLocalHost } from '../../dev/host/local-host.js';
import { devConnections, startSimulators, type RunningSimulators } from '../../dev/simulators/index.js';
import type { Run } from '../../shared/domain/run.js';
import { resetServices } from '../../shared/services.js';

/**
 * The whole app in this process, as `npm start` runs it but on free ports: Azurite, the
 * destination simulators and the local host (HTTP API, blob trigger watching Azurite,
 * durable driver). Tests talk to it over real HTTP and drop files into real blob storage.
 */
export interface RunningApp {
  url: string;
  sims: RunningSimulators;
  segments: ContainerClient;
  api<T = any>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T; text: string; headers: Headers }>;
  /** Creates a connection and an export of `segments` to `type`; returns the export id. */
  createExport(type: DestinationType, segments: string[], extra?: Record<string, unknown>): Promise<string>;
  dropFile(blobName: string, content: string | Buffer): Promise<void>;
  /** Waits for a finished run of the export that is not in `seen`. */
  waitForRun(exportId: string, seen?: Set<string>): Promise<Run>;
  /** The rejected-rows report as rows of {segment,row,reason,value}. */
  rejected(runId: string): Promise<{ segment: string; row: number; reason: string; value: string }[]>;
  stop(): Promise<void>;
}

export type DestinationType = 'adroll' | 'rollworks' | 'microsoft-advertising' | 'autopilot' | 'google-ads' | 'meta' | 'linkedin' | 'ortto';

const TERMINAL = new Set(['succeeded', 'partially-succeeded', 'failed', 'skipped']);


export interface AppOptions {
  /** The simulators enforce their services' rates (429s); default off, so tests go fast. */
  rateLimits?: 'on' | 'off';
  /** Durable timers wait this fraction of their duration; default 0.01. */
  timeScale?: number;
  /** Activity slots, where not host.json's. */
  activitySlots?: number;
}

export async function startApp(options: AppOptions = {}): Promise<RunningApp> {
  const azurite: RunningAzurite = await startAzurite();
  const sims = await startSimulators({ rateLimits: options.rateLimits ?? 'off' });
  Object.assign(process.env, sims.env, {
    AzureWebJobsStorage: azurite.connectionString,
    DURABLE_TASK_HUB: `e2e${randomBytes(4).toString('hex')}`,
    SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    DEV_PRINCIPAL: JSON.stringify({ userId: 'e2e-admin', userDetails: 'e2e@localhost', userRoles: ['admin'] }),
  });
  resetServices();
  let host: RunningLocalHost | undefined;
  try {
    host = await startLocalHost({ port: 0, blobPollIntervalMs: 100, timeScale: options.timeScale ?? 0.01, ...(options.activitySlots ? { maxConcurrentActivities: options.activitySlots } : {}), log: process.env.E2E_LOG ? (...a: unknown[]) => console.error(...a) : () => undefined });
  } catch (error) {
    await sims.stop();
    await azurite.stop();
    throw error;
  }
  const segments = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('segments');
  await segments.createIfNotExists();
  let counter = 0;

  const api: RunningApp['api'] = async (method, route, body) => {
    const response = await fetch(`${host!.url}/api${route}`, {
      method,
      // JSON also on body-less POSTs: the API's CSRF defence asks for it (or X-Requested-With).
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const json = response.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : text;
    return { status: response.status, body: json, text, headers: response.headers };
  };

  return {
    url: host.url,
    sims,
    segments,
    api,
    async createExport(type, segmentNames, extra = {}) {
      const { credentials, settings } = devConnections[type];
      const connection = await api('POST', '/connections', { type, displayName: `e2e ${type} ${++counter}`, credentials, consent: true });
      if (connection.status !== 201) throw new Error(`creating a connection answered ${connection.status}: ${connection.text}`);
      const created = await api('POST', '/exports', {
        name: `e2e export ${++counter}`,
        connectionId: connection.body.id,
        segments: segmentNames,
        dataMatching: { email: 'email' },
        settings,
        ...extra,
      });
      if (created.status !== 201) throw new Error(`creating an export answered ${created.status}: ${created.text}`);
      return created.body.id as string;
    },
    async dropFile(blobName, content) {
      const bytes = typeof content === 'string' ? Buffer.from(content) : content;
      await segments.getBlockBlobClient(blobName).uploadData(bytes);
    },
    async waitForRun(exportId, seen = new Set()) {
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline) {
        const { body } = await api<{ items: Run[] }>('GET', `/exports/${exportId}/runs`);
        const run = body.items.find((r) => !seen.has(r.id) && TERMINAL.has(r.status));
        if (run) return run;
        await sleep(100);
      }
      throw new Error(`no run of export ${exportId} finished within 90 s`);
    },
    async rejected(runId) {
      const { status, text } = await api('GET', `/runs/${runId}/rejected`);
      if (status !== 200) throw new Error(`the report answered ${status}: ${text}`);
      const rows = parse(text, { columns: true }) as { segment: string; row: string; reason: string; value: string }[];
      return rows.map((r) => ({ ...r, row: Number(r.row) }));
    },
    async stop() {
      await host?.stop();
      await sims.stop();
      await azurite.stop();
      resetServices();
    },
  };
}

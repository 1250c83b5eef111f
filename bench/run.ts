import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { createGzip } from 'node:zlib';
import type { ContainerClient } from '@azure/storage-blob';
import { parseArgs } from 'node:util';
import { startAzurite, type RunningAzurite } from '../dev/azurite.js';
import { EventType, type HistoryEvent } from '../dev/durable/history.js';
import { startLocalHost, type RunningLocalHost } from '../dev/host/local-host.js';
import { devConnections, startSimulators, type RunningSimulators } from '../dev/simulators/index.js';
import { connectDestination } from '../shared/destinations/connect.js';
import { destinationTypes, getDestination, type DestinationType } from '../shared/destinations/registry.js';
import { autopilotRequestsPerSecond } from '../shared/destinations/autopilot/definition.js';
import { microsoftAdvertisingRequestsPerSecond } from '../shared/destinations/microsoft-advertising/definition.js';
import { nextRollRequestsPerSecond } from '../shared/destinations/adroll/definition.js';
import type { Run } from '../shared/domain/run.js';
import { runInstanceId } from '../shared/pipeline/run-service.js';
import { createServices, resetServices } from '../shared/services.js';
import { generateSegment, type ExpectedCounts } from './generate.js';
import { measurePrepareMemory, type MemoryResult } from './memory.js';

/**
 * The export pipeline end to end, in this process: a generated segment file dropped into
 * Azurite, picked up by the local host's blob trigger, run by the real orchestration through
 * the durable driver and the real connectors, over loopback to the destination simulators.
 * Prints a table and a JSON summary. `npm run bench -- --help` lists the options.
 */

export interface BenchOptions {
  rows: number;
  destinations: DestinationType[];
  rateLimits: 'on' | 'off';
  /** The segment file as gzipped CSV (default) or plain CSV. */
  compression?: 'gzip' | 'none';
  /** Also measure the peak RSS of preparing files of these sizes, each in a fresh process. */
  memoryRows?: number[];
  log?: (line: string) => void;
}

export interface StageTimes {
  /** Blob committed → orchestration started (blob trigger poll, catalog, run record). */
  trigger: number;
  /** Stream, parse, validate, de-duplicate, write work files and report: one pass. */
  prepare: number;
  audience: number;
  upload: number;
  record: number;
}

export interface DestinationResult {
  destination: DestinationType;
  rows: number;
  valid: number;
  status: string;
  wallSeconds: number;
  profilesPerSecond: number;
  peakRssMb: number;
  stages: StageTimes;
  reconciled: boolean;
  mismatches: string[];
  /** With rate limits on: the least time the published rate allows, and how close the run came. */
  floor?: { seconds: number; formula: string; ratio: number };
}

export interface BenchSummary {
  machine: { cpus: number; memoryGb: number; node: string; platform: string };
  options: { rows: number; destinations: DestinationType[]; rateLimits: 'on' | 'off'; compression: 'gzip' | 'none' };
  results: DestinationResult[];
  memory?: (MemoryResult & { ratioToSmallest: number })[];
}

const PUBLISHED_RATE: Record<DestinationType, number> = {
  adroll: nextRollRequestsPerSecond,
  rollworks: nextRollRequestsPerSecond,
  'microsoft-advertising': microsoftAdvertisingRequestsPerSecond,
  autopilot: autopilotRequestsPerSecond,
};


/** The most a destination takes in one export: the file is cut to it, so a run never fails on the limit. */
function rowsFor(destination: DestinationType, requested: number): number {
  const { maxPerSegment, maxTotalPerExport } = getDestination(destination).limits;
  return Math.min(requested, maxPerSegment ?? Number.POSITIVE_INFINITY, maxTotalPerExport ?? Number.POSITIVE_INFINITY);
}

export async function runBenchmark(options: BenchOptions): Promise<BenchSummary> {
  const log = options.log ?? (() => undefined);
  const azurite: RunningAzurite = await startAzurite();
  const sims: RunningSimulators = await startSimulators({ rateLimits: options.rateLimits });
  let host: RunningLocalHost | undefined;
  const results: DestinationResult[] = [];
  try {
    Object.assign(process.env, sims.env, {
      AzureWebJobsStorage: azurite.connectionString,
      DURABLE_TASK_HUB: `bench${randomBytes(4).toString('hex')}`,
      SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      DEV_PRINCIPAL: JSON.stringify({ userId: 'bench', userDetails: 'bench@localhost', userRoles: ['admin'] }),
    });
    host = await startLocalHost({ port: 0, blobPollIntervalMs: 50, log: () => undefined });
    const services = createServices();
    if (options.rateLimits === 'off') {
      // The simulators accept as fast as they can; lift our own client-side limiter too, or
      // the benchmark would measure the limiter instead of the pipeline.
      services.destinationClient = (connection, settings) =>
        connectDestination({ secrets: services.secrets, endpoints: services.config.destinations, http: { requestsPerSecond: 100_000 } }, connection, settings);
    }
    resetServices(services);
    const segmentsContainer = await services.storage.ensureContainer(services.config.containers.segments);

    for (const destination of options.destinations) {
      log(`${destination}: generating and dropping ${rowsFor(destination, options.rows).toLocaleString('en')} rows...`);
      const result = await benchDestination(host, segmentsContainer, sims, destination, rowsFor(destination, options.rows), options.rateLimits, options.compression ?? 'gzip');
      results.push(result);
      log(`${destination}: ${result.status} in ${result.wallSeconds.toFixed(2)} s (${result.profilesPerSecond.toLocaleString('en')} profiles/s)`);
      sims.byType[destination].reset();
    }

    let memory: BenchSummary['memory'];
    if (options.memoryRows?.length) {
      const measured: MemoryResult[] = [];
      for (const rows of options.memoryRows) {
        log(`memory: preparing ${rows.toLocaleString('en')} rows in a fresh process...`);
        measured.push(await measurePrepareMemory(azurite.connectionString, rows));
      }
      const smallest = measured[0]!.peakRssMb;
      memory = measured.map((m) => ({ ...m, ratioToSmallest: Math.round((m.peakRssMb / smallest) * 100) / 100 }));
    }

    return {
      machine: { cpus: os.cpus().length, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.arch()}` },
      options: { rows: options.rows, destinations: options.destinations, rateLimits: options.rateLimits, compression: options.compression ?? 'gzip' },
      results,
      ...(memory ? { memory } : {}),
    };
  } finally {
    await host?.stop();
    resetServices();
    await sims.stop();
    await azurite.stop();
  }
}

async function api<T>(host: RunningLocalHost, method: string, route: string, body?: unknown): Promise<T> {
  const response = await fetch(`${host.url}/api${route}`, {
    method,
    // JSON also on body-less POSTs: the API's CSRF defence asks for it (or X-Requested-With).
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function benchDestination(
  host: RunningLocalHost,
  segments: ContainerClient,
  sims: RunningSimulators,
  destination: DestinationType,
  rows: number,
  rateLimits: 'on' | 'off',
  compression: 'gzip' | 'none',
): Promise<DestinationResult> {
  const segment = `bench-${destination}-${rows}-${Date.now().toString(36)}`;
  const { credentials, settings } = devConnections[destination];
  const connection = await api<{ id: string }>(host, 'POST', '/connections', { type: destination, displayName: segment, credentials, consent: true });
  const dataMatching = destination === 'autopilot' ? { email: 'email_address', firstName: 'first_name', lastName: 'last_name' } : { email: 'email_address' };
  const exp = await api<{ id: string }>(host, 'POST', '/exports', { name: segment, connectionId: connection.id, segments: [segment], dataMatching, settings });

  // The file is generated and gzipped as it uploads; the clock starts once the blob is committed.
  const { stream, expected } = generateSegment({ rows, seed: 42 });
  const file = compression === 'gzip' ? { name: 'segment.csv.gz', body: stream.pipe(createGzip({ level: 1 })) } : { name: 'segment.csv', body: stream };
  await segments.getBlockBlobClient(`${segment}/${file.name}`).uploadStream(file.body, 4 * 1024 * 1024, 4);
  const started = Date.now();

  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 50);
  let run: Run | undefined;
  try {
    while (!run) {
      const page = await api<{ items: Run[] }>(host, 'GET', `/exports/${exp.id}/runs`);
      run = page.items.find((r) => ['succeeded', 'partially-succeeded', 'failed', 'skipped'].includes(r.status));
      if (!run) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    clearInterval(sampler);
  }
  const wallSeconds = (Date.now() - started) / 1000;
  const history = (await host.driver.history(runInstanceId(exp.id))) as HistoryEvent[];
  const audience = sims.byType[destination].audiences().find((a) => a.name === segment);
  const result: DestinationResult = {
    destination,
    rows,
    valid: expected.valid,
    status: run.status,
    wallSeconds,
    profilesPerSecond: Math.round(rows / wallSeconds),
    peakRssMb: Math.round(peakRss / 2 ** 20),
    stages: stageTimes(history, started),
    ...reconcile(run, expected, audience?.members.length ?? 0),
  };
  if (rateLimits === 'on') result.floor = floorFor(destination, expected.valid, wallSeconds);
  return result;
}

function reconcile(run: Run, expected: ExpectedCounts, held: number): { reconciled: boolean; mismatches: string[] } {
  const tally = run.segments[0]!;
  const checks: [string, number, number][] = [
    ['read', tally.read, expected.read],
    ['valid', tally.valid, expected.valid],
    ['invalid', tally.invalid, expected.invalid],
    ['duplicate', tally.duplicate, expected.duplicate],
    ['sent', tally.sent, expected.valid],
    ['accepted = members the simulator holds', tally.accepted, held],
    ['read = valid + invalid + duplicate', tally.read, tally.valid + tally.invalid + tally.duplicate],
  ];
  const mismatches = checks.filter(([, got, want]) => got !== want).map(([what, got, want]) => `${what}: ${got} ≠ ${want}`);
  if (run.status !== 'succeeded') mismatches.push(`status ${run.status}${run.reason ? ` (${run.reason})` : ''}`);
  return { reconciled: mismatches.length === 0, mismatches };
}

/** Stage times from the orchestration's own history: first activity of a kind scheduled → last one completed. */
function stageTimes(history: HistoryEvent[], droppedAt: number): StageTimes {
  const at = (e: HistoryEvent) => Date.parse(e.Timestamp);
  const names = new Map<number, string>();
  const span = new Map<string, { from: number; to: number }>();
  for (const event of history) {
    if (event.EventType === EventType.TaskScheduled) {
      names.set(event.EventId, event.Name);
      const s = span.get(event.Name);
      span.set(event.Name, { from: Math.min(s?.from ?? Infinity, at(event)), to: s?.to ?? at(event) });
    } else if (event.EventType === EventType.TaskCompleted || event.EventType === EventType.TaskFailed) {
      const name = names.get(event.TaskScheduledId);
      const s = name ? span.get(name) : undefined;
      if (s) s.to = Math.max(s.to, at(event));
    }
  }
  const seconds = (name: string) => {
    const s = span.get(name);
    return s ? (s.to - s.from) / 1000 : 0;
  };
  const startedEvent = history.find((e) => e.EventType === EventType.ExecutionStarted);
  return {
    trigger: startedEvent ? Math.max(0, (at(startedEvent) - droppedAt) / 1000) : 0,
    prepare: seconds('prepareSegment'),
    audience: seconds('ensureAudience'),
    upload: seconds('uploadWorkFile'),
    record: seconds('finishRun'),
  };
}

/**
 * The least time the published rate allows: one request per batch, plus one to create the
 * audience where that is a call of its own (AdRoll's create carries the members), paced at
 * `rate` requests a second: n requests need (n - 1) / rate seconds.
 */
function floorFor(destination: DestinationType, valid: number, wallSeconds: number): DestinationResult['floor'] {
  const { limits, audienceCreationNeedsMembers } = getDestination(destination);
  const rate = PUBLISHED_RATE[destination];
  const create = audienceCreationNeedsMembers ? 0 : 1;
  const requests = Math.ceil(valid / limits.batchSize) + create;
  const seconds = (requests - 1) / rate;
  return {
    seconds,
    formula: `(ceil(${valid} / ${limits.batchSize}) + ${create} - 1) / ${rate} req/s`,
    ratio: seconds > 0 ? Math.round((wallSeconds / seconds) * 100) / 100 : Number.NaN,
  };
}

export function formatTable(summary: BenchSummary): string {
  const header = ['destination', 'rows', 'valid', 'status', 'wall s', 'profiles/s', 'peak RSS MB', 'trigger', 'prepare', 'audience', 'upload', 'record', 'reconciled'];
  const withFloor = summary.results.some((r) => r.floor);
  if (withFloor) header.push('floor s', 'wall/floor');
  const rows = summary.results.map((r) => [
    r.destination,
    r.rows.toLocaleString('en'),
    r.valid.toLocaleString('en'),
    r.status,
    r.wallSeconds.toFixed(2),
    r.profilesPerSecond.toLocaleString('en'),
    String(r.peakRssMb),
    ...[r.stages.trigger, r.stages.prepare, r.stages.audience, r.stages.upload, r.stages.record].map((s) => s.toFixed(2)),
    r.reconciled ? 'yes' : `NO: ${r.mismatches.join('; ')}`,
    ...(withFloor ? [r.floor ? r.floor.seconds.toFixed(1) : '', r.floor && Number.isFinite(r.floor.ratio) ? r.floor.ratio.toFixed(2) : 'n/a'] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  if (withFloor) {
    out.push('', 'floor = (upload requests + audience creation request - 1) / published rate:');
    for (const r of summary.results) if (r.floor) out.push(`  ${r.destination}: ${r.floor.formula} = ${r.floor.seconds.toFixed(1)} s`);
  }
  if (summary.memory) {
    out.push('', 'Peak RSS of preparing one file, each size in a fresh process:');
    for (const m of summary.memory) {
      out.push(`  ${m.rows.toLocaleString('en')} rows: ${m.peakRssMb} MB (${m.ratioToSmallest}x the smallest), ${m.rowsPerSecond.toLocaleString('en')} rows/s, reconciled: ${m.reconciled ? 'yes' : 'NO'}`);
    }
  }
  out.push('', `machine: ${summary.machine.cpus} cores, ${summary.machine.memoryGb} GB, Node ${summary.machine.node}, ${summary.machine.platform}`);
  return out.join('\n');
}

const USAGE = `npm run bench -- [--rows N] [--destination NAME|all] [--rate-limits on|off] [--compression gzip|none] [--memory] [--json FILE]
  --rows N          rows per destination (cut to the destination's limit); default 500000
  --destination     ${destinationTypes.join(', ')} or all (default)
  --rate-limits     off (default): simulators and our client accept as fast as they can;
                    on: the services' published limits, compared with the floor they set
  --compression     the segment file as gzipped CSV (default) or plain CSV (none)
  --memory          also measure the peak RSS of preparing 200,000 / 1,000,000 / 2,000,000 rows
  --json FILE       write the summary as JSON`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '500000' },
      destination: { type: 'string', default: 'all' },
      'rate-limits': { type: 'string', default: 'off' },
      compression: { type: 'string', default: 'gzip' },
      memory: { type: 'boolean', default: false },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return void console.log(USAGE);
  const rows = Number(values.rows);
  const destinations = values.destination === 'all' ? [...destinationTypes] : [values.destination as DestinationType];
  const rateLimits = values['rate-limits'];
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`--rows must be a positive integer\n${USAGE}`);
  if (!destinations.every((d) => (destinationTypes as readonly string[]).includes(d))) throw new Error(`unknown --destination ${values.destination}\n${USAGE}`);
  if (rateLimits !== 'on' && rateLimits !== 'off') throw new Error(`--rate-limits must be on or off\n${USAGE}`);
  const compression = values.compression;
  if (compression !== 'gzip' && compression !== 'none') throw new Error(`--compression must be gzip or none\n${USAGE}`);

  const summary = await runBenchmark({
    rows,
    destinations,
    rateLimits,
    compression,
    ...(values.memory ? { memoryRows: [200_000, 1_000_000, 2_000_000] } : {}),
    log: (line) => console.error(line),
  });
  console.log(formatTable(summary));
  console.log(JSON.stringify(summary, null, 2));
  if (values.json) writeFileSync(values.json, JSON.stringify(summary, null, 2));
  if (summary.results.some((r) => !r.reconciled)) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

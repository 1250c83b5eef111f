import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import type { ContainerClient } from '@azure/storage-blob';
import { parseArgs } from 'node:util';
import { rerunWithAppProcessEnv } from '../dev/app-process-env.js';
import { startAzurite, type RunningAzurite } from '../dev/azurite.js';
import type { HistoryEvent } from '../dev/durable/history.js';
import { startLocalHost, type RunningLocalHost } from '../dev/host/local-host.js';
import { devConnections } from '../dev/simulators/index.js';
import { connectDestination } from '../shared/destinations/connect.js';
import { destinationTypes, getDestination, type DestinationType } from '../shared/destinations/registry.js';
import type { Run } from '../shared/domain/run.js';
import { runInstanceId } from '../shared/pipeline/runs/run-service.js';
import { createServices, resetServices } from '../shared/services.js';
import { api, waitForRunMeasuringRss } from './app-client.js';
import { stageTimes, type StageTimes } from './stages.js';
import { benchChurn, formatChurnTable, type ChurnResult } from './churn.js';
import { generateSegment, type ExpectedCounts } from './generate.js';
import { startSimulatorProcess, type SimulatorProcess } from './simulator-process.js';
import { measurePrepareMemory, type MemoryResult } from './memory.js';
import { runBaseline, startSink, type BaselineResult, type Sink } from './baseline.js';
import { REPO_ROOT } from './child-script.js';
import { runInFreshProcess, type AppRun } from './fresh-process.js';
import { PUBLISHED_RATE } from './published-rates.js';
import { formatTenantTable, runTenantBenchmark } from './tenant.js';

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
  /** Mirror sync: a full sync, then a refresh in which this share of members left and as many joined. */
  churn?: number;
  /** With memoryRows: write a CPU profile (node --cpu-prof) of each of those processes into this folder. */
  profileDir?: string;
  /** Runs of each destination, each followed by the baseline on the same file (default 1). */
  repeat?: number;
  log?: (line: string) => void;
}


export interface DestinationResult {
  destination: DestinationType;
  rows: number;
  valid: number;
  status: string;
  wallSeconds: number;
  /**
   * CPU time of the app's process (all its threads, user + system) during the run: the local
   * host, the durable driver and the app. The storage emulator and the simulators run in
   * processes of their own and are not in it.
   */
  cpuSeconds: number;
  profilesPerSecond: number;
  peakRssMb: number;
  stages: StageTimes;
  reconciled: boolean;
  mismatches: string[];
  /** The one-off script (bench/baseline.ts) on the same file, right after this run: our wall time over its. */
  baseline?: BaselineResult & { ratio: number };
  /** With rate limits on: the least time the published rate allows, and how close the run came. */
  floor?: { seconds: number; formula: string; ratio: number };
}

/** A destination's full sync once more, from nothing tracked, its steps in a fresh process of the app's code alone. */
export interface AppFullSync extends AppRun {
  destination: DestinationType;
  reconciled: boolean;
}

export interface BenchSummary {
  machine: { cpus: number; memoryGb: number; node: string; platform: string };
  options: { rows: number; destinations: DestinationType[]; rateLimits: 'on' | 'off'; compression: 'gzip' | 'none'; repeat: number };
  results: DestinationResult[];
  churn?: ChurnResult[];
  appFullSyncs?: AppFullSync[];
  memory?: (MemoryResult & { ratioToSmallest: number })[];
}


/** The most a destination takes in one export: the file is cut to it, so a run never fails on the limit. */
function rowsFor(destination: DestinationType, requested: number): number {
  const { maxPerSegment, maxTotalPerExport } = getDestination(destination).limits;
  return Math.min(requested, maxPerSegment ?? Number.POSITIVE_INFINITY, maxTotalPerExport ?? Number.POSITIVE_INFINITY);
}

export async function runBenchmark(options: BenchOptions): Promise<BenchSummary> {
  const log = options.log ?? (() => undefined);
  const azurite: RunningAzurite = await startAzurite();
  const churnMode = options.churn !== undefined;
  // The simulators stand for remote services: they run in a process of their own, so
  // neither their CPU (parsing every request, holding every member) nor their memory is
  // counted as the app's.
  const sims: SimulatorProcess = await startSimulatorProcess(options.rateLimits);
  let host: RunningLocalHost | undefined;
  const sink: Sink = await startSink();
  const results: DestinationResult[] = [];
  const churn: ChurnResult[] = [];
  const appFullSyncs: AppFullSync[] = [];
  try {
    Object.assign(process.env, sims.env, {
      AzureWebJobsStorage: azurite.connectionString,
      DURABLE_TASK_HUB: `bench${randomBytes(4).toString('hex')}`,
      SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      DEV_PRINCIPAL: JSON.stringify({ userId: 'bench', userDetails: 'bench@localhost', userRoles: ['admin'] }),
    });
    host = await startLocalHost({ root: REPO_ROOT, port: 0, blobPollIntervalMs: 50, log: () => undefined });
    const services = createServices();
    if (options.rateLimits === 'off') {
      // The simulators accept as fast as they can; lift our own client-side limiter too, or
      // the benchmark would measure the limiter instead of the pipeline.
      services.destinationClient = (connection, settings) =>
        connectDestination({ secrets: services.secrets, endpoints: services.config.destinations, http: { requestsPerSecond: 100_000 } }, connection, settings);
    }
    resetServices(services);
    const segmentsContainer = await services.storage.ensureContainer(services.config.containers.segments);

    for (const destination of churnMode ? options.destinations : []) {
      log(`${destination}: full sync, then a refresh with ${(options.churn! * 100).toFixed(1)}% churn, ${rowsFor(destination, options.rows).toLocaleString('en')} rows...`);
      const result = await benchChurn(host, segmentsContainer, sims, destination, rowsFor(destination, options.rows), options.churn!, options.rateLimits);
      churn.push(result);
      log(`${destination}: refresh in ${result.runs[1]!.wallSeconds.toFixed(2)} s, ${result.runs[1]!.requests} requests`);
      await sims.reset(destination);
    }
    for (const destination of churnMode ? [] : options.destinations) {
      let last: { segment: string; blobName: string; valid: number } | undefined;
      for (let n = 0; n < (options.repeat ?? 1); n++) {
        log(`${destination}: generating and dropping ${rowsFor(destination, options.rows).toLocaleString('en')} rows...`);
        const { result, blobName } = await benchDestination(host, segmentsContainer, sims, destination, rowsFor(destination, options.rows), options.rateLimits, options.compression ?? 'gzip');
        await sims.reset(destination);
        // The baseline right after ours, on the same blob: the two alternate within one run,
        // so both see the same machine load.
        const baseline = await runBaseline(segmentsContainer, blobName, sink, 'email_address');
        result.baseline = { ...baseline, ratio: Math.round((result.wallSeconds / baseline.seconds) * 100) / 100 };
        if (baseline.read !== result.rows || baseline.valid !== result.valid || baseline.received !== baseline.valid) {
          result.reconciled = false;
          result.mismatches.push(`baseline read ${baseline.read}, valid ${baseline.valid}, received ${baseline.received}`);
        }
        results.push(result);
        last = { segment: blobName.split('/')[0]!, blobName, valid: result.valid };
        log(
          `${destination}: ${result.status} in ${result.wallSeconds.toFixed(2)} s (${result.profilesPerSecond.toLocaleString('en')} profiles/s); ` +
            `baseline ${baseline.seconds.toFixed(2)} s, ratio ${result.baseline.ratio.toFixed(2)}`,
        );
      }
      if (last) {
        // The same file once more for a new export (nothing tracked), the steps in a process of
        // the app's code alone: the memory a Functions worker needs for a full sync.
        log(`${destination}: the full sync's steps in a fresh process...`);
        const exportId = await createBenchExport(host, destination, last.segment);
        const measured = await runInFreshProcess(exportId, last.segment, last.blobName, 'full', options.rateLimits);
        const held = await sims.audienceSize(destination, last.segment);
        appFullSyncs.push({ destination, ...measured, reconciled: measured.valid === last.valid && measured.ledgerAfter === last.valid && held === last.valid });
        await sims.reset(destination);
      }
    }

    let memory: BenchSummary['memory'];
    if (options.memoryRows?.length) {
      const measured: MemoryResult[] = [];
      for (const rows of options.memoryRows) {
        log(`memory: preparing ${rows.toLocaleString('en')} rows in a fresh process...`);
        measured.push(await measurePrepareMemory(azurite.connectionString, rows, options.profileDir));
      }
      const smallest = measured[0]!.peakRssMb;
      memory = measured.map((m) => ({ ...m, ratioToSmallest: Math.round((m.peakRssMb / smallest) * 100) / 100 }));
    }

    return {
      machine: { cpus: os.cpus().length, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.arch()}` },
      options: { rows: options.rows, destinations: options.destinations, rateLimits: options.rateLimits, compression: options.compression ?? 'gzip', repeat: options.repeat ?? 1 },
      results,
      ...(churn.length > 0 ? { churn } : {}),
      ...(appFullSyncs.length > 0 ? { appFullSyncs } : {}),
      ...(memory ? { memory } : {}),
    };
  } finally {
    await host?.stop();
    await sink.stop();
    resetServices();
    await sims.stop();
    await azurite.stop();
  }
}

async function benchDestination(
  host: RunningLocalHost,
  segments: ContainerClient,
  sims: SimulatorProcess,
  destination: DestinationType,
  rows: number,
  rateLimits: 'on' | 'off',
  compression: 'gzip' | 'none',
): Promise<{ result: DestinationResult; blobName: string }> {
  const segment = `bench-${destination}-${rows}-${Date.now().toString(36)}`;
  const exp = { id: await createBenchExport(host, destination, segment) };

  // The file is generated and gzipped as it uploads; the clock starts once the blob is committed.
  const { stream, expected } = generateSegment({ rows, seed: 42 });
  const file = compression === 'gzip' ? { name: 'segment.csv.gz', body: stream.pipe(createGzip({ level: 1 })) } : { name: 'segment.csv', body: stream };
  await segments.getBlockBlobClient(`${segment}/${file.name}`).uploadStream(file.body, 4 * 1024 * 1024, 4);
  const started = Date.now();
  const cpu = process.cpuUsage();

  const { run, peakRssMb } = await waitForRunMeasuringRss(host, exp.id);
  const wallSeconds = (Date.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const history = (await host.driver.history(runInstanceId(exp.id))) as HistoryEvent[];
  const held = await sims.audienceSize(destination, segment);
  const result: DestinationResult = {
    destination,
    rows,
    valid: expected.valid,
    status: run.status,
    wallSeconds,
    cpuSeconds: Math.round(((used.user + used.system) / 1e6) * 100) / 100,
    profilesPerSecond: Math.round(rows / wallSeconds),
    peakRssMb,
    stages: stageTimes(history, started),
    ...reconcile(run, expected, held),
  };
  if (rateLimits === 'on') result.floor = floorFor(destination, expected.valid, wallSeconds);
  return { result, blobName: `${segment}/${file.name}` };
}

/** A connection and an export of the segment, through the API; answers the export's id. */
async function createBenchExport(host: RunningLocalHost, destination: DestinationType, segment: string): Promise<string> {
  const { credentials, settings } = devConnections[destination];
  const name = `${segment}-${randomBytes(3).toString('hex')}`;
  const connection = await api<{ id: string }>(host, 'POST', '/connections', { type: destination, displayName: name, credentials, consent: true });
  const dataMatching = destination === 'autopilot' ? { email: 'email_address', firstName: 'first_name', lastName: 'last_name' } : { email: 'email_address' };
  return (await api<{ id: string }>(host, 'POST', '/exports', { name, connectionId: connection.id, segments: [segment], dataMatching, settings })).id;
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
  if (summary.churn) return `${formatChurnTable(summary.churn)}\n\nmachine: ${summary.machine.cpus} cores, ${summary.machine.memoryGb} GB, Node ${summary.machine.node}`;
  const header = ['destination', 'rows', 'valid', 'status', 'wall s', 'baseline s', 'ratio', 'CPU s', 'baseline CPU s', 'profiles/s', 'peak RSS MB', 'trigger', 'prepare', 'audience', 'upload', 'bulk (its upload)', 'record', 'reconciled'];
  const withFloor = summary.results.some((r) => r.floor);
  if (withFloor) header.push('floor s', 'wall/floor');
  const rows = summary.results.map((r) => [
    r.destination,
    r.rows.toLocaleString('en'),
    r.valid.toLocaleString('en'),
    r.status,
    r.wallSeconds.toFixed(2),
    r.baseline ? r.baseline.seconds.toFixed(2) : '',
    r.baseline ? r.baseline.ratio.toFixed(2) : '',
    r.cpuSeconds.toFixed(2),
    r.baseline ? r.baseline.cpuSeconds.toFixed(2) : '',
    r.profilesPerSecond.toLocaleString('en'),
    String(r.peakRssMb),
    ...[r.stages.trigger, r.stages.prepare, r.stages.audience, r.stages.upload].map((s) => s.toFixed(2)),
    r.stages.bulk ? `${r.stages.bulk.toFixed(2)} (${r.stages.bulkUpload.toFixed(2)})` : '',
    r.stages.record.toFixed(2),
    r.reconciled ? 'yes' : `NO: ${r.mismatches.join('; ')}`,
    ...(withFloor ? [r.floor ? r.floor.seconds.toFixed(1) : '', r.floor && Number.isFinite(r.floor.ratio) ? r.floor.ratio.toFixed(2) : 'n/a'] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  out.push('', 'ratio = our wall time / the baseline\'s (bench/baseline.ts: the one-off script on the same file, run right after ours):');
  for (const destination of summary.options.destinations) {
    const ratios = summary.results.filter((r) => r.destination === destination && r.baseline).map((r) => r.baseline!.ratio);
    if (ratios.length === 0) continue;
    const sorted = [...ratios].sort((a, b) => a - b);
    const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
    out.push(`  ${destination}: ${sorted[0]!.toFixed(2)} to ${sorted.at(-1)!.toFixed(2)} over ${ratios.length} run${ratios.length > 1 ? 's' : ''}, median ${median.toFixed(2)}`);
  }
  if (withFloor) {
    out.push('', 'floor = (upload requests + audience creation request - 1) / published rate:');
    for (const r of summary.results) if (r.floor) out.push(`  ${r.destination}: ${r.floor.formula} = ${r.floor.seconds.toFixed(1)} s`);
  }
  if (summary.memory) {
    out.push('', 'Peak RSS of preparing one file, each size in a fresh process:');
    for (const m of summary.memory) {
      out.push(`  ${m.rows.toLocaleString('en')} rows: ${m.peakRssMb} MB (${m.ratioToSmallest}x the smallest), ${m.rowsPerSecond.toLocaleString('en')} rows/s, ${m.rowsPerCpuSecond.toLocaleString('en')} rows per CPU second, reconciled: ${m.reconciled ? 'yes' : 'NO'}`);
    }
  }
  if (summary.appFullSyncs?.length) {
    out.push('', "The full sync's steps once more for a new export (nothing tracked), in a fresh process of the app's code alone:");
    for (const f of summary.appFullSyncs) {
      out.push(
        `  ${f.destination}: ${f.seconds.toFixed(2)} s, ${f.sentWhilePreparing.toLocaleString('en')} of ${f.valid.toLocaleString('en')} sent while preparing, ` +
          `ledger ${f.ledgerAfter.toLocaleString('en')}, peak RSS ${f.peakRssMb} MB, reconciled: ${f.reconciled ? 'yes' : 'NO'}`,
      );
    }
  }
  out.push('', `machine: ${summary.machine.cpus} cores, ${summary.machine.memoryGb} GB, Node ${summary.machine.node}, ${summary.machine.platform}`);
  return out.join('\n');
}

const USAGE = `npm run bench -- [--rows N] [--destination NAME|all] [--rate-limits on|off] [--compression gzip|none] [--repeat N] [--memory] [--json FILE]
  --rows N          rows per destination (cut to the destination's limit); default 500000
                    (with --tenant: rows per segment file, default 20000)
  --destination     ${destinationTypes.join(', ')} or all (default)
  --rate-limits     off (default): simulators and our client accept as fast as they can;
                    on: the services' published limits, compared with the floor they set
  --compression     the segment file as gzipped CSV (default) or plain CSV (none)
  --churn SHARE     mirror sync: a full sync, then a refresh in which SHARE of the members
                    left and as many joined (e.g. 0.01); reports both runs
  --repeat N        runs of each destination, each followed by the baseline on its file (default 1)
  --memory          also measure the peak RSS of preparing 200,000 / 1,000,000 / 2,000,000 rows,
                    each in a fresh process (bench/prepare-once.ts), with rows/s
  --memory-rows L   the sizes for --memory instead, comma-separated (e.g. 500000)
  --profile DIR     with --memory: a CPU profile of each of those processes (node --cpu-prof) in DIR
  --json FILE       write the summary as JSON
  --tenant          a whole tenant at once instead: --segments files of --rows rows, each
                    exported to Microsoft Advertising, Autopilot and AdRoll (or --destination:
                    one, or a comma-separated list), all dropped at once with rate limits on;
                    then the same with --churn (default 0.01) of each segment's members replaced
  --segments N      with --tenant: segment files (default 8)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string' },
      destination: { type: 'string', default: 'all' },
      'rate-limits': { type: 'string', default: 'off' },
      compression: { type: 'string', default: 'gzip' },
      repeat: { type: 'string', default: '1' },
      memory: { type: 'boolean', default: false },
      churn: { type: 'string' },
      'memory-rows': { type: 'string' },
      profile: { type: 'string' },
      json: { type: 'string' },
      tenant: { type: 'boolean', default: false },
      segments: { type: 'string', default: '8' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return void console.log(USAGE);
  if (values.tenant) return tenant(values);
  const rows = Number(values.rows ?? 500_000);
  const destinations = values.destination === 'all' ? [...destinationTypes] : [values.destination as DestinationType];
  const rateLimits = values['rate-limits'];
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`--rows must be a positive integer\n${USAGE}`);
  if (!destinations.every((d) => (destinationTypes as readonly string[]).includes(d))) throw new Error(`unknown --destination ${values.destination}\n${USAGE}`);
  if (rateLimits !== 'on' && rateLimits !== 'off') throw new Error(`--rate-limits must be on or off\n${USAGE}`);
  const memoryRows = values['memory-rows']?.split(',').map(Number);
  if (memoryRows && !memoryRows.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`--memory-rows must be positive integers\n${USAGE}`);
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat must be a positive integer\n${USAGE}`);
  const compression = values.compression;
  if (compression !== 'gzip' && compression !== 'none') throw new Error(`--compression must be gzip or none\n${USAGE}`);

  const churn = values.churn === undefined ? undefined : Number(values.churn);
  if (churn !== undefined && !(churn >= 0 && churn < 1)) throw new Error(`--churn must be a share from 0 to 1\n${USAGE}`);
  const summary = await runBenchmark({
    ...(churn !== undefined ? { churn } : {}),
    rows,
    destinations,
    rateLimits,
    compression,
    repeat,
    ...(values.memory || memoryRows ? { memoryRows: memoryRows ?? [200_000, 1_000_000, 2_000_000] } : {}),
    ...(values.profile ? { profileDir: path.resolve(values.profile) } : {}),
    log: (line) => console.error(line),
  });
  console.log(formatTable(summary));
  console.log(JSON.stringify(summary, null, 2));
  if (values.json) writeFileSync(values.json, JSON.stringify(summary, null, 2));
  if (summary.results.some((r) => !r.reconciled) || summary.churn?.some((r) => !r.reconciled) || summary.appFullSyncs?.some((r) => !r.reconciled)) process.exitCode = 1;
}

async function tenant(values: { rows?: string; destination?: string; churn?: string; segments?: string; json?: string }): Promise<void> {
  const segments = Number(values.segments);
  const rows = Number(values.rows ?? 20_000);
  const churn = values.churn === undefined ? 0.01 : Number(values.churn);
  // A comma-separated list runs a smaller mix (e.g. without the slow Autopilot while tuning).
  const destinations = values.destination === 'all' ? (['microsoft-advertising', 'autopilot', 'adroll'] as DestinationType[]) : (values.destination!.split(',') as DestinationType[]);
  if (!Number.isInteger(segments) || segments < 1) throw new Error(`--segments must be a positive integer\n${USAGE}`);
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`--rows must be a positive integer\n${USAGE}`);
  if (!(churn > 0 && churn < 1)) throw new Error(`--churn must be a share between 0 and 1\n${USAGE}`);
  if (!destinations.every((d) => (destinationTypes as readonly string[]).includes(d))) throw new Error(`unknown --destination ${values.destination}\n${USAGE}`);
  const summary = await runTenantBenchmark({ segments, rows, churn, destinations, log: (line) => console.error(line) });
  console.log(formatTenantTable(summary));
  console.log(JSON.stringify(summary, null, 2));
  if (values.json) writeFileSync(values.json, JSON.stringify(summary, null, 2));
  if (summary.phases.some((p) => p.results.some((r) => !r.reconciled))) process.exitCode = 1;
}

if (require.main === module) {
  // The app runs in this process, so it gets the app's process settings the way Azure's host does: from the start.
  const rerun = rerunWithAppProcessEnv();
  if (rerun !== undefined) process.exit(rerun);
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

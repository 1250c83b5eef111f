import { randomBytes } from 'node:crypto';
import { createGzip } from 'node:zlib';
import type { ContainerClient } from '@azure/storage-blob';
import { startAzurite, type RunningAzurite } from '../dev/azurite.js';
import { startLocalHost, type RunningLocalHost } from '../dev/host/local-host.js';
import { devConnections } from '../dev/simulators/index.js';
import type { DestinationType } from '../shared/destinations/registry.js';
import type { Run } from '../shared/domain/run.js';
import { reconciliationErrors } from '../shared/pipeline/counts/outcome.js';
import { createServices, resetServices } from '../shared/services.js';
import { REPO_ROOT } from './child-script.js';
import { api } from './app-client.js';
import { generateSegment, isChurned } from './generate.js';
import { PUBLISHED_RATE } from './published-rates.js';
import { startSimulatorProcess, type SimulatorProcess } from './simulator-process.js';

/**
 * A whole tenant at once: `segments` segment files, each exported to every destination of
 * the mix (one connection per destination, as a tenant has one account at each), all files
 * dropped at once, with the services' rate limits on. Then the same segments again with
 * `churn` of each segment's members replaced. What counts per destination is the time until
 * its last export finished against its floor: the requests its service took, paced at its
 * published rate, which no scheduling can beat.
 */
export interface TenantOptions {
  segments: number;
  rows: number;
  destinations: DestinationType[];
  /** The refresh after the first load: this share of each segment's members left and as many joined. */
  churn: number;
  log?: (line: string) => void;
}

export interface TenantDestinationResult {
  destination: DestinationType;
  exports: number;
  /** From the first file's upload to this destination's last export's end. */
  lastFinishSeconds: number;
  firstFinishSeconds: number;
  /** Requests the service took (answered, not refused for its rate). */
  requests: number;
  /** Requests the service refused for its rate (429). */
  refused: number;
  floorSeconds: number;
  ratio: number;
  reconciled: boolean;
  mismatches: string[];
}

export interface TenantPhase {
  kind: 'first load' | 'refresh';
  churn: number;
  results: TenantDestinationResult[];
  /** This process's peak RSS during the phase: the local host, the durable driver and the app. */
  peakRssMb: number;
  /** At that peak: seconds after the drop, the main thread's JavaScript heap (used / reserved) and its buffers outside it, MB. */
  atPeak: { seconds: number; heapUsedMb: number; heapTotalMb: number; externalMb: number };
  wallSeconds: number;
}

export interface TenantSummary {
  options: Omit<TenantOptions, 'log'>;
  phases: TenantPhase[];
}

interface TenantExport {
  destination: DestinationType;
  segment: string;
  exportId: string;
}

export async function runTenantBenchmark(options: TenantOptions): Promise<TenantSummary> {
  const log = options.log ?? (() => undefined);
  // Blobs and tables each on an emulator thread of their own, and the task hub's history on
  // a third (as an app may give the durable extension its own storage account): on one
  // thread, the emulator was the tenant's bottleneck, busy all the time at the refresh's
  // start while the app used half a core. Azure's services are not one thread.
  const azurite: RunningAzurite = await startAzurite({ perService: true });
  const taskHubStorage: RunningAzurite = await startAzurite();
  const sims: SimulatorProcess = await startSimulatorProcess('on');
  let host: RunningLocalHost | undefined;
  try {
    Object.assign(process.env, sims.env, {
      AzureWebJobsStorage: azurite.connectionString,
      DURABLE_TASK_HUB: `tenant${randomBytes(4).toString('hex')}`,
      SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      DEV_PRINCIPAL: JSON.stringify({ userId: 'bench', userDetails: 'bench@localhost', userRoles: ['admin'] }),
    });
    // The blob trigger's scan every 250 ms (npm start: every second): every 50 ms, its listings
    // were a tenth of what the app allocated, for 100 ms less wait on average.
    host = await startLocalHost({ root: REPO_ROOT, port: 0, blobPollIntervalMs: 250, log: () => undefined, taskHubConnectionString: taskHubStorage.connectionString });
    const services = createServices();
    resetServices(services);
    const segments = await services.storage.ensureContainer(services.config.containers.segments);

    // NextRoll removes members only by replacing the membership: the refresh needs it.
    for (const destination of options.destinations) {
      if (destination === 'adroll' || destination === 'rollworks') await sims.setSegmentUpdates(destination, 'replace');
    }
    // Only the dropped files start runs: the scheduled refresh (every 6 hours, on the clock)
    // once ticked at midnight during a reading and ran 16 more exports beside the first load.
    await api(host, 'PUT', '/schedule', { cron: '0 0 */6 * * *', enabled: false });
    const exports = await createTenantExports(host, options);
    const idle = process.memoryUsage();
    log(`${exports.length} exports of ${options.segments} segments to ${options.destinations.join(', ')}; the app's RSS before any file: ${Math.round(idle.rss / 2 ** 20)} MB (main heap ${Math.round(idle.heapUsed / 2 ** 20)} of ${Math.round(idle.heapTotal / 2 ** 20)} MB)`);

    const phases: TenantPhase[] = [];
    const seen = new Set<string>();
    for (const [kind, churn] of [['first load', 0], ['refresh', options.churn]] as const) {
      log(`${kind}: ${options.segments} files of ${options.rows.toLocaleString('en')} rows${churn ? `, ${churn * 100}% churn` : ''}, dropped at once...`);
      const phase = await runPhase(host, segments, sims, exports, options, kind, churn, seen);
      for (const r of phase.results) {
        log(`  ${r.destination}: last export after ${r.lastFinishSeconds.toFixed(1)} s, floor ${r.floorSeconds.toFixed(1)} s (${r.ratio.toFixed(2)}x), ${r.requests} requests, reconciled: ${r.reconciled ? 'yes' : r.mismatches.join('; ')}`);
      }
      phases.push(phase);
    }
    return { options: { segments: options.segments, rows: options.rows, destinations: options.destinations, churn: options.churn }, phases };
  } finally {
    await host?.stop();
    resetServices();
    await sims.stop();
    await Promise.all([azurite.stop(), taskHubStorage.stop()]);
  }
}

async function createTenantExports(host: RunningLocalHost, options: TenantOptions): Promise<TenantExport[]> {
  const exports: TenantExport[] = [];
  for (const destination of options.destinations) {
    const { credentials, settings } = devConnections[destination];
    const connection = await api<{ id: string }>(host, 'POST', '/connections', { type: destination, displayName: `tenant ${destination}`, credentials, consent: true });
    const nextRoll = destination === 'adroll' || destination === 'rollworks';
    const dataMatching = destination === 'autopilot' ? { email: 'email_address', firstName: 'first_name', lastName: 'last_name' } : { email: 'email_address' };
    for (let i = 1; i <= options.segments; i++) {
      const segment = `tenant-segment-${i}`;
      const created = await api<{ id: string }>(host, 'POST', '/exports', {
        name: `${segment} to ${destination}`,
        connectionId: connection.id,
        segments: [segment],
        dataMatching,
        settings: { ...settings, ...(nextRoll ? { segmentUpdates: 'replace' } : {}) },
      });
      exports.push({ destination, segment, exportId: created.id });
    }
  }
  return exports;
}

const POLL_MS = 5_000;

async function runPhase(
  host: RunningLocalHost,
  segments: ContainerClient,
  sims: SimulatorProcess,
  exports: TenantExport[],
  options: TenantOptions,
  kind: TenantPhase['kind'],
  churn: number,
  seen: Set<string>,
): Promise<TenantPhase> {
  // Files made first, so that dropping them is all the clock sees.
  const files = await Promise.all(
    Array.from({ length: options.segments }, async (_, k) => {
      const { stream, expected } = generateSegment({ rows: options.rows, seed: 1_000 + k, churn });
      const chunks: Buffer[] = [];
      for await (const chunk of stream.pipe(createGzip({ level: 1 }))) chunks.push(chunk as Buffer);
      return { segment: `tenant-segment-${k + 1}`, body: Buffer.concat(chunks), expected };
    }),
  );
  let peak = { ...process.memoryUsage(), at: Date.now() };
  const sampler = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > peak.rss) peak = { ...process.memoryUsage(), rss, at: Date.now() };
  }, 50);
  const from = performance.timeOrigin + performance.now();
  const started = Date.now();
  try {
    await Promise.all(files.map((f) => segments.getBlockBlobClient(`${f.segment}/${kind === 'first load' ? 1 : 2}.csv.gz`).uploadData(f.body)));
    const runs = new Map<string, Run>();
    while (runs.size < exports.length) {
      for (const exp of exports) {
        if (runs.has(exp.exportId)) continue;
        const page = await api<{ items: Run[] }>(host, 'GET', `/exports/${exp.exportId}/runs`);
        // The run the dropped file started: not one of the app's scheduled refreshes (every 6 hours
        // by default), which may tick while the benchmark runs.
        const run = page.items.find(
          (r) => !seen.has(r.id) && r.trigger === 'segment-refresh' && Date.parse(r.startedAt) >= started - 1_000 && ['succeeded', 'partially-succeeded', 'failed', 'skipped'].includes(r.status),
        );
        if (run) {
          runs.set(exp.exportId, run);
          seen.add(run.id);
        }
      }
      // Finish times come from the run records, so a calm poll costs the measurement nothing;
      // the app runs in this process, and a poll a second (a request per export) was load of
      // its own, which no user's portal puts on it.
      if (runs.size < exports.length) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (Date.now() - started > 30 * 60_000) throw new Error(`${exports.length - runs.size} runs did not end within 30 minutes`);
    }
    const wallSeconds = (Date.now() - started) / 1000;
    const results: TenantDestinationResult[] = [];
    for (const destination of options.destinations) {
      const mine = exports.filter((e) => e.destination === destination);
      const finished = mine.map((e) => (Date.parse(runs.get(e.exportId)!.finishedAt!) - started) / 1000);
      const lastFinishSeconds = Math.max(...finished);
      // The runs' requests only: the app's own timers (audience insights, on the hour and half
      // hour) may call the service after the last run ended, and those are no part of the floor.
      const log = (await sims.requestLog(destination, from)).filter((r) => r.at <= started + lastFinishSeconds * 1000);
      const requests = log.filter((r) => !r.rateLimited).length;
      const refused = log.length - requests;
      const floorSeconds = Math.max(0, requests - 1) / PUBLISHED_RATE[destination];
      const mismatches: string[] = [];
      for (const exp of mine) {
        const run = runs.get(exp.exportId)!;
        const file = files.find((f) => f.segment === exp.segment)!;
        const tally = run.segments[0]!;
        const held = await sims.audienceSize(destination, exp.segment);
        const where = `${exp.segment}`;
        if (run.status !== 'succeeded') mismatches.push(`${where}: ${run.status} (${run.reason ?? ''})`);
        if (tally.valid !== file.expected.valid) mismatches.push(`${where}: valid ${tally.valid} ≠ ${file.expected.valid}`);
        if (held !== file.expected.valid) mismatches.push(`${where}: the audience holds ${held} ≠ valid ${file.expected.valid}`);
        if (churn > 0) {
          const churned = Array.from({ length: file.expected.valid }, (_, n) => n).filter((n) => isChurned(n, churn)).length;
          if (tally.sync?.added !== churned || tally.sync?.removed !== churned) mismatches.push(`${where}: added ${tally.sync?.added}, removed ${tally.sync?.removed} ≠ ${churned}`);
        }
        mismatches.push(...reconciliationErrors(tally).map((e) => `${where}: ${e}`));
      }
      results.push({
        destination,
        exports: mine.length,
        lastFinishSeconds,
        firstFinishSeconds: Math.min(...finished),
        requests,
        refused,
        floorSeconds,
        ratio: floorSeconds > 0 ? Math.round((lastFinishSeconds / floorSeconds) * 100) / 100 : Number.NaN,
        reconciled: mismatches.length === 0,
        mismatches,
      });
    }
    const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
    const atPeak = { seconds: Math.max(0, Math.round((peak.at - started) / 100) / 10), heapUsedMb: mb(peak.heapUsed), heapTotalMb: mb(peak.heapTotal), externalMb: mb(peak.external) };
    return { kind, churn, results, peakRssMb: mb(peak.rss), atPeak, wallSeconds };
  } finally {
    clearInterval(sampler);
  }
}

export function formatTenantTable(summary: TenantSummary): string {
  const header = ['run', 'destination', 'exports', 'first done s', 'last done s', 'floor s', 'last/floor', 'requests', '429s', 'reconciled'];
  const rows = summary.phases.flatMap((phase) =>
    phase.results.map((r) => [
      phase.kind,
      r.destination,
      String(r.exports),
      r.firstFinishSeconds.toFixed(1),
      r.lastFinishSeconds.toFixed(1),
      r.floorSeconds.toFixed(1),
      Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : 'n/a',
      String(r.requests),
      String(r.refused),
      r.reconciled ? 'yes' : `NO: ${r.mismatches.slice(0, 3).join('; ')}`,
    ]),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    'floor = (requests the service took - 1) / its published rate; the clock starts as the files are dropped.',
    ...summary.phases.map((p) => `${p.kind}: all runs ended after ${p.wallSeconds.toFixed(1)} s; the app's peak RSS ${p.peakRssMb} MB after ${p.atPeak.seconds} s (main heap ${p.atPeak.heapUsedMb} of ${p.atPeak.heapTotalMb} MB, buffers ${p.atPeak.externalMb} MB)`),
  ].join('\n');
}

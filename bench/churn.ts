import { createGzip } from 'node:zlib';
import type { ContainerClient } from '@azure/storage-blob';
import type { RunningLocalHost } from '../dev/host/local-host.js';
import { devConnections } from '../dev/simulators/index.js';
import type { DestinationType } from '../shared/destinations/registry.js';
import type { Run } from '../shared/domain/run.js';
import { reconciliationErrors } from '../shared/pipeline/counts/outcome.js';
import { api, waitForRunMeasuringRss } from './app-client.js';
import { generateSegment, isChurned } from './generate.js';
import { stageTimes, type StageTimes } from './stages.js';
import type { HistoryEvent } from '../dev/durable/history.js';
import { runInstanceId } from '../shared/pipeline/runs/run-service.js';
import type { SimulatorProcess } from './simulator-process.js';
import { runInFreshProcess, type AppRun } from './fresh-process.js';

/**
 * Mirror sync under a daily refresh: a full sync of a generated segment, then a refresh in
 * which `churn` of the members left and as many joined. What counts is the refresh: its
 * time, the requests it sent, the ledger it keeps and the memory it takes.
 */
export interface ChurnRun {
  kind: 'full sync' | 'refresh';
  status: string;
  wallSeconds: number;
  /** Requests the destination's simulator received during the run. */
  requests: number;
  sent: number;
  added: number;
  removed: number;
  ledgerSize: number;
  peakRssMb: number;
  stages: StageTimes;
}

export interface ChurnResult {
  destination: DestinationType;
  rows: number;
  churn: number;
  runs: ChurnRun[];
  /** The refresh's steps once more (back to the first file), in a fresh process of the app's code alone. */
  appRefresh: AppRun;
  reconciled: boolean;
  mismatches: string[];
}

export async function benchChurn(
  host: RunningLocalHost,
  segments: ContainerClient,
  sims: SimulatorProcess,
  destination: DestinationType,
  rows: number,
  churn: number,
  rateLimits: 'on' | 'off',
): Promise<ChurnResult> {
  const segment = `churn-${destination}-${rows}-${Date.now().toString(36)}`;
  const nextRoll = destination === 'adroll' || destination === 'rollworks';
  // NextRoll removes members only by replacing the membership: measure it that way.
  if (nextRoll) await sims.setSegmentUpdates(destination, 'replace');
  try {
    const { credentials, settings } = devConnections[destination];
    const connection = await api<{ id: string }>(host, 'POST', '/connections', { type: destination, displayName: segment, credentials, consent: true });
    const exp = await api<{ id: string }>(host, 'POST', '/exports', {
      name: segment,
      connectionId: connection.id,
      segments: [segment],
      dataMatching: { email: 'email_address' },
      settings: { ...settings, ...(nextRoll ? { segmentUpdates: 'replace' } : {}) },
    });

    const requestsSince = (since: number) => sims.requestsSince(destination, since);
    const full = await timedRun(host, segments, requestsSince, exp.id, `${segment}/1.csv.gz`, rows, 0, new Set(), 'full sync');
    const refresh = await timedRun(host, segments, requestsSince, exp.id, `${segment}/2.csv.gz`, rows, churn, new Set([full.run.id]), 'refresh');

    const mismatches: string[] = [];
    const tally = refresh.run.segments[0]!;
    const churned = Array.from({ length: tally.valid }, (_, k) => k).filter((k) => isChurned(k, churn)).length;
    const held = await sims.audienceSize(destination, segment);
    if (refresh.run.status !== 'succeeded') mismatches.push(`refresh ${refresh.run.status}: ${refresh.run.reason ?? ''}`);
    if (tally.sync?.added !== churned) mismatches.push(`added ${tally.sync?.added} ≠ joined ${churned}`);
    if (tally.sync?.removed !== churned) mismatches.push(`removed ${tally.sync?.removed} ≠ left ${churned}`);
    if (held !== tally.valid) mismatches.push(`audience holds ${held} ≠ valid ${tally.valid}`);
    mismatches.push(...reconciliationErrors(tally), ...reconciliationErrors(full.run.segments[0]!));

    // Back to the first file: the same churn the other way, its steps in a process of their own.
    const appRefresh = await runInFreshProcess(exp.id, segment, `${segment}/1.csv.gz`, 'refresh', rateLimits);
    if (appRefresh.added !== churned || appRefresh.removed !== churned) mismatches.push(`fresh-process refresh added ${appRefresh.added}, removed ${appRefresh.removed} ≠ ${churned}`);
    const heldAfter = await sims.audienceSize(destination, segment);
    if (heldAfter !== full.run.segments[0]!.valid) mismatches.push(`after the fresh-process refresh the audience holds ${heldAfter} ≠ valid ${full.run.segments[0]!.valid}`);
    return { destination, rows, churn, runs: [full.measured, refresh.measured], appRefresh, reconciled: mismatches.length === 0, mismatches };
  } finally {
    if (nextRoll) await sims.setSegmentUpdates(destination, 'append');
  }
}

async function timedRun(
  host: RunningLocalHost,
  segments: ContainerClient,
  requestsSince: (since: number) => Promise<number>,
  exportId: string,
  blobName: string,
  rows: number,
  churn: number,
  seen: Set<string>,
  kind: ChurnRun['kind'],
): Promise<{ run: Run; measured: ChurnRun }> {
  const { stream } = generateSegment({ rows, seed: 42, churn });
  await segments.getBlockBlobClient(blobName).uploadStream(stream.pipe(createGzip({ level: 1 })), 4 * 1024 * 1024, 4);
  const started = Date.now();
  const from = performance.timeOrigin + performance.now();
  const { run, peakRssMb } = await waitForRunMeasuringRss(host, exportId, seen);
  const tally = run.segments[0]!;
  const history = (await host.driver.history(runInstanceId(exportId))) as HistoryEvent[];
  return {
    run,
    measured: {
      kind,
      status: run.status,
      wallSeconds: (Date.now() - started) / 1000,
      requests: await requestsSince(from),
      sent: tally.sent,
      added: tally.sync?.added ?? 0,
      removed: tally.sync?.removed ?? 0,
      ledgerSize: tally.sync?.ledgerAfter ?? 0,
      peakRssMb,
      stages: stageTimes(history, started),
    },
  };
}

export function formatChurnTable(results: ChurnResult[]): string {
  const header = ['destination', 'rows', 'churn', 'run', 'status', 'wall s', 'requests', 'sent', 'added', 'removed', 'ledger', 'peak RSS MB', 'prepare / plan / send / bulk / commit s', 'reconciled'];
  const rows = results.flatMap((r) =>
    r.runs.map((run) => [
      r.destination,
      r.rows.toLocaleString('en'),
      `${(r.churn * 100).toFixed(1)}%`,
      run.kind,
      run.status,
      run.wallSeconds.toFixed(2),
      run.requests.toLocaleString('en'),
      run.sent.toLocaleString('en'),
      run.added.toLocaleString('en'),
      run.removed.toLocaleString('en'),
      run.ledgerSize.toLocaleString('en'),
      String(run.peakRssMb),
      [run.stages.prepare, run.stages.plan, run.stages.upload, run.stages.bulk, run.stages.commit].map((t) => t.toFixed(2)).join(' / '),
      r.reconciled ? 'yes' : `NO: ${r.mismatches.join('; ')}`,
    ]),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  const fresh = results.map(
    (r) =>
      `${r.destination}: the refresh's steps alone in a fresh process (back to the first file): ${r.appRefresh.seconds.toFixed(2)} s, ` +
      `added ${r.appRefresh.added.toLocaleString('en')}, removed ${r.appRefresh.removed.toLocaleString('en')}, peak RSS ${r.appRefresh.peakRssMb} MB`,
  );
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '', ...fresh].join('\n');
}

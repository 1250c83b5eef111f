import { metrics, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { logs, SeverityNumber } from '@opentelemetry/api-logs';
import type { Run, SegmentRun } from '../domain/run.js';
import { stageDimensions, type StageTotals } from './stage-times.js';

/**
 * What operators see of runs, through the OpenTelemetry API only: where it goes (Application
 * Insights in Azure, the console locally, memory in tests) is decided once by setup.ts.
 * - events are log records carrying `microsoft.custom_event.name`, which the Azure Monitor
 *   exporter turns into `customEvents` rows (@azure/monitor-opentelemetry-exporter,
 *   ApplicationInsightsCustomEventName); their attributes become `customDimensions`;
 * - destination calls are CLIENT spans with HTTP attributes: `dependencies` rows;
 * - rows sent and rejected are counters: `customMetrics` rows.
 * docs/operations.md has the queries.
 */
export const TELEMETRY_SCOPE = 'segment-export';
export const CUSTOM_EVENT_NAME = 'microsoft.custom_event.name';
export const EVENTS = { run: 'ExportRun', segment: 'ExportSegment', stage: 'ExportStage', notification: 'RunNotification', audienceAlert: 'AudienceAlert' } as const;
export const METRICS = { rowsSent: 'segment_export.rows.sent', rowsRejected: 'segment_export.rows.rejected' } as const;

export function emitEvent(name: string, attributes: Attributes, severity: SeverityNumber = SeverityNumber.INFO): void {
  logs.getLogger(TELEMETRY_SCOPE).emit({
    body: name,
    severityNumber: severity,
    severityText: severity >= SeverityNumber.WARN ? 'WARN' : 'INFO',
    attributes: { [CUSTOM_EVENT_NAME]: name, ...attributes },
  });
}

type Counts = Pick<SegmentRun, 'read' | 'valid' | 'invalid' | 'duplicate' | 'skipped' | 'sent' | 'accepted' | 'rejected'>;
const COUNT_KEYS: (keyof Counts)[] = ['read', 'valid', 'invalid', 'duplicate', 'skipped', 'sent', 'accepted', 'rejected'];

function counts(from: Counts): Record<string, number> {
  return Object.fromEntries(COUNT_KEYS.map((key) => [key, from[key]]));
}

function totals(run: Run): Counts {
  const sum = Object.fromEntries(COUNT_KEYS.map((key) => [key, 0])) as Counts;
  for (const segment of run.segments) for (const key of COUNT_KEYS) sum[key] += segment[key];
  return sum;
}

/**
 * One event for the run and one per segment, and the rows counters. `stages` are the run's
 * stage durations summed over its activities (stage-times.ts): `prepareMs`, `sendMs`,
 * `sendCount`... Each activity also reports itself as an `ExportStage` event.
 */
export function recordRunFinished(run: Run, exportName: string | undefined, stages: StageTotals = {}): void {
  const common = {
    exportId: run.exportId,
    ...(exportName ? { exportName } : {}),
    runId: run.id,
    destination: run.destinationType,
    trigger: run.trigger,
  };
  const severity = run.status === 'failed' ? SeverityNumber.ERROR : run.status === 'partially-succeeded' ? SeverityNumber.WARN : SeverityNumber.INFO;
  emitEvent(
    EVENTS.run,
    {
      ...common,
      status: run.status,
      reason: run.reason ?? '',
      segments: run.segments.length,
      ...counts(totals(run)),
      durationMs: run.durationMs ?? 0,
      ...stageDimensions(stages),
      startedAt: run.startedAt,
      finishedAt: run.finishedAt ?? '',
    },
    severity,
  );
  const meter = metrics.getMeter(TELEMETRY_SCOPE);
  const sent = meter.createCounter(METRICS.rowsSent, { description: 'Rows sent to a destination', unit: '{row}' });
  const rejected = meter.createCounter(METRICS.rowsRejected, { description: 'Rows a destination rejected', unit: '{row}' });
  for (const segment of run.segments) {
    emitEvent(EVENTS.segment, { ...common, segment: segment.segment, status: segment.status, reason: segment.reason ?? '', ...counts(segment) });
    const dimensions = { destination: run.destinationType, exportId: run.exportId };
    if (segment.sent > 0) sent.add(segment.sent, dimensions);
    if (segment.rejected > 0) rejected.add(segment.rejected, dimensions);
  }
}

/** One stage of a run (an activity): how long it took and whether it failed. */
export function recordStage(stage: string, context: { runId?: string; exportId?: string; segment?: string }, durationMs: number, failed?: string): void {
  emitEvent(
    EVENTS.stage,
    {
      stage,
      runId: context.runId ?? '',
      exportId: context.exportId ?? '',
      ...(context.segment ? { segment: context.segment } : {}),
      durationMs: Math.round(durationMs),
      status: failed ? 'failed' : 'succeeded',
      ...(failed ? { reason: failed.slice(0, 500) } : {}),
    },
    failed ? SeverityNumber.WARN : SeverityNumber.INFO,
  );
}

export function recordNotification(outcome: {
  exportId: string;
  /** The run told about; empty for an audience alert. */
  runId: string;
  /** What was told: `run.finished` (default) or `audience.alert`. */
  event?: string;
  webhookId: string;
  format: string;
  ok: boolean;
  attempts: number;
  status?: number;
  error?: string;
}): void {
  emitEvent(
    EVENTS.notification,
    {
      exportId: outcome.exportId,
      runId: outcome.runId,
      event: outcome.event ?? 'run.finished',
      webhookId: outcome.webhookId,
      format: outcome.format,
      status: outcome.ok ? 'delivered' : 'failed',
      attempts: outcome.attempts,
      ...(outcome.status !== undefined ? { httpStatus: outcome.status } : {}),
      ...(outcome.error ? { reason: outcome.error } : {}),
    },
    outcome.ok ? SeverityNumber.INFO : SeverityNumber.WARN,
  );
}

/**
 * An audience crossed one of its export's alert thresholds (shared/insights/alerts.ts): a
 * warning, which the `AudienceAlert` log search alert rule (infra/modules/alerts.bicep) turns
 * into an Azure Monitor alert through the same action group as failed runs.
 */
export function recordAudienceAlert(alert: {
  exportId: string;
  exportName?: string;
  destination: string;
  segment: string;
  kind: string;
  message: string;
  threshold: number;
  matchRate: number | null;
  size: number | null;
  previousSize: number | null;
  readAt: string;
}): void {
  emitEvent(
    EVENTS.audienceAlert,
    {
      exportId: alert.exportId,
      ...(alert.exportName ? { exportName: alert.exportName } : {}),
      destination: alert.destination,
      segment: alert.segment,
      kind: alert.kind,
      message: alert.message,
      threshold: alert.threshold,
      ...(alert.matchRate !== null ? { matchRate: alert.matchRate } : {}),
      ...(alert.size !== null ? { size: alert.size } : {}),
      ...(alert.previousSize !== null ? { previousSize: alert.previousSize } : {}),
      readAt: alert.readAt,
    },
    SeverityNumber.WARN,
  );
}

/** A destination call (all its attempts): a dependency with its final status and how often it was retried. */
export interface DependencyCall {
  retried(): void;
  end(outcome: { status?: number; error?: Error }): void;
}

export function startDependency(service: string, method: string, url: URL): DependencyCall {
  // Never the query string: some services take their API key there.
  const span = trace.getTracer(TELEMETRY_SCOPE).startSpan(`${method} ${url.pathname}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      'http.request.method': method,
      'server.address': url.hostname,
      ...(url.port ? { 'server.port': Number(url.port) } : {}),
      'url.full': `${url.origin}${url.pathname}`,
      'segment_export.destination': service,
    },
  });
  let retries = 0;
  return {
    retried: () => {
      retries++;
    },
    end: ({ status, error }) => {
      span.setAttribute('segment_export.retry_count', retries);
      if (status !== undefined) span.setAttribute('http.response.status_code', status);
      if (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.message.slice(0, 500) });
        span.setAttribute('error.type', error.name);
      }
      span.end();
    },
  };
}

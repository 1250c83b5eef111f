import { metrics, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { CUSTOM_EVENT_NAME } from './events.js';

/**
 * Telemetry into memory, for tests: install it before the app loads (the app's own setup
 * then finds a provider and leaves it). Returns what was recorded.
 */
export interface RecordedTelemetry {
  events(name?: string): { name: string; attributes: Record<string, unknown> }[];
  spans(): ReadableSpan[];
  /** Sum of a counter's data points, by the attributes' JSON. */
  counter(name: string): Promise<number>;
  reset(): void;
}

export function installInMemoryTelemetry(): RecordedTelemetry {
  const logExporter = new InMemoryLogRecordExporter();
  const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logExporter })] });
  if (logs.setGlobalLoggerProvider(loggerProvider) !== loggerProvider) throw new Error('a logger provider is already registered');
  const spanExporter = new InMemorySpanExporter();
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] }));
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

  const toEvent = (record: ReadableLogRecord) => ({ name: String(record.attributes[CUSTOM_EVENT_NAME] ?? record.body), attributes: { ...record.attributes } });
  return {
    events: (name) => logExporter.getFinishedLogRecords().map(toEvent).filter((e) => !name || e.name === name),
    spans: () => spanExporter.getFinishedSpans(),
    async counter(name) {
      await reader.forceFlush();
      let total = 0;
      const last = metricExporter.getMetrics().at(-1);
      for (const scope of last?.scopeMetrics ?? []) {
        for (const metric of scope.metrics) {
          if (metric.descriptor.name !== name) continue;
          for (const point of metric.dataPoints) total += point.value as number;
        }
      }
      return total;
    },
    reset() {
      logExporter.reset();
      spanExporter.reset();
    },
  };
}

import { logs } from '@opentelemetry/api-logs';
import { LoggerProvider, type LogRecordProcessor, type SdkLogRecord } from '@opentelemetry/sdk-logs';
import { CUSTOM_EVENT_NAME } from './events.js';

let started = false;

/**
 * Where telemetry goes, decided once per process (functions/telemetry.ts calls this before
 * any registration):
 * - in Azure (APPLICATIONINSIGHTS_CONNECTION_STRING set): the Azure Monitor OpenTelemetry
 *   distro, running in the Node worker. The worker is where our code runs and the only place
 *   that sees run counts and retries; the host's own pipeline keeps sending requests, logs and
 *   the functions' executions as before. Its `http` instrumentation is off: the Azure SDK
 *   instrumentation already reports storage calls, and destination calls are reported by
 *   hand (events.ts) with their retry counts.
 * - elsewhere: events printed to the console in one readable line each, unless something
 *   (a test's in-memory exporter) registered a provider first.
 */
export function startTelemetry(config: { appInsightsConnectionString?: string | undefined }, print: (line: string) => void = console.log): void {
  if (started) return;
  started = true;
  if (config.appInsightsConnectionString) {
    // Loaded only here: the distro and its instrumentations add about 18 MB to a process that
    // has nowhere to send them (locally, in tests). Still before any registration, so it
    // patches the modules loaded after it as an import at the top would.
    const { useAzureMonitor } = require('@azure/monitor-opentelemetry') as typeof import('@azure/monitor-opentelemetry');
    useAzureMonitor({
      azureMonitorExporterOptions: { connectionString: config.appInsightsConnectionString },
      instrumentationOptions: { http: { enabled: false } },
    });
    return;
  }
  const provider = new LoggerProvider({ processors: [new ConsoleEventProcessor(print)] });
  if (logs.setGlobalLoggerProvider(provider) !== provider) void provider.shutdown();
}

/** `[telemetry] ExportRun status=failed destination=autopilot read=120 ...`: one line per event. */
export function formatEvent(record: Pick<SdkLogRecord, 'attributes' | 'body'>): string {
  const attributes = { ...record.attributes };
  const name = String(attributes[CUSTOM_EVENT_NAME] ?? record.body ?? 'event');
  delete attributes[CUSTOM_EVENT_NAME];
  const fields = Object.entries(attributes)
    .filter(([, value]) => value !== '' && value !== undefined && value !== null)
    .map(([key, value]) => `${key}=${typeof value === 'string' && /\s/.test(value) ? JSON.stringify(value) : String(value)}`);
  return `[telemetry] ${name} ${fields.join(' ')}`;
}

class ConsoleEventProcessor implements LogRecordProcessor {
  constructor(private readonly print: (line: string) => void) {}
  onEmit(record: SdkLogRecord): void {
    this.print(formatEvent(record));
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

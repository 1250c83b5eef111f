import { shutdownAzureMonitor } from '@azure/monitor-opentelemetry';
import { trace, ProxyTracerProvider } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { afterAll, describe, expect, it } from 'vitest';
import { startTelemetry } from './setup.js';

afterAll(async () => {
  await shutdownAzureMonitor();
});

describe('startTelemetry with Application Insights', () => {
  it('registers the Azure Monitor distro for logs and traces, and prints nothing', () => {
    const lines: string[] = [];
    // A closed loopback port: nothing leaves this machine.
    startTelemetry({ appInsightsConnectionString: 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/' }, (line) => lines.push(line));
    const tracer = (trace.getTracerProvider() as ProxyTracerProvider).getDelegate();
    expect(tracer.constructor.name).not.toBe('NoopTracerProvider');
    expect(logs.getLoggerProvider().constructor.name).not.toBe('NoopLoggerProvider');
    logs.getLogger('t').emit({ body: 'x', attributes: { 'microsoft.custom_event.name': 'ExportRun' } });
    expect(lines).toEqual([]);
  });
});

import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Run } from '../domain/run.js';
import { EVENTS, METRICS, recordRunFinished, recordStage, startDependency } from './events.js';
import { formatEvent } from './setup.js';
import { installInMemoryTelemetry, type RecordedTelemetry } from './testing.js';

let telemetry: RecordedTelemetry;
beforeAll(() => {
  telemetry = installInMemoryTelemetry();
});
beforeEach(() => telemetry.reset());

const segment = (name: string, over: Partial<Run['segments'][number]>): Run['segments'][number] => ({
  segment: name,
  read: 0,
  valid: 0,
  invalid: 0,
  duplicate: 0,
  suppressed: 0,
  skipped: 0,
  unchanged: 0,
  sent: 0,
  accepted: 0,
  rejected: 0,
  status: 'succeeded' as const,
  ...over,
});

const run: Run = {
  id: 'run-1',
  exportId: 'exp-1',
  destinationType: 'autopilot',
  trigger: 'segment-refresh',
  status: 'partially-succeeded',
  segments: [
    segment('vip', { read: 12, valid: 10, invalid: 1, duplicate: 1, sent: 10, accepted: 9, rejected: 1, status: 'partially-succeeded' }),
    segment('new', { read: 5, valid: 5, sent: 5, accepted: 5 }),
  ],
  startedAt: '2026-12-01T10:00:00.000Z',
  finishedAt: '2026-12-01T10:00:30.000Z',
  durationMs: 30_000,
};

describe('run telemetry', () => {
  it('one ExportRun event with the totals, one ExportSegment per segment, and the rows counters', async () => {
    recordRunFinished(run, 'VIP export', { prepare: { ms: 120, count: 2 }, 'ensure-audience': { ms: 30, count: 2 }, upload: { ms: 900, count: 3 } });
    const [event] = telemetry.events(EVENTS.run);
    expect(telemetry.events(EVENTS.run)).toHaveLength(1);
    expect(event!.attributes).toMatchObject({
      exportId: 'exp-1',
      exportName: 'VIP export',
      runId: 'run-1',
      destination: 'autopilot',
      trigger: 'segment-refresh',
      status: 'partially-succeeded',
      segments: 2,
      read: 17,
      valid: 15,
      invalid: 1,
      duplicate: 1,
      sent: 15,
      accepted: 14,
      rejected: 1,
      durationMs: 30_000,
      prepareMs: 120,
      prepareCount: 2,
      ensureAudienceMs: 30,
      uploadMs: 900,
      uploadCount: 3,
    });
    expect(telemetry.events(EVENTS.segment).map((e) => [e.attributes.segment, e.attributes.status, e.attributes.sent])).toEqual([
      ['vip', 'partially-succeeded', 10],
      ['new', 'succeeded', 5],
    ]);
    expect(await telemetry.counter(METRICS.rowsSent)).toBe(15);
    expect(await telemetry.counter(METRICS.rowsRejected)).toBe(1);
  });

  it('stages carry their duration and failure', () => {
    recordStage('upload', { runId: 'run-1', exportId: 'exp-1', segment: 'vip' }, 1234.4, 'Autopilot POST /contacts: 503');
    expect(telemetry.events(EVENTS.stage)[0]!.attributes).toMatchObject({ stage: 'upload', durationMs: 1234, status: 'failed', segment: 'vip' });
  });

  it('a destination call is one CLIENT span with its status and retries, and never the query string', () => {
    const call = startDependency('AdRoll', 'POST', new URL('https://services.adroll.com/api/v1/segments?apikey=SECRET'));
    call.retried();
    call.retried();
    call.end({ status: 429, error: new Error('429 slow down (gave up after 3 attempts)') });
    const [span] = telemetry.spans();
    expect(span!.kind).toBe(SpanKind.CLIENT);
    expect(span!.name).toBe('POST /api/v1/segments');
    expect(span!.attributes).toMatchObject({
      'http.request.method': 'POST',
      'server.address': 'services.adroll.com',
      'url.full': 'https://services.adroll.com/api/v1/segments',
      'http.response.status_code': 429,
      'segment_export.retry_count': 2,
      'segment_export.destination': 'AdRoll',
    });
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(JSON.stringify(span!.attributes)).not.toContain('SECRET');
  });

  it('prints one readable line per event locally', () => {
    expect(formatEvent({ body: 'ExportRun', attributes: { 'microsoft.custom_event.name': 'ExportRun', status: 'failed', reason: 'segment too large', sent: 0, exportName: '' } })).toBe(
      '[telemetry] ExportRun status=failed reason="segment too large" sent=0',
    );
  });
});

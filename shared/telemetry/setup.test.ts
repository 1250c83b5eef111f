import { describe, expect, it } from 'vitest';
import { recordRunFinished } from './events.js';
import { startTelemetry } from './setup.js';

describe('startTelemetry without Application Insights', () => {
  it('prints each event as one readable console line', () => {
    const lines: string[] = [];
    startTelemetry({}, (line) => lines.push(line));
    recordRunFinished(
      {
        id: 'run-9',
        exportId: 'exp-9',
        destinationType: 'adroll',
        trigger: 'on-demand',
        status: 'failed',
        reason: 'segment-too-small',
        segments: [{ segment: 'tiny', read: 3, valid: 3, invalid: 0, duplicate: 0, suppressed: 0, skipped: 0, unchanged: 0, sent: 0, accepted: 0, rejected: 0, status: 'skipped', reason: 'segment-too-small' }],
        startedAt: '2026-12-01T10:00:00.000Z',
        finishedAt: '2026-12-01T10:00:01.000Z',
        durationMs: 1000,
      },
      'Tiny export',
    );
    expect(lines).toEqual([
      expect.stringMatching(/^\[telemetry\] ExportRun exportId=exp-9 exportName="Tiny export" runId=run-9 destination=adroll trigger=on-demand status=failed reason=segment-too-small segments=1 read=3 valid=3 .* durationMs=1000 /),
      expect.stringMatching(/^\[telemetry\] ExportSegment .*segment=tiny status=skipped reason=segment-too-small read=3/),
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { reconciliationErrors, runStatus, segmentStatus } from './outcome.js';
import type { SegmentRun } from '../domain/run.js';

describe('segmentStatus', () => {
  it.each([
    [5, 0, 'succeeded'],
    [0, 0, 'succeeded'],
    [5, 1, 'partially-succeeded'],
    [5, 5, 'failed'],
  ] as const)('%i planned, %i failed: %s', (planned, failed, status) => {
    expect(segmentStatus(planned, failed)).toBe(status);
  });
});

describe('runStatus', () => {
  it.each([
    [['succeeded', 'succeeded'], 'succeeded'],
    [['skipped'], 'skipped'],
    [['succeeded', 'skipped'], 'partially-succeeded'],
    [['succeeded', 'failed'], 'partially-succeeded'],
    [['partially-succeeded'], 'partially-succeeded'],
    [['failed', 'skipped'], 'failed'],
    [['failed'], 'failed'],
    [[], 'skipped'],
  ] as const)('%j: %s', (statuses, expected) => {
    expect(runStatus(statuses.map((status) => ({ status })))).toBe(expected);
  });
});

describe('reconciliationErrors', () => {
  const base: SegmentRun = { segment: 's', read: 10, valid: 7, invalid: 2, duplicate: 1, skipped: 2, sent: 5, accepted: 4, rejected: 1, status: 'succeeded' };
  it('accepts counts that add up', () => expect(reconciliationErrors(base)).toEqual([]));
  it('names each equation that fails', () => {
    expect(reconciliationErrors({ ...base, read: 11, accepted: 5 })).toEqual([
      'read 11 != valid 7 + invalid 2 + duplicate 1',
      'sent 5 != accepted 5 + rejected 1',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { reconciliationErrors, runStatus } from './outcome.js';
import type { SegmentRun } from '../../domain/run.js';

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
  const base: SegmentRun = { segment: 's', read: 10, valid: 7, invalid: 2, duplicate: 1, suppressed: 0, skipped: 2, unchanged: 0, sent: 5, accepted: 4, rejected: 1, status: 'succeeded' };
  it('accepts counts that add up', () => expect(reconciliationErrors(base)).toEqual([]));
  it('names each equation that fails', () => {
    expect(reconciliationErrors({ ...base, read: 11, accepted: 5 })).toEqual([
      'read 11 != valid 7 + invalid 2 + duplicate 1',
      'sent 5 != accepted 5 + rejected 1',
    ]);
  });
  it('counts unchanged members as valid but not sent, and checks the ledger', () => {
    const synced: SegmentRun = {
      ...base,
      unchanged: 3,
      sent: 2,
      accepted: 2,
      rejected: 0,
      sync: { full: false, toRemove: 4, removed: 3, removeFailed: 1, notRemoved: 0, added: 2, ledgerBefore: 10, ledgerAfter: 9 },
    };
    expect(reconciliationErrors(synced)).toEqual([]);
    expect(reconciliationErrors({ ...synced, unchanged: 4, sync: { ...synced.sync!, ledgerAfter: 10 } })).toEqual([
      'valid 7 != unchanged 4 + sent 2 + skipped 2',
      'ledgerAfter 10 != ledgerBefore 10 + added 2 - removed 3',
    ]);
  });
});

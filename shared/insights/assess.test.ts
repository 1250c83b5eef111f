import { describe, expect, it } from 'vitest';
import type { AudienceDescription, SyncSupport } from '../destinations/types.js';
import { assessReading } from './assess.js';

const perMember: SyncSupport = { removal: 'per-member', fullSync: 'list-and-remove' };
const replacing: SyncSupport = { removal: 'replace-membership', fullSync: 'replace-membership' };
const exact = (size: number | null): AudienceDescription => ({ sizes: { n: size }, size, counts: 'members', estimate: false, state: 'not-reported' });
const matched = (size: number | null): AudienceDescription => ({
  sizes: { SearchSize: size },
  size,
  counts: 'matched',
  estimate: true,
  state: size === null ? 'processing' : 'ready',
  shownFrom: 300,
});

describe('assessReading', () => {
  it('says so when the destination reports nothing, and invents no rate', () => {
    expect(assessReading({ tracked: 500, owed: 0, sync: perMember, displayName: 'X' })).toEqual({
      state: 'not-reported',
      detail: 'X reports nothing about its audiences',
      matchRate: null,
      matchRateEstimate: false,
    });
  });

  it('computes a match rate from a matched size, as an estimate, with no drift below what was sent', () => {
    const assessment = assessReading({ description: matched(800), tracked: 1_000, owed: 0, sync: perMember, displayName: 'MS' });
    expect(assessment).toEqual({ state: 'ready', matchRate: 0.8, matchRateEstimate: true });
  });

  it('tells a list below the shown size apart from one still processing', () => {
    expect(assessReading({ description: matched(null), tracked: 120, owed: 0, sync: perMember, displayName: 'MS' }).state).toBe('too-small-to-serve');
    expect(assessReading({ description: matched(null), tracked: 5_000, owed: 0, sync: perMember, displayName: 'MS' })).toMatchObject({
      state: 'processing',
      matchRate: null,
    });
  });

  it('flags an exact count above the ledger for a full sync, but not while removals owed explain it', () => {
    expect(assessReading({ description: exact(1_050), tracked: 1_000, owed: 50, sync: perMember, displayName: 'A' }).drift).toBeUndefined();
    expect(assessReading({ description: exact(1_050), tracked: 1_000, owed: 0, sync: perMember, displayName: 'A' }).drift).toMatchObject({
      difference: 50,
      action: 'full-sync',
    });
  });

  it('says removals are not happening when a replace-only service holds more than it was sent (NextRoll appending)', () => {
    const { drift, matchRate } = assessReading({ description: exact(2_200), tracked: 1_700, owed: 0, sync: replacing, displayName: 'AdRoll' });
    expect(matchRate).toBeCloseTo(1.2941, 4);
    expect(drift).toMatchObject({ difference: 500, action: 'none' });
    expect(drift!.message).toContain('leavers are not being removed');
    expect(drift!.message).toContain('500 members more');
  });

  it('asks a full sync when an exact count falls short of the ledger', () => {
    expect(assessReading({ description: exact(900), tracked: 1_000, owed: 0, sync: replacing, displayName: 'A' }).drift).toMatchObject({
      difference: -100,
      action: 'full-sync',
    });
  });

  it('sees no drift in a matched count that exceeds nothing, nor in a withheld one', () => {
    expect(assessReading({ description: matched(1_000), tracked: 1_000, owed: 0, sync: perMember, displayName: 'MS' }).drift).toBeUndefined();
    expect(assessReading({ description: matched(1_200), tracked: 1_000, owed: 0, sync: perMember, displayName: 'MS' }).drift?.action).toBe('full-sync');
  });
});

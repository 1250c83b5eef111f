import { describe, expect, it } from 'vitest';
import { evaluateAlerts, type AlertState } from './alerts.js';
import type { AudienceReading } from './model.js';

type Reading = Parameters<typeof evaluateAlerts>[2];
let minute = 0;
const reading = (size: number | null, tracked = 1_000, state: AudienceReading['state'] = 'ready'): Reading => ({
  exportId: 'e1',
  segment: 'vip',
  readAt: new Date(Date.UTC(2026, 0, 1, 0, minute++)).toISOString(),
  reported: size === null && state === 'not-reported' ? null : { sizes: { SearchSize: size }, size, counts: 'matched', estimate: true },
  state,
  tracked,
  matchRate: size === null ? null : size / tracked,
});

/** Feeds readings one after the other, as the insights do, and answers the kinds raised by each. */
function replay(settings: Parameters<typeof evaluateAlerts>[0], readings: Reading[]): string[][] {
  let state: AlertState | undefined;
  return readings.map((r) => {
    const { next, alerts } = evaluateAlerts(settings, state, r);
    state = next;
    return alerts.map((a) => a.kind);
  });
}

describe('evaluateAlerts', () => {
  it('tells a match rate that falls below the threshold once, not at every reading it stays below', () => {
    const raised = replay({ matchRateBelow: 0.5 }, [reading(900), reading(400), reading(300), reading(450), reading(200)]);
    expect(raised).toEqual([[], ['match-rate-low'], [], [], []]);
  });

  it('tells it again only after the rate has risen to the threshold or above', () => {
    const raised = replay({ matchRateBelow: 0.5 }, [reading(400), reading(500), reading(400)]);
    expect(raised).toEqual([['match-rate-low'], [], ['match-rate-low']]);
  });

  it('a reading without a rate (still processing) neither tells nor resets', () => {
    const raised = replay({ matchRateBelow: 0.5 }, [reading(400), reading(null, 1_000, 'processing'), reading(300)]);
    expect(raised).toEqual([['match-rate-low'], [], []]);
  });

  it('says what was crossed, with the numbers', () => {
    const { alerts } = evaluateAlerts({ matchRateBelow: 0.5 }, { matchRateLow: false, size: 900, readAt: 'x' }, reading(400));
    expect(alerts).toEqual([
      expect.objectContaining({ kind: 'match-rate-low', exportId: 'e1', segment: 'vip', threshold: 0.5, matchRate: 0.4, size: 400, previousSize: 900 }),
    ]);
    expect(alerts[0]!.message).toBe("The match rate of vip fell to 40 %, below the export's threshold of 50 %.");
  });

  it('tells each drop larger than the share between two readings, judged from the last known size', () => {
    const raised = replay({ shrinksBy: 0.2 }, [reading(1_000), reading(850), reading(600), reading(null, 1_000, 'processing'), reading(400), reading(400)]);
    // 1,000 → 850 is 15 %; 850 → 600 is 29 %; 600 → (withheld) → 400 is 33 %; then no change.
    expect(raised).toEqual([[], [], ['audience-shrank'], [], ['audience-shrank'], []]);
  });

  it('judges a destination that reports nothing by the ledger', () => {
    const quiet = (tracked: number): Reading => ({ ...reading(null, tracked, 'not-reported'), matchRate: null });
    expect(replay({ shrinksBy: 0.1 }, [quiet(1_000), quiet(500)])).toEqual([[], ['audience-shrank']]);
  });

  it('tells nothing without settings, yet remembers, so an alert turned on later judges from the real history', () => {
    const { next, alerts } = evaluateAlerts(undefined, undefined, reading(400));
    expect(alerts).toEqual([]);
    expect(next).toMatchObject({ matchRateLow: false, size: 400 });
    expect(evaluateAlerts({ shrinksBy: 0.5 }, next, reading(100)).alerts.map((a) => a.kind)).toEqual(['audience-shrank']);
  });
});

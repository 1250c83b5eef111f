import type { AudienceAlerts } from '../domain/export.js';
import type { AudienceReading } from './model.js';

export const audienceAlertKinds = ['match-rate-low', 'audience-shrank'] as const;
export type AudienceAlertKind = (typeof audienceAlertKinds)[number];

/**
 * What the alerts remember of an audience between readings, kept apart from the readings
 * (which the retention purge deletes): whether its match rate was last seen below the
 * threshold, and the last size it was seen at. Only a change of that state is news.
 */
export interface AlertState {
  matchRateLow: boolean;
  /** The last known size (reported, or tracked where the destination reports none); null before any. */
  size: number | null;
  readAt: string;
}

export interface AudienceAlert {
  kind: AudienceAlertKind;
  exportId: string;
  segment: string;
  readAt: string;
  message: string;
  /** The threshold crossed: a match rate, or the share an audience may shrink by. */
  threshold: number;
  matchRate: number | null;
  size: number | null;
  previousSize: number | null;
}

const percent = (share: number) => `${Math.round(share * 1000) / 10} %`;
const count = (n: number) => n.toLocaleString('en-US');

/** The size an audience is judged by: what the destination reports, or the ledger where it reports nothing at all. */
export function alertSize(reading: Pick<AudienceReading, 'reported' | 'state' | 'tracked'>): number | null {
  if (reading.reported) return reading.reported.size;
  return reading.state === 'not-reported' ? reading.tracked : null;
}

/**
 * Compares a new reading with what the alerts remember and says what is news. A match rate
 * alerts when it is below the threshold and was not below it at the last reading that had a
 * rate (a reading without one, e.g. still processing, changes nothing); it alerts again only
 * after it has risen to the threshold or above. A shrink is a drop between the last known
 * size and this one larger than the share, each drop once. The state moves on whether or not
 * alerts are asked for, so turning one on later judges from the audience's real history.
 */
export function evaluateAlerts(
  settings: AudienceAlerts | undefined,
  previous: AlertState | undefined,
  reading: Pick<AudienceReading, 'exportId' | 'segment' | 'readAt' | 'reported' | 'state' | 'tracked' | 'matchRate'>,
): { next: AlertState; alerts: AudienceAlert[] } {
  const alerts: AudienceAlert[] = [];
  const size = alertSize(reading);
  const base = { exportId: reading.exportId, segment: reading.segment, readAt: reading.readAt, matchRate: reading.matchRate, size, previousSize: previous?.size ?? null };

  let matchRateLow = previous?.matchRateLow ?? false;
  if (reading.matchRate !== null) {
    const threshold = settings?.matchRateBelow;
    const low = threshold !== undefined && reading.matchRate < threshold;
    if (low && !matchRateLow) {
      alerts.push({
        ...base,
        kind: 'match-rate-low',
        threshold: threshold!,
        message: `The match rate of ${reading.segment} fell to ${percent(reading.matchRate)}, below the export's threshold of ${percent(threshold!)}.`,
      });
    }
    matchRateLow = low;
  }

  const shrinksBy = settings?.shrinksBy;
  const before = previous?.size ?? null;
  if (shrinksBy !== undefined && size !== null && before !== null && before > 0 && (before - size) / before > shrinksBy) {
    alerts.push({
      ...base,
      kind: 'audience-shrank',
      threshold: shrinksBy,
      message: `${reading.segment} shrank from ${count(before)} to ${count(size)} members (${percent((before - size) / before)}) since the last reading, more than the export's ${percent(shrinksBy)}.`,
    });
  }

  return { next: { matchRateLow, size: size ?? before, readAt: reading.readAt }, alerts };
}

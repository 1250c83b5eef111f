import type { BadgeProps } from '@fluentui/react-components';
import type { AudienceReading, AudienceState } from '../api/types.js';
import { formatCount } from './format.js';

/** A reading's processing state in words, and the badge colour that goes with it. */
export const stateLabels: Record<AudienceState, string> = {
  processing: 'processing',
  ready: 'ready',
  'too-small-to-serve': 'too small to serve',
  failed: 'failed',
  // The service reports no state (it may still report a size): not a problem, nothing to wait for.
  'not-reported': 'state not reported',
};
export const stateColors: Record<AudienceState, BadgeProps['color']> = {
  processing: 'informative',
  ready: 'success',
  'too-small-to-serve': 'warning',
  failed: 'danger',
  'not-reported': 'subtle',
};

/** 0.9512 → "95.1%"; the API's rate is reported size over tracked, so it can exceed 100%. */
export const formatRate = (rate: number) => `${(rate * 100).toLocaleString('en-US', { maximumFractionDigits: 1 })}%`;

/** The match rate as shown: the rate, said to be an estimate where the service rounds or counts matched users only. */
export function matchRateText(reading: Pick<AudienceReading, 'matchRate' | 'matchRateEstimate'>): string {
  if (reading.matchRate === null) return 'not known';
  return `${formatRate(reading.matchRate)}${reading.matchRateEstimate ? ' (estimate)' : ''}`;
}

/** Whether the destination reported any size at all: a reading without one must say so, never show a number. */
export const reportsSize = (reading: AudienceReading) => reading.reported !== null && Object.keys(reading.reported.sizes).length > 0;

/** One of the destination's own size fields: a number, or withheld (null: the service does not show it yet). */
export const sizeText = (value: number | null | undefined) => (value === null || value === undefined ? 'withheld' : formatCount(value));

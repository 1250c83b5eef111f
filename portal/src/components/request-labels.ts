import type { BadgeProps } from '@fluentui/react-components';
import type { DestinationRequest, RequestState } from '../api/types.js';

/** A request's state in words, and the badge colour that goes with it. */
export const requestStateLabels: Record<RequestState, string> = {
  processing: 'processing',
  succeeded: 'succeeded',
  'partially-succeeded': 'partially succeeded',
  failed: 'failed',
  // Gone at the destination, or no final status in time: the record counts it as failed.
  unknown: 'no final status (counted as failed)',
};
export const requestStateColors: Record<RequestState, BadgeProps['color']> = {
  processing: 'informative',
  succeeded: 'success',
  'partially-succeeded': 'warning',
  failed: 'danger',
  unknown: 'danger',
};

export const operationLabels: Record<DestinationRequest['operation'], string> = {
  add: 'add',
  remove: 'remove',
  'remove-all': 'remove all',
};

/** "1 request", "3 requests": the record's counts read as a sentence. */
export const requests = (n: number) => `${n.toLocaleString('en-US')} ${n === 1 ? 'request' : 'requests'}`;

/** The bounds a range name states, if it states any: the lower one orders the ranges, best first. */
function boundsOf(range: string): { low: number; text: string } | undefined {
  const between = /(\d+)\s*(?:_TO_|-|–|\s+TO\s+)\s*(\d+)/i.exec(range);
  if (between) return { low: Number(between[1]), text: `${between[1]}–${between[2]} %` };
  const below = /(?:LESS_THAN|BELOW|UNDER)_?(\d+)/i.exec(range);
  if (below) return { low: -1, text: `under ${below[1]} %` };
  const above = /(?:MORE_THAN|GREATER_THAN|ABOVE|OVER)_?(\d+)/i.exec(range);
  if (above) return { low: Number(above[1]) + 0.5, text: `over ${above[1]} %` };
  return undefined;
}

/**
 * A match-rate range as the destination names it, in words: `MATCH_RATE_RANGE_51_TO_60` →
 * "51–60 %", `…_LESS_THAN_20` → "under 20 %", `…_NOT_ELIGIBLE` → "not eligible". A name
 * stating no bounds is shown as its words, so a range the portal does not know still reads.
 */
export function matchRateRangeText(range: string): string {
  const bounds = boundsOf(range);
  if (bounds) return bounds.text;
  const words = range.replace(/^MATCH_RATE_RANGE_|^MATCH_RATE_/i, '').replace(/_/g, ' ').trim().toLowerCase();
  return words === '' ? range : words;
}

/** The record's ranges with their request counts, best first; ranges stating no bounds last, by name. */
export function matchRateRangesText(ranges: Record<string, number>): string {
  const entries = Object.entries(ranges).filter(([, n]) => n > 0);
  entries.sort(([a], [b]) => {
    const la = boundsOf(a)?.low;
    const lb = boundsOf(b)?.low;
    if (la !== undefined && lb !== undefined) return lb - la;
    if (la !== undefined) return -1;
    if (lb !== undefined) return 1;
    return a.localeCompare(b);
  });
  return entries.map(([range, n]) => `${matchRateRangeText(range)} (${requests(n)})`).join(', ');
}

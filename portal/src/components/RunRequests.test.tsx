import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { DestinationRequest, DestinationRequests, SegmentRun } from '../api/types.js';
import { renderPage } from '../testing/render.js';
import { matchRateRangesText, matchRateRangeText } from './request-labels.js';
import { OPEN_UP_TO, progressText, RunRequests } from './RunRequests.js';

const counts = { read: 100, valid: 100, invalid: 0, duplicate: 0, suppressed: 0, skipped: 0, unchanged: 0, sent: 100, accepted: 100, rejected: 0, status: 'succeeded' as const };
const checkedAt = '2026-12-01T12:00:00.000Z';

const item = (n: number, state: DestinationRequest['state'], extra: Partial<DestinationRequest> = {}): DestinationRequest => ({
  requestId: `req-${n}`, operation: 'add', members: 10_000, state, ...extra,
});

/** A record as the timer's check leaves it: the summary counts agree with the items. */
function recordOf(items: DestinationRequest[], extra: Partial<DestinationRequests> = {}): DestinationRequests {
  const count = (...states: DestinationRequest['state'][]) => items.filter((i) => states.includes(i.state)).length;
  const matchRateRanges: Record<string, number> = {};
  for (const i of items) if (i.matchRateRange) matchRateRanges[i.matchRateRange] = (matchRateRanges[i.matchRateRange] ?? 0) + 1;
  return {
    total: items.length, processing: count('processing'), succeeded: count('succeeded'), partiallySucceeded: count('partially-succeeded'),
    failed: count('failed', 'unknown'), returned: 0, matchRateRanges, items, checkedAt, ...extra,
  };
}

describe('match-rate ranges in words', () => {
  it('reads the bounds a range names, and the words of one that names none', () => {
    expect(matchRateRangeText('MATCH_RATE_RANGE_51_TO_60')).toBe('51–60 %');
    expect(matchRateRangeText('MATCH_RATE_RANGE_20_TO_30')).toBe('20–30 %');
    expect(matchRateRangeText('MATCH_RATE_RANGE_LESS_THAN_20')).toBe('under 20 %');
    expect(matchRateRangeText('MATCH_RATE_RANGE_NOT_ELIGIBLE')).toBe('not eligible');
    // Names in other shapes still read.
    expect(matchRateRangeText('81-90')).toBe('81–90 %');
    expect(matchRateRangeText('MORE_THAN_90')).toBe('over 90 %');
    expect(matchRateRangeText('UNKNOWN')).toBe('unknown');
  });

  it('lists the ranges best first with their requests, those without bounds last', () => {
    expect(
      matchRateRangesText({ MATCH_RATE_RANGE_NOT_ELIGIBLE: 1, MATCH_RATE_RANGE_LESS_THAN_20: 1, MATCH_RATE_RANGE_51_TO_60: 2, MATCH_RATE_RANGE_91_TO_100: 1, MATCH_RATE_RANGE_31_TO_40: 0 }),
    ).toBe('91–100 % (1 request), 51–60 % (2 requests), under 20 % (1 request), not eligible (1 request)');
    expect(matchRateRangesText({})).toBe('');
  });

  it('says how many requests are still processing and how many are final', () => {
    expect(progressText(recordOf([item(1, 'processing'), item(2, 'succeeded'), item(3, 'processing')]))).toBe('2 of 3 requests still processing, 1 final.');
    expect(progressText(recordOf([item(1, 'succeeded'), item(2, 'failed')]))).toBe('All 2 requests are final.');
    expect(progressText(recordOf([item(1, 'failed')]))).toBe('The request is final.');
  });
});

describe('requests at the destination', () => {
  it('shows nothing for a run whose destination processes what it receives at once', () => {
    const { container } = renderPage(<RunRequests segments={[{ ...counts, segment: 'buyers' }]} />);
    expect(screen.queryByRole('heading', { name: 'Requests at the destination' })).toBeNull();
    expect(container.textContent).toBe('');
  });

  it('shows per segment the progress, outcomes, members returned, match rates and each request', async () => {
    const buyers = recordOf(
      [
        item(1, 'succeeded', { matchRateRange: 'MATCH_RATE_RANGE_51_TO_60', serviceState: 'SUCCESS' }),
        item(2, 'partially-succeeded', { members: 2_500, matchRateRange: 'MATCH_RATE_RANGE_51_TO_60', serviceState: 'PARTIAL_SUCCESS' }),
        item(3, 'failed', { operation: 'remove', members: 40, serviceState: 'FAILED' }),
        item(4, 'processing'),
      ],
      { returned: 40 },
    );
    const segments: SegmentRun[] = [{ ...counts, segment: 'buyers', requests: buyers }, { ...counts, segment: 'idle' }];
    renderPage(<RunRequests segments={segments} />);
    const section = screen.getByRole('region', { name: 'Requests at the destination' });
    const region = within(section).getByRole('region', { name: 'buyers' });
    // A segment without requests gets no section of its own.
    expect(within(section).queryByRole('region', { name: 'idle' })).toBeNull();
    expect(region.textContent).toContain('1 of 4 requests still processing, 3 final.');
    const terms = within(region).getAllByRole('term');
    expect(Object.fromEntries(terms.map((dt) => [dt.textContent, dt.nextElementSibling?.textContent]))).toEqual({
      'Still processing': '1', Succeeded: '1', 'Partially succeeded': '1', Failed: '1', 'Members returned for the next run': '40',
    });
    expect(within(region).getByText('Match rate: 51–60 % (2 requests).')).toBeTruthy();
    // Four requests: the table is open.
    const table = within(region).getByRole('table', { name: 'Requests of buyers' });
    expect(within(table).getAllByRole('columnheader').map((c) => c.textContent)).toEqual(['Request', 'Operation', 'Members', 'State', 'Match rate']);
    const cells = (name: string) => within(within(table).getByRole('row', { name: new RegExp(name) })).getAllByRole('cell').map((c) => c.textContent);
    expect(cells('req-2')).toEqual(['req-2', 'add', '2,500', 'partially succeeded PARTIAL_SUCCESS', '51–60 %']);
    expect(cells('req-3')).toEqual(['req-3', 'remove', '40', 'failed FAILED', 'not reported']);
    expect(cells('req-4')).toEqual(['req-4', 'add', '10,000', 'processing', 'not yet']);
  });

  it('keeps a long list of requests collapsed until asked for, and says when the record lists only the first', async () => {
    const items = Array.from({ length: OPEN_UP_TO + 2 }, (_, i) => item(i + 1, 'succeeded', { matchRateRange: 'MATCH_RATE_RANGE_81_TO_90' }));
    const record = { ...recordOf(items), total: 620, succeeded: 620, matchRateRanges: { MATCH_RATE_RANGE_81_TO_90: 620 } };
    renderPage(<RunRequests segments={[{ ...counts, segment: 'everyone', requests: record }]} />);
    expect(screen.getByText('All 620 requests are final.', { exact: false })).toBeTruthy();
    expect(screen.getByText('Match rate: 81–90 % (620 requests).')).toBeTruthy();
    const toggle = screen.getByRole('button', { name: 'Requests (the first 12 of 620)' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByRole('table', { name: 'Requests of everyone' })).toBeNull();
    await userEvent.setup().click(toggle);
    const table = await screen.findByRole('table', { name: 'Requests of everyone' });
    expect(within(table).getAllByRole('row')).toHaveLength(OPEN_UP_TO + 2 + 1);
  });
});

import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { AudienceReading, ExportAudience } from '../api/types.js';
import { fakeApi, renderPage, reply } from '../testing/render.js';
import { AudiencesPanel } from './AudiencesPanel.js';

const base = { exportId: 'x1', trigger: 'after-run', owed: 0, matchRateEstimate: false } as const;

const ready: AudienceReading = {
  ...base, segment: 'buyers', destinationType: 'microsoft-advertising', audienceId: 'a1', readAt: '2026-12-03T10:00:00.000Z', trigger: 'timer',
  tracked: 2000, reported: { sizes: { SearchSize: 1200, AudienceNetworkSize: 1500 }, size: 1500, counts: 'matched', estimate: true },
  state: 'ready', matchRate: 0.75, matchRateEstimate: true, lastRun: { runId: 'r1', added: 2000, removed: 0 },
};
const processing: AudienceReading = {
  ...base, segment: 'newcomers', destinationType: 'microsoft-advertising', audienceId: 'a2', readAt: '2026-12-03T10:00:00.000Z',
  tracked: 900, owed: 12, reported: { sizes: { SearchSize: null, AudienceNetworkSize: null }, size: null, counts: 'matched', estimate: true },
  state: 'processing', detail: 'Microsoft Advertising withholds sizes for up to 48 hours after an upload', matchRate: null, matchRateEstimate: true,
};
const history: AudienceReading[] = [
  ready,
  {
    ...ready, readAt: '2026-12-02T10:00:00.000Z', trigger: 'after-run', tracked: 2000,
    reported: { sizes: { SearchSize: null, AudienceNetworkSize: null }, size: null, counts: 'matched', estimate: true }, state: 'processing', matchRate: null,
  },
];
const latest = (reading: AudienceReading): ExportAudience => ({ segment: reading.segment, latest: reading });

function renderPanel(destinationName = 'Microsoft Advertising') {
  return renderPage(<AudiencesPanel exportId="x1" destinationName={destinationName} />);
}

/** A segment's latest reading, as term → value. */
async function factsOf(segment: string): Promise<Record<string, string>> {
  const region = await screen.findByRole('region', { name: segment });
  const dts = await within(region).findAllByRole('term');
  return Object.fromEntries(dts.map((dt) => [dt.textContent, dt.nextElementSibling?.textContent ?? '']));
}

describe('Audiences panel', () => {
  it("shows the reported sizes under the destination's own names, the match rate as an estimate, the state and the last run", async () => {
    fakeApi({
      'GET /exports/x1/audiences': { exportId: 'x1', audiences: [latest(ready)] },
      'GET /exports/x1/audiences/buyers/history': { items: [ready] },
    });
    renderPanel();
    const facts = await factsOf('buyers');
    expect(facts).toMatchObject({
      State: 'ready',
      'Tracked in the ledger': '2,000',
      'Reported by Microsoft Advertising': 'SearchSize 1,200, AudienceNetworkSize 1,500 (matched users only, estimate)',
      'Match rate': '75% (estimate)',
      'Last run': 'added 2,000, removed 0 (the run)',
    });
    expect(screen.getByRole('link', { name: 'the run' }).getAttribute('href')).toBe('#/runs/r1');
    expect(screen.queryByText('Out of step with the ledger')).toBeNull();
  });

  it('says an audience is processing, with why, and shows no number the service withholds', async () => {
    fakeApi({
      'GET /exports/x1/audiences': { exportId: 'x1', audiences: [latest(processing)] },
      'GET /exports/x1/audiences/newcomers/history': { items: [processing] },
    });
    renderPanel();
    const facts = await factsOf('newcomers');
    expect(facts).toMatchObject({
      State: 'processing Microsoft Advertising withholds sizes for up to 48 hours after an upload',
      'Tracked in the ledger': '900, and 12 removals not yet confirmed',
      'Reported by Microsoft Advertising': 'SearchSize withheld, AudienceNetworkSize withheld (matched users only, estimate)',
      'Match rate': 'not known',
    });
  });

  it('says so where the destination reports nothing, and invents no size or rate', async () => {
    const silent: AudienceReading = {
      ...base, segment: 'buyers', destinationType: 'quiet', readAt: '2026-12-03T10:00:00.000Z', tracked: 150, reported: null,
      state: 'not-reported', detail: 'Quiet Ads reports nothing about its audiences', matchRate: null,
    };
    fakeApi({
      'GET /exports/x1/audiences': { exportId: 'x1', audiences: [latest(silent)] },
      'GET /exports/x1/audiences/buyers/history': { items: [silent] },
    });
    renderPanel('Quiet Ads');
    const facts = await factsOf('buyers');
    expect(facts['Reported by Quiet Ads']).toBe('the destination reports no size');
    expect(facts['Match rate']).toBe('not known');
    expect(facts.State).toBe('state not reported Quiet Ads reports nothing about its audiences');
    const table = await screen.findByRole('table', { name: 'Readings of buyers' });
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toContain('Reported');
    expect(within(within(table).getAllByRole('row')[1]!).getAllByRole('cell')[3]!.textContent).toBe('not reported');
    expect(screen.getByText(/Quiet Ads reports no size\)/)).toBeTruthy();
  });

  it('warns when a reading is out of step with the ledger, saying what will (or cannot) set it right', async () => {
    const drifted: AudienceReading = {
      ...base, segment: 'buyers', destinationType: 'adroll', audienceId: 's1', readAt: '2026-12-03T10:00:00.000Z', tracked: 1700,
      reported: { sizes: { emails: 2200 }, size: 2200, counts: 'members', estimate: false }, state: 'not-reported', matchRate: 1.2941,
      drift: { difference: 500, action: 'none', message: 'AdRoll holds 500 members more than the app sent: leavers are not being removed.' },
    };
    fakeApi({
      'GET /exports/x1/audiences': { exportId: 'x1', audiences: [latest(drifted)] },
      'GET /exports/x1/audiences/buyers/history': { items: [drifted] },
    });
    renderPanel('AdRoll');
    const facts = await factsOf('buyers');
    expect(facts['Reported by AdRoll']).toBe('emails 2,200');
    expect(facts['Match rate']).toBe('129.4%');
    const warning = screen.getByText('Out of step with the ledger').closest('.fui-MessageBar') as HTMLElement;
    expect(warning.textContent).toContain('AdRoll holds 500 members more than the app sent: leavers are not being removed.');
    expect(warning.textContent).toContain('Nothing the service allows would set it right');
  });

  it('says which alert a reading raised, and that the webhooks were told', async () => {
    const fell: AudienceReading = { ...ready, matchRate: 0.4, alerts: [{ kind: 'match-rate-low', message: "The match rate of buyers fell to 40 %, below the export's threshold of 50 %." }] };
    fakeApi({ 'GET /exports/x1/audiences': { exportId: 'x1', audiences: [latest(fell)] }, 'GET /exports/x1/audiences/buyers/history': { items: [fell] } });
    renderPanel();
    const title = await screen.findByText('Match rate below the alert threshold');
    expect(title.closest('.fui-MessageBar')!.textContent).toContain("fell to 40 %, below the export's threshold of 50 %. The export's webhooks were told.");
  });

  it('lists the history as table rows, newest first, and shows the table on request', async () => {
    const requests = fakeApi({
      'GET /exports/x1/audiences': { exportId: 'x1', audiences: [latest(ready)] },
      'GET /exports/x1/audiences/buyers/history': { items: history },
    });
    renderPanel();
    const table = await screen.findByRole('table', { name: 'Readings of buyers' });
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual([
      'Read', 'Taken', 'Tracked', 'Reported SearchSize', 'Reported AudienceNetworkSize', 'Match rate', 'State', 'Added by the run', 'Removed by the run',
    ]);
    const rows = within(table).getAllByRole('row').slice(1).map((row) => within(row).getAllByRole('cell').map((c) => c.textContent).slice(1));
    expect(rows).toEqual([
      ['by the timer', '2,000', '1,200 (estimate)', '1,500 (estimate)', '75% (estimate)', 'ready', '2,000', '0'],
      ['after a run', '2,000', 'withheld', 'withheld', 'not known', 'processing', '2,000', '0'],
    ]);
    expect(requests.find((r) => r.path === '/exports/x1/audiences/buyers/history')?.query).toBe('?top=50');
    // The chart is drawn for sighted readers; the table carries the numbers and can be shown instead.
    expect(screen.getByText(/Tracked in the ledger against the size Microsoft Advertising reports/)).toBeTruthy();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Show as a table' }));
    expect(screen.getByRole('button', { name: 'Show as a table' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.queryByText(/Tracked in the ledger against/)).toBeNull();
    expect(screen.getByRole('table', { name: 'Readings of buyers' })).toBeTruthy();
  });

  it('says when an audience has not been read yet, and shows an error the API answers with', async () => {
    fakeApi({ 'GET /exports/x1/audiences': { exportId: 'x1', audiences: [{ segment: 'buyers', latest: null }] } });
    const first = renderPanel();
    expect(await screen.findByText(/Not read yet: the first reading comes at the end of the next run/)).toBeTruthy();
    first.unmount();
    fakeApi({ 'GET /exports/x1/audiences': reply(503, { type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'storage is busy' }) });
    renderPanel();
    expect(await screen.findByText('storage is busy')).toBeTruthy();
  });
});

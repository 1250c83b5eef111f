import { screen, within } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { describe, expect, it } from 'vitest';
import type { Run } from '../api/types.js';
import { catalog, fakeApi, renderPage } from '../testing/render.js';
import { progressOf, refetchIntervalOf, RunPage } from './RunPage.js';

const running: Run = {
  id: 'r1',
  exportId: 'e1',
  destinationType: 'autopilot',
  trigger: 'on-demand',
  status: 'running',
  segments: [{ segment: 'buyers', read: 1000, valid: 990, invalid: 6, duplicate: 4, suppressed: 0, skipped: 0, unchanged: 0, sent: 500, accepted: 498, rejected: 2, status: 'running' }],
  progress: { stage: 'uploading', workFilesDone: 3, workFilesTotal: 4 },
  startedAt: '2026-12-01T10:00:00.000Z',
};

describe('run progress', () => {
  it('is the share of work files uploaded while running, and complete once finished', () => {
    expect(progressOf(running)).toEqual({ value: 0.75, text: 'uploading: 3 of 4 work files' });
    expect(progressOf({ ...running, progress: undefined, status: 'queued' })).toEqual({ value: 0, text: 'Queued' });
    // Every file sent, the run not recorded as finished yet: not complete.
    expect(progressOf({ ...running, progress: { stage: 'sending', workFilesDone: 4, workFilesTotal: 4 } }).value).toBe(0.99);
    expect(progressOf({ ...running, status: 'partially-succeeded' })).toEqual({ value: 1, text: 'Finished: partially-succeeded' });
  });

  it('shows the bar, the counts per segment and the destination by name', async () => {
    fakeApi({ 'GET /runs/r1': running, 'GET /destinations': { items: catalog } });
    renderPage(
      <Routes>
        <Route path="/runs/:id" element={<RunPage />} />
      </Routes>,
      { route: '/runs/r1' },
    );
    const bar = await screen.findByRole('progressbar', { name: 'Progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('0.75');
    const row = screen.getByRole('row', { name: /buyers/ });
    expect(within(row).getAllByRole('cell').map((c) => c.textContent)).toEqual(['buyers', 'running', '1,000', '990', '6', '4', '0', '0', '0', '500', '498', '2', '']);
    expect(await screen.findByText('Autopilot')).toBeTruthy();
    // The report is for finished runs.
    expect((screen.getByRole('button', { name: /Download rejected rows/ }) as HTMLButtonElement).disabled).toBe(true);
    // Recorded without mirror-sync counts: no table of audience changes, no empty columns.
    expect(screen.queryByRole('heading', { name: 'Audience changes' })).toBeNull();
    expect(screen.queryByRole('table', { name: 'Audience changes per segment' })).toBeNull();
    // Nor requests processed later: the destination processes what it receives at once.
    expect(screen.queryByRole('heading', { name: 'Requests at the destination' })).toBeNull();
  });

  it('shows what mirror sync changed at each audience, and a reason beside members it left there', async () => {
    const finished: Run = {
      ...running,
      status: 'succeeded',
      full: true,
      progress: undefined,
      finishedAt: '2026-12-01T10:01:00.000Z',
      durationMs: 60_000,
      segments: [
        {
          segment: 'buyers', read: 1000, valid: 990, invalid: 4, duplicate: 3, suppressed: 3, skipped: 0, unchanged: 700, sent: 290, accepted: 290, rejected: 0, status: 'succeeded',
          sync: { full: true, toRemove: 40, removed: 35, removeFailed: 5, notRemoved: 0, added: 290, ledgerBefore: 745, ledgerAfter: 1000 },
        },
        {
          segment: 'leavers', read: 10, valid: 10, invalid: 0, duplicate: 0, suppressed: 0, skipped: 0, unchanged: 10, sent: 0, accepted: 0, rejected: 0, status: 'succeeded',
          sync: { full: false, toRemove: 0, removed: 0, removeFailed: 0, notRemoved: 6, notRemovedReason: 'add-only', added: 0, ledgerBefore: 16, ledgerAfter: 16 },
        },
      ],
    };
    fakeApi({ 'GET /runs/r1': finished, 'GET /destinations': { items: catalog } });
    renderPage(
      <Routes>
        <Route path="/runs/:id" element={<RunPage />} />
      </Routes>,
      { route: '/runs/r1' },
    );
    const table = await screen.findByRole('table', { name: 'Audience changes per segment' });
    expect(screen.getByRole('heading', { level: 2, name: 'Audience changes' })).toBeTruthy();
    expect(within(table).getAllByRole('columnheader').map((c) => c.textContent)).toEqual([
      'Segment', 'Sync', 'Added', 'To remove', 'Removed', 'Removal failed', 'Left in the audience', 'Tracked before', 'Tracked after',
    ]);
    const cells = (name: RegExp) => within(within(table).getByRole('row', { name })).getAllByRole('cell').map((c) => c.textContent);
    expect(cells(/buyers/)).toEqual(['buyers', 'full (requested)', '290', '40', '35', '5 (sent again next run)', '0', '745', '1,000']);
    expect(cells(/leavers/)).toEqual(['leavers', 'changes only', '0', '0', '0', '0', '6: the export only adds', '16', '16']);
    expect(screen.getByText(/Full sync requested/)).toBeTruthy();
    const counts = within(screen.getByRole('table', { name: 'Counts per segment' })).getByRole('row', { name: /buyers/ });
    // Suppressed and Unchanged sit where the counts reconcile: read = valid + invalid + duplicate + suppressed.
    expect(within(counts).getAllByRole('cell').map((c) => c.textContent).slice(2, 8)).toEqual(['1,000', '990', '4', '3', '3', '700']);
  });

  it('shows the processing state at the destination of what the run sent, from readings taken since it ended', async () => {
    const finishedAt = '2026-12-01T10:01:00.000Z';
    const counts = { read: 500, valid: 500, invalid: 0, duplicate: 0, suppressed: 0, skipped: 0, unchanged: 0, accepted: 500, rejected: 0, status: 'succeeded' as const };
    const sync = { full: true, toRemove: 0, removed: 0, removeFailed: 0, notRemoved: 0, added: 500, ledgerBefore: 0, ledgerAfter: 500 };
    const run: Run = {
      ...running, destinationType: 'microsoft-advertising', status: 'succeeded', progress: undefined, finishedAt, durationMs: 60_000,
      segments: ['buyers', 'vips', 'later', 'idle'].map((segment) => ({ ...counts, segment, sent: segment === 'idle' ? 0 : 500, ...(segment === 'idle' ? {} : { sync }) })),
    };
    const reading = (segment: string, readAt: string, state: 'processing' | 'ready', size: number | null) => ({
      exportId: 'e1', segment, destinationType: 'microsoft-advertising', audienceId: 'a', readAt, trigger: 'after-run' as const, tracked: 500, owed: 0,
      reported: { sizes: { SearchSize: size }, size, counts: 'matched' as const, estimate: true }, state, matchRate: size === null ? null : size / 500, matchRateEstimate: true,
    });
    fakeApi({
      'GET /runs/r1': run,
      'GET /destinations': { items: catalog },
      'GET /exports/e1/audiences': {
        exportId: 'e1',
        audiences: [
          // Taken by the run itself at its end, just before its record was final.
          { segment: 'buyers', latest: { ...reading('buyers', '2026-12-01T10:00:59.000Z', 'processing', null), lastRun: { runId: 'r1', added: 500, removed: 0 } } },
          { segment: 'vips', latest: reading('vips', '2026-12-01T14:00:00.000Z', 'ready', 400) },
          // Read before this run ended: it says nothing about what the run sent.
          { segment: 'later', latest: reading('later', '2026-12-01T09:00:00.000Z', 'ready', 450) },
          { segment: 'idle', latest: null },
        ],
      },
    });
    renderPage(
      <Routes>
        <Route path="/runs/:id" element={<RunPage />} />
      </Routes>,
      { route: '/runs/r1' },
    );
    const table = await screen.findByRole('table', { name: 'Processing at the destination per segment' });
    const cells = (name: RegExp) => within(within(table).getByRole('row', { name })).getAllByRole('cell').map((c) => c.textContent);
    await within(table).findByText('processing');
    expect(cells(/buyers/).slice(0, 4)).toEqual(['buyers', 'processing ', 'withheld', 'not known']);
    expect(cells(/vips/).slice(0, 4)).toEqual(['vips', 'ready ', '400', '80% (estimate)']);
    expect(cells(/later/)[1]).toMatch(/^Not read since the run ended yet/);
    // A segment the run sent nothing to has nothing to process.
    expect(within(table).queryByRole('row', { name: /idle/ })).toBeNull();
  });

  it('shows what became of the requests a destination processes later, and reads the run again while some are open', async () => {
    const finished: Run = {
      ...running, destinationType: 'microsoft-advertising', status: 'succeeded', progress: undefined, finishedAt: '2026-12-01T10:01:00.000Z', durationMs: 60_000,
      segments: [
        {
          segment: 'buyers', read: 1000, valid: 1000, invalid: 0, duplicate: 0, suppressed: 0, skipped: 0, unchanged: 0, sent: 1000, accepted: 1000, rejected: 0, status: 'succeeded',
          requests: {
            total: 2, processing: 1, succeeded: 0, partiallySucceeded: 0, failed: 1, returned: 600, matchRateRanges: {}, checkedAt: '2026-12-01T10:05:00.000Z',
            items: [
              { requestId: 'q1', operation: 'add', members: 600, state: 'unknown', serviceState: 'NO_ANSWER' },
              { requestId: 'q2', operation: 'add', members: 400, state: 'processing' },
            ],
          },
        },
      ],
    };
    fakeApi({ 'GET /runs/r1': finished, 'GET /destinations': { items: catalog }, 'GET /exports/e1/audiences': { exportId: 'e1', audiences: [] } });
    renderPage(
      <Routes>
        <Route path="/runs/:id" element={<RunPage />} />
      </Routes>,
      { route: '/runs/r1' },
    );
    const section = await screen.findByRole('region', { name: 'Requests at the destination' });
    expect(screen.getByRole('heading', { level: 2, name: 'Requests at the destination' })).toBeTruthy();
    const region = within(section).getByRole('region', { name: 'buyers' });
    expect(region.textContent).toContain('1 of 2 requests still processing, 1 final.');
    expect(region.textContent).toContain('Match rate: none reported yet.');
    const table = within(region).getByRole('table', { name: 'Requests of buyers' });
    expect(within(within(table).getByRole('row', { name: /q1/ })).getAllByRole('cell').map((c) => c.textContent)).toEqual([
      'q1', 'add', '600', 'no final status (counted as failed) NO_ANSWER', 'not reported',
    ]);
    // The app checks open requests minutes apart: the finished run is read again until none is open.
    expect(refetchIntervalOf(finished)).toBe(60_000);
    const settled = { ...finished, segments: finished.segments.map((s) => ({ ...s, requests: { ...s.requests!, processing: 0, succeeded: 1 } })) };
    expect(refetchIntervalOf(settled)).toBe(false);
    expect(refetchIntervalOf(running)).toBe(500);
    // A finished run with no requests to follow does not change.
    expect(refetchIntervalOf({ ...running, status: 'succeeded' })).toBe(false);
  });
});

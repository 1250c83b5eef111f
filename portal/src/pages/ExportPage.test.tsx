import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { describe, expect, it } from 'vitest';
import type { Export, ExportPreview } from '../api/types.js';
import { catalog, connection, fakeApi, renderPage, reply } from '../testing/render.js';
import { audienceAlertsText, ExportPage } from './ExportPage.js';

const stored: Export = {
  id: 'x1', name: 'Buyers to Autopilot', connectionId: 'ap', destinationType: 'autopilot', segments: ['buyers'], dataMatching: { email: 'mail' },
  settings: {}, enabled: true, runOnSegmentRefresh: true, schedule: 'inherit', truncate: false, syncMode: 'add-only',
  createdBy: { userId: 'u', userDetails: 'u@example.com' }, createdAt: '2026-12-01T10:00:00.000Z', updatedAt: '2026-12-01T10:00:00.000Z', etag: 'W/"3"',
};
const preview: ExportPreview = {
  exportId: 'x1',
  segments: [
    {
      segment: 'buyers', file: 'buyers/a.csv', outcome: 'send', read: 12, valid: 9, invalid: 1, duplicate: 1, suppressed: 1, overLimit: 0, full: false,
      adds: 2, removes: 3, unchanged: 7, notRemoved: 0, sample: [{ Email: 'ann@example.com', FirstName: 'Ann' }, { Email: 'bo@example.com' }],
    },
    { segment: 'tiny', outcome: 'segment-too-small: 3 of at least 100', read: 3, valid: 3, invalid: 0, duplicate: 0, suppressed: 0, overLimit: 0, full: false, adds: 0, removes: 0, unchanged: 0, notRemoved: 0, sample: [] },
  ],
};
const routes = {
  'GET /exports/x1': stored,
  'GET /exports/x1/webhooks': { items: [] },
  'GET /exports/x1/audiences': { exportId: 'x1', audiences: [{ segment: 'buyers', latest: null }] },
  'GET /connections': { items: [connection('ap', 'autopilot', 'Marketing', true)] },
  'GET /destinations': { items: catalog },
};

function renderExport(role: 'admin' | 'contributor' = 'contributor') {
  return renderPage(
    <Routes>
      <Route path="/exports/:id" element={<ExportPage />} />
      <Route path="/runs/:id" element={<p>run page</p>} />
      <Route path="/exports" element={<p>exports list</p>} />
    </Routes>,
    { route: '/exports/x1', role },
  );
}

describe('Export page', () => {
  it('says what the export does with people who leave its segments', async () => {
    fakeApi(routes);
    renderExport();
    expect(await screen.findByRole('heading', { level: 1, name: 'Export: Buyers to Autopilot' })).toBeTruthy();
    expect(screen.getByText(/Add only: people who leave a segment stay in the audience/)).toBeTruthy();
    expect(screen.getByText('Marketing')).toBeTruthy();
    expect(screen.getByText('none', { selector: 'dd' })).toBeTruthy();
  });

  it('says which audience alerts the export asks for', () => {
    expect(audienceAlertsText({ matchRateBelow: 0.5, shrinksBy: 0.2 })).toBe('match rate below 50%; shrinks by more than 20% between readings (told to the webhooks once per crossing)');
    expect(audienceAlertsText({})).toBe('none');
  });

  it('has an Audiences panel with a part per segment', async () => {
    fakeApi(routes);
    renderExport();
    const panel = await screen.findByRole('region', { name: 'Audiences' });
    const segment = await within(panel).findByRole('region', { name: 'buyers' });
    expect(within(segment).getByText(/Not read yet/)).toBeTruthy();
  });

  it('runs a full sync when asked, explaining what it does, and opens the run', async () => {
    const requests = fakeApi({ ...routes, 'POST /exports/x1/run': reply(202, { run: { id: 'r9' }, statusUrl: '/api/runs/r9' }) });
    renderExport();
    const user = userEvent.setup();
    const full = await screen.findByRole('checkbox', { name: 'Full sync' });
    expect(within(full.closest('.fui-Field') as HTMLElement).getByText(/exactly equal to the segment, removing members added outside the app/)).toBeTruthy();
    await user.click(full);
    await user.click(screen.getByRole('button', { name: 'Run a full sync now' }));
    await screen.findByText('run page');
    const run = requests.find((r) => r.path === '/exports/x1/run')!;
    expect(run.body).toEqual({ full: true });
  });

  it('names the active run instead of starting another', async () => {
    fakeApi({
      ...routes,
      'POST /exports/x1/run': reply(409, { type: 'about:blank', title: 'Conflict', status: 409, detail: 'export x1 already has an active run, r5', activeRunId: 'r5', statusUrl: '/api/runs/r5' }),
    });
    renderExport();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Run now' }));
    const link = await screen.findByRole('link', { name: 'follow the active run' });
    expect(link.getAttribute('href')).toBe('#/runs/r5');
  });

  it('previews the next run: counts per segment, the reason a segment would not be sent, and the first records as sent', async () => {
    const requests = fakeApi({ ...routes, 'POST /exports/x1/preview': preview });
    renderExport();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Preview the next run' }));
    const plan = await screen.findByRole('region', { name: 'Preview of buyers' });
    const pairs = [...plan.querySelectorAll('dt')].map((dt) => `${dt.textContent}=${dt.nextElementSibling?.textContent}`);
    expect(pairs).toEqual(['Read=12', 'Valid=9', 'Invalid=1', 'Duplicate=1', 'Suppressed=1', 'Over the limit=0', 'To add=2', 'To remove=3', 'Unchanged=7', 'Left in the audience=0']);
    const sample = screen.getByRole('table', { name: 'First records to add to buyers' });
    expect(within(sample).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['#', 'Email', 'FirstName']);
    expect(within(sample).getAllByRole('row')).toHaveLength(3);
    expect(screen.getByText('The first 2 records to add, as Autopilot would receive them')).toBeTruthy();
    expect(screen.getByText(/segment-too-small: 3 of at least 100/)).toBeTruthy();
    expect(requests.find((r) => r.path === '/exports/x1/preview')?.body).toEqual({ full: false });
  });

  it('deletes the export with the ETag it read, after saying what goes with it', async () => {
    const requests = fakeApi({ ...routes, 'DELETE /exports/x1': reply(204, null), 'GET /exports': { items: [] } });
    renderExport();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/run history, webhooks and membership ledgers are deleted/)).toBeTruthy();
    await user.click(within(dialog).getByRole('button', { name: 'Delete export' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Export deleted' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Back to the exports' }).getAttribute('href')).toBe('#/exports');
    expect(requests.find((r) => r.method === 'DELETE')?.headers['if-match']).toBe('W/"3"');
    // Closed through `open`: it leaves once its exit animation has run.
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });
});

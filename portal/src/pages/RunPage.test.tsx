import { screen, within } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { describe, expect, it } from 'vitest';
import type { Run } from '../api/types.js';
import { catalog, fakeApi, renderPage } from '../testing/render.js';
import { progressOf, RunPage } from './RunPage.js';

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
    expect(within(row).getAllByRole('cell').map((c) => c.textContent)).toEqual(['buyers', 'running', '1,000', '990', '6', '4', '0', '500', '498', '2', '']);
    expect(await screen.findByText('Autopilot')).toBeTruthy();
    // The report is for finished runs.
    expect((screen.getByRole('button', { name: /Download rejected rows/ }) as HTMLButtonElement).disabled).toBe(true);
  });
});

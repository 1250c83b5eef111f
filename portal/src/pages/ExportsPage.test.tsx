import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { describe, expect, it } from 'vitest';
import type { Export } from '../api/types.js';
import { catalog, connection, fakeApi, renderPage, reply } from '../testing/render.js';
import { ExportsPage } from './ExportsPage.js';

const stored: Export = {
  id: 'x1', name: 'Buyers to Autopilot', connectionId: 'ap', destinationType: 'autopilot', segments: ['buyers'], dataMatching: { email: 'mail' },
  settings: {}, enabled: true, runOnSegmentRefresh: true, schedule: 'inherit', truncate: false, syncMode: 'mirror',
  createdBy: { userId: 'u', userDetails: 'u@example.com' }, createdAt: '2026-12-01T10:00:00.000Z', updatedAt: '2026-12-01T10:00:00.000Z', etag: 'W/"3"',
};
const routes = {
  'GET /exports': { items: [stored] },
  'GET /exports/x1/runs': { items: [] },
  'GET /connections': { items: [connection('ap', 'autopilot', 'Marketing', true)] },
  'GET /destinations': { items: catalog },
};

function renderExports() {
  return renderPage(
    <Routes>
      <Route path="/exports" element={<ExportsPage />} />
      <Route path="/runs/:id" element={<p>run page</p>} />
    </Routes>,
    { route: '/exports', role: 'contributor' },
  );
}

describe('Exports page', () => {
  it('names the active run with a link when Run now finds one, instead of a bare error', async () => {
    fakeApi({
      ...routes,
      'POST /exports/x1/run': reply(409, { type: 'about:blank', title: 'Conflict', status: 409, detail: 'export x1 already has an active run, r5', activeRunId: 'r5', statusUrl: '/api/runs/r5' }),
    });
    renderExports();
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Run Buyers to Autopilot now' }));
    const link = await screen.findByRole('link', { name: 'follow the active run' });
    expect(link.getAttribute('href')).toBe('#/runs/r5');
  });

  it('shows any other refusal as the API worded it', async () => {
    fakeApi({ ...routes, 'POST /exports/x1/run': reply(409, { type: 'about:blank', title: 'Conflict', status: 409, detail: 'export x1 is disabled' }) });
    renderExports();
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Run Buyers to Autopilot now' }));
    expect(await screen.findByText(/export x1 is disabled/)).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'follow the active run' })).toBeNull();
  });
});

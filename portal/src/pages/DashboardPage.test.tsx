import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ExportHealth } from '../api/types.js';
import { catalog, fakeApi, renderPage } from '../testing/render.js';
import { DashboardPage } from './DashboardPage.js';

const audiences = { processing: 0, ready: 0, 'too-small-to-serve': 0, failed: 0, 'not-reported': 0, unread: 0, drift: 0 };
const health = (name: string, extra: Partial<ExportHealth>): ExportHealth => ({
  exportId: name.toLowerCase(),
  name,
  destinationType: 'autopilot',
  enabled: true,
  segments: 2,
  lastRun: null,
  failureStreak: 0,
  nextScheduledRun: null,
  audiences,
  ...extra,
});
const items = [
  health('Alpha', { lastRun: { id: 'r1', status: 'succeeded', trigger: 'schedule', startedAt: '2026-12-01T10:00:00.000Z', finishedAt: '2026-12-01T10:01:00.000Z' }, nextScheduledRun: '2026-12-02T02:30:00.000Z', audiences: { ...audiences, processing: 1, ready: 1 } }),
  health('Bravo', { lastRun: { id: 'r2', status: 'failed', trigger: 'on-demand', reason: 'auth-failed', startedAt: '2026-12-01T09:00:00.000Z', finishedAt: '2026-12-01T09:00:05.000Z' }, failureStreak: 3, audiences: { ...audiences, drift: 1, 'not-reported': 2 } }),
  health('Charlie', { enabled: false, disabledReason: 'connection-removed', audiences: { ...audiences, unread: 2 } }),
];

const names = () => screen.getAllByRole('row').slice(1).map((row) => within(row).getAllByRole('link')[0]!.textContent);

describe('Home dashboard', () => {
  it("shows each export's health, failing first, and links each to its export and last run", async () => {
    fakeApi({ 'GET /dashboard': { items }, 'GET /destinations': { items: catalog } });
    renderPage(<DashboardPage />, { route: '/', role: 'contributor' });
    const table = await screen.findByRole('table', { name: 'Export health' });
    expect(names()).toEqual(['Bravo', 'Alpha', 'Charlie']);
    const bravo = within(table).getByRole('row', { name: /Bravo/ });
    expect(within(bravo).getByRole('link', { name: 'Bravo' }).getAttribute('href')).toBe('#/exports/bravo');
    expect(within(bravo).getByRole('link', { name: 'Last run of Bravo: failed' }).getAttribute('href')).toBe('#/runs/r2');
    expect(bravo.textContent).toContain('3');
    expect(bravo.textContent).toContain('1 out of step');
    expect(within(table).getByRole('row', { name: /Alpha/ }).textContent).toContain('1 of 2');
    expect(within(table).getByRole('row', { name: /Charlie/ }).textContent).toMatch(/disabled \(connection-removed\).*never run.*2 not read yet/);
    expect(screen.getByText(/3 exports; 1 whose last run failed; 1 audience still processing/)).toBeTruthy();
  });

  it('sorts by a column when its header is clicked, and reverses on a second click', async () => {
    fakeApi({ 'GET /dashboard': { items }, 'GET /destinations': { items: catalog } });
    renderPage(<DashboardPage />, { route: '/' });
    await screen.findByRole('table', { name: 'Export health' });
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Export' }));
    expect(names()).toEqual(['Alpha', 'Bravo', 'Charlie']);
    await user.click(screen.getByRole('button', { name: 'Export' }));
    expect(names()).toEqual(['Charlie', 'Bravo', 'Alpha']);
    await user.click(screen.getByRole('button', { name: 'Audiences processing' }));
    expect(names()[0]).not.toBe('Alpha');
    expect(screen.getByRole('columnheader', { name: 'Audiences processing' }).getAttribute('aria-sort')).toBe('ascending');
  });

  it('says so when there are no exports', async () => {
    fakeApi({ 'GET /dashboard': { items: [] }, 'GET /destinations': { items: catalog } });
    renderPage(<DashboardPage />, { route: '/' });
    expect(await screen.findByRole('link', { name: 'Add an export' })).toBeTruthy();
  });
});

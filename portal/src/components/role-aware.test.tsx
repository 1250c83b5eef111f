import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ConnectionsPage } from '../pages/ConnectionsPage.js';
import { PrivacyPage } from '../pages/PrivacyPage.js';
import { catalog, connection, fakeApi, renderPage } from '../testing/render.js';
import { AdminOnly } from './AdminOnly.js';
import { Layout } from './Layout.js';

const open = { ...connection('c1', 'autopilot', 'Open to contributors', true), lastTest: { ok: false, reason: 'auth-failed', at: '2026-12-01T11:00:00.000Z', by: { userId: 'u', userDetails: 'u@example.com' } } };
const closed = connection('c2', 'microsoft-advertising', 'Admins only connection', false);

describe('role-aware views', () => {
  it('an admin sees every admin action on connections', async () => {
    fakeApi({ 'GET /destinations': { items: catalog }, 'GET /connections': { items: [open, closed] } });
    renderPage(<ConnectionsPage />, { role: 'admin' });
    await screen.findByRole('cell', { name: 'Admins only connection' });
    expect(screen.getByRole('link', { name: 'Add connection' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Test Open to contributors' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Delete Admins only connection' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Edit Admins only connection' })).toBeTruthy();
    expect(screen.getAllByText('set')).toHaveLength(2);
    // The last test the API recorded, whoever ran it.
    expect(screen.getByText('failed: auth-failed')).toBeTruthy();
    expect(screen.getByText('not tested yet')).toBeTruthy();
  });

  it('a contributor sees the connections the API lists for them, and no admin action', async () => {
    fakeApi({ 'GET /destinations': { items: catalog }, 'GET /connections': { items: [open] } });
    renderPage(<ConnectionsPage />, { role: 'contributor' });
    await screen.findByRole('cell', { name: 'Open to contributors' });
    expect(screen.getByRole('cell', { name: 'Administrators and contributors' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Add connection' })).toBeNull();
    expect(screen.queryByRole('button', { name: /^(Test|Delete)/ })).toBeNull();
    expect(screen.queryByRole('link', { name: /^Edit/ })).toBeNull();
    expect(screen.queryByRole('columnheader', { name: 'Actions' })).toBeNull();
  });

  it('admin pages tell a contributor they are for admins, and show nothing of the page', () => {
    renderPage(<AdminOnly page="Schedule"><p>the schedule form</p></AdminOnly>, { role: 'contributor' });
    expect(screen.getByRole('heading', { level: 1, name: 'Schedule' })).toBeTruthy();
    expect(screen.getByText('Admins only')).toBeTruthy();
    expect(screen.queryByText('the schedule form')).toBeNull();
  });

  it('admin pages show themselves to an admin', () => {
    renderPage(<AdminOnly page="Schedule"><p>the schedule form</p></AdminOnly>, { role: 'admin' });
    expect(screen.getByText('the schedule form')).toBeTruthy();
  });

  it('the Privacy page tells a contributor it is for admins and asks the API for nothing', () => {
    const requests = fakeApi({});
    renderPage(<AdminOnly page="Privacy"><PrivacyPage /></AdminOnly>, { role: 'contributor' });
    expect(screen.getByRole('heading', { level: 1, name: 'Privacy' })).toBeTruthy();
    expect(screen.getByText('Admins only')).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Suppression list' })).toBeNull();
    expect(requests).toEqual([]);
  });

  it('the navigation offers Schedule and Privacy to admins only', () => {
    renderPage(<Layout />, { role: 'contributor' });
    const contributorLinks = screen.getAllByRole('link').map((a) => a.textContent);
    expect(contributorLinks).toEqual(['Home', 'Exports', 'Connections', 'Segments']);
    expect(screen.getByText('contributor@example.com (contributor)')).toBeTruthy();
  });

  it('the navigation offers Schedule to an admin', () => {
    renderPage(<Layout />, { role: 'admin' });
    expect(screen.getAllByRole('link').map((a) => a.textContent)).toEqual(['Home', 'Exports', 'Connections', 'Segments', 'Schedule', 'Privacy']);
  });
});

import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { AuditEntry, Erasure, Suppression } from '../api/types.js';
import { addressErrors, parseAddresses } from '../components/privacy/SuppressionsSection.js';
import { ApiError } from '../api/client.js';
import { catalog, fakeApi, renderPage, reply } from '../testing/render.js';
import { PrivacyPage } from './PrivacyPage.js';

const errorBeside = (element: HTMLElement) => within(element.closest('.fui-Field') as HTMLElement).queryByRole('alert')?.textContent;
const someone = { userId: 'user-admin', userDetails: 'admin@example.com' };
const hash = 'a'.repeat(64);
const suppression: Suppression = { id: hash, addedBy: someone, addedAt: '2026-12-01T10:00:00.000Z', source: 'api' };
const erasure: Erasure = {
  id: '6f1c5a43-1d7e-4a8e-9f3e-2b7c1d9e0a11', addressHash: 'b'.repeat(64), status: 'completed', requestedBy: someone, requestedAt: '2026-12-01T11:00:00.000Z',
  finishedAt: '2026-12-01T11:00:05.000Z', reportsScrubbed: 2,
  destinations: [
    { exportId: 'x1', destinationType: 'autopilot', segment: 'buyers', outcome: 'removed' },
    { exportId: 'gone', destinationType: 'microsoft-advertising', segment: 'buyers', outcome: 'failed', reason: 'HTTP 503' },
  ],
};
const erasureEntry: AuditEntry = { id: 'e1', at: erasure.requestedAt, actor: someone, action: 'erasure.requested', entity: { type: 'erasure', id: erasure.id }, changes: { email: '(set)' } };
const routes = {
  'GET /suppressions': { items: [suppression] },
  'GET /audit': { items: [erasureEntry] },
  'GET /exports': { items: [{ id: 'x1', name: 'Buyers to Autopilot' }] },
  'GET /destinations': { items: catalog },
  [`GET /erasures/${erasure.id}`]: erasure,
};
const section = (name: string) => screen.getByRole('region', { name });

describe('Privacy', () => {
  it('reads addresses one per line or comma-separated, and names a refused one by its position only', () => {
    expect(parseAddresses(' a@example.com,\nb@example.com;\n\n c@example.com ')).toEqual(['a@example.com', 'b@example.com', 'c@example.com']);
    const refused = new ApiError(400, { type: 'about:blank', title: 'Bad Request', status: 400, errors: [{ field: 'emails[1]', message: 'invalid-syntax: not a plausible email address' }] });
    expect(addressErrors(refused)).toBe('address 2: invalid-syntax: not a plausible email address');
  });

  it('lists hashes only, checks the addresses before the API, and clears them once suppressed', async () => {
    const typed = 'opted.out@example.com';
    const requests = fakeApi({ ...routes, 'POST /suppressions': { added: 1, alreadySuppressed: 1, ids: ['c'.repeat(64), hash] } });
    renderPage(<PrivacyPage />);
    const user = userEvent.setup();
    const list = await screen.findByRole('table', { name: 'Suppression list' });
    expect(within(list).getByRole('cell', { name: hash })).toBeTruthy();

    const addresses = within(section('Suppression list')).getByRole('textbox', { name: /Addresses to suppress/ });
    await user.click(within(section('Suppression list')).getByRole('button', { name: 'Suppress' }));
    expect(errorBeside(addresses)).toBe('Enter at least one address');
    expect(requests.some((r) => r.method === 'POST')).toBe(false);

    await user.type(addresses, `${typed}\nknown@example.com`);
    await user.click(within(section('Suppression list')).getByRole('button', { name: 'Suppress' }));
    await screen.findByText(/1 added to the suppression list, 1 already on it/);
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({ emails: [typed, 'known@example.com'] });
    expect((addresses as HTMLTextAreaElement).value).toBe('');
    expect(document.body.textContent).not.toContain(typed);
  });

  it('puts the API’s refusal of an address beside the field, without the address', async () => {
    fakeApi({
      ...routes,
      'POST /suppressions': reply(400, { type: 'about:blank', title: 'Bad Request', status: 400, errors: [{ field: 'emails[0]', message: 'invalid-syntax: not a plausible email address' }] }),
    });
    renderPage(<PrivacyPage />);
    const user = userEvent.setup();
    const addresses = await within(section('Suppression list')).findByRole('textbox', { name: /Addresses to suppress/ });
    await user.type(addresses, 'not-an-address');
    await user.click(within(section('Suppression list')).getByRole('button', { name: 'Suppress' }));
    await waitFor(() => expect(errorBeside(addresses)).toBe('address 1: invalid-syntax: not a plausible email address'));
  });

  it('takes a hash off the list after asking', async () => {
    const requests = fakeApi({ ...routes, [`DELETE /suppressions/${hash}`]: reply(204, null) });
    renderPage(<PrivacyPage />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: `Take ${hash.slice(0, 12)} off the list` }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Take off the list' }));
    await screen.findByText(/Taken off the suppression list/);
    expect(requests.some((r) => r.method === 'DELETE' && r.path === `/suppressions/${hash}`)).toBe(true);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('requests an erasure after confirming, forgets the address and shows the outcome per audience', async () => {
    const requests = fakeApi({ ...routes, 'POST /erasures': reply(202, { ...erasure, status: 'running', destinations: [] }) });
    renderPage(<PrivacyPage />);
    const user = userEvent.setup();
    const erasures = section('Erasure requests');
    const email = within(erasures).getByRole('textbox', { name: /Email address/ });
    await user.click(within(erasures).getByRole('button', { name: 'Erase this person' }));
    expect(errorBeside(email)).toBe('Enter the address to erase');

    await user.type(email, 'leaving@example.com');
    await user.click(within(erasures).getByRole('button', { name: 'Erase this person' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Erase' }));
    const outcome = await screen.findByRole('region', { name: 'Erasure outcome' });
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({ email: 'leaving@example.com' });
    expect((email as HTMLInputElement).value).toBe('');
    // Followed until it ends.
    const table = await within(outcome).findByRole('table', { name: 'Erasure outcome per audience' }, { timeout: 3000 });
    const rows = within(table).getAllByRole('row').slice(1).map((row) => within(row).getAllByRole('cell').map((c) => c.textContent));
    expect(rows).toEqual([
      ['Buyers to Autopilot', 'Autopilot', 'buyers', 'removed', ''],
      ['export gone (deleted since)', 'Microsoft Advertising', 'buyers', 'failed', 'HTTP 503'],
    ]);
    expect(within(outcome).getByText(/2 rejected-rows report parts rewritten/)).toBeTruthy();
    expect(document.body.textContent).not.toContain('leaving@example.com');
    // Earlier erasures come from the audit trail, each with its status.
    const earlier = within(erasures).getByRole('table', { name: 'Erasures' });
    await within(earlier).findByText('completed');
  });

  it('filters the audit trail and shows the API’s complaint beside the filter it names', async () => {
    const changed: AuditEntry = { ...erasureEntry, action: 'export.changed', entity: { type: 'export', id: 'x1' }, changes: { syncMode: 'add-only', settings: '(changed)' } };
    const requests = fakeApi({
      ...routes,
      'GET /audit': (query: URLSearchParams) =>
        query.get('user') === 'x'.repeat(300)
          ? reply(400, { type: 'about:blank', title: 'Bad Request', status: 400, errors: [{ field: 'user', message: 'at most 256 characters' }] })
          : { items: query.get('entity') === 'erasure' ? [erasureEntry] : [changed] },
    });
    renderPage(<PrivacyPage />);
    const user = userEvent.setup();
    const audit = section('Audit trail');
    const trail = await within(audit).findByRole('table', { name: 'Audit trail' });
    expect(within(trail).getByText('syncMode: add-only')).toBeTruthy();
    await user.selectOptions(within(audit).getByRole('combobox', { name: 'Entity' }), 'export');
    await user.type(within(audit).getByRole('textbox', { name: 'Entity id' }), ' x1 ');
    await user.type(within(audit).getByRole('textbox', { name: 'User id' }), 'someone');
    await user.click(within(audit).getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => expect(requests.some((r) => r.path === '/audit' && r.query.includes('entity=export') && r.query.includes('entityId=x1') && r.query.includes('user=someone'))).toBe(true));

    const userFilter = within(audit).getByRole('textbox', { name: 'User id' });
    await user.clear(userFilter);
    // Past what the field takes when typed: the API's limit is what is tested here.
    (userFilter as HTMLInputElement).maxLength = 1000;
    await user.type(userFilter, 'x'.repeat(300));
    await user.click(within(audit).getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => expect(errorBeside(userFilter)).toBe('at most 256 characters'));
  });
});

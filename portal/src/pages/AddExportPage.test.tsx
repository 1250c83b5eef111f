import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Destination, Export, Segment } from '../api/types.js';

type MatchField = Destination['identifiers']['accepted'][number];
import { catalog, connection, fakeApi, renderPage, reply } from '../testing/render.js';
import { AddExportPage } from './AddExportPage.js';

const errorBeside = (element: HTMLElement) => within(element.closest('.fui-Field') as HTMLElement).queryByRole('alert')?.textContent;
const segment: Segment = { name: 'buyers', latestFile: 'buyers/a.csv', format: 'csv', gzip: false, columns: ['mail', 'given'], rowCount: 1200, refreshedAt: '2026-12-01T09:00:00.000Z' };
const routes = {
  'GET /destinations': { items: catalog },
  'GET /connections': { items: [connection('ms', 'microsoft-advertising', 'Ads account', false)] },
  'GET /segments': { items: [segment] },
};

async function fillIn(user: ReturnType<typeof userEvent.setup>) {
  await user.type(await screen.findByRole('textbox', { name: /^Name/ }), 'Buyers to Ads');
  await user.selectOptions(screen.getByRole('combobox', { name: /^Connection/ }), 'ms');
  await user.click(screen.getByRole('checkbox', { name: /^buyers:/ }));
}

describe('Add export', () => {
  it('builds the settings from the catalog, feeds column pickers from the segment and shows the limits', async () => {
    const requests = fakeApi(routes);
    renderPage(<AddExportPage />);
    const user = userEvent.setup();
    await fillIn(user);
    expect(screen.getByRole('checkbox', { name: /^buyers: 1,200 rows/ })).toBeTruthy();
    expect(screen.getAllByText(/up to 500,000 per segment/).length).toBeGreaterThan(0);
    const email = screen.getByRole('combobox', { name: /email column/ });
    expect(within(email).getAllByRole('option').map((o) => o.textContent)).toEqual(['Choose a column', 'mail', 'given']);
    expect(screen.getByText('Customer id (cid).')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Save export' }));
    expect(errorBeside(email)).toMatch('Choose the column with the email');
    expect(errorBeside(screen.getByRole('textbox', { name: /^Customer id/ }))).toMatch('Customer id is required');
    expect(errorBeside(screen.getByRole('textbox', { name: /^Account id/ }))).toMatch('Account id is required');
    expect(requests.some((r) => r.method === 'POST')).toBe(false);
  });

  it('sends what was chosen and puts the API’s errors beside the fields they name', async () => {
    const requests = fakeApi({
      ...routes,
      'POST /exports': reply(400, { type: 'about:blank', title: 'Bad Request', status: 400, errors: [{ field: 'settings.accountId', message: 'digits only' }] }),
    });
    renderPage(<AddExportPage />);
    const user = userEvent.setup();
    await fillIn(user);
    await user.selectOptions(screen.getByRole('combobox', { name: /email column/ }), 'mail');
    await user.type(screen.getByRole('textbox', { name: /^Customer id/ }), '1000001');
    await user.type(screen.getByRole('textbox', { name: /^Account id/ }), 'x');
    await user.click(screen.getByRole('button', { name: 'Save export' }));
    await waitFor(() => expect(errorBeside(screen.getByRole('textbox', { name: /^Account id/ }))).toBe('digits only'));
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({
      name: 'Buyers to Ads',
      connectionId: 'ms',
      segments: ['buyers'],
      dataMatching: { email: 'mail' },
      settings: { customerId: '1000001', accountId: 'x' },
      enabled: true,
      runOnSegmentRefresh: true,
      schedule: 'inherit',
      truncate: false,
      syncMode: 'mirror',
      audienceAlerts: {},
    });
  });

  it('takes audience alert thresholds as percentages, sends them as shares, and refuses one out of range beside its field', async () => {
    const requests = fakeApi({ ...routes, 'POST /exports': { id: 'new' } });
    renderPage(<AddExportPage />);
    const user = userEvent.setup();
    await fillIn(user);
    await user.selectOptions(screen.getByRole('combobox', { name: /email column/ }), 'mail');
    await user.type(screen.getByRole('textbox', { name: /^Customer id/ }), '1');
    await user.type(screen.getByRole('textbox', { name: /^Account id/ }), '2');
    const rate = screen.getByRole('spinbutton', { name: /^Alert when the match rate falls below/ });
    const shrink = screen.getByRole('spinbutton', { name: /^Alert when an audience shrinks/ });
    await user.type(rate, '150');
    await user.type(shrink, '20');
    await user.click(screen.getByRole('button', { name: 'Save export' }));
    expect(errorBeside(rate)).toBe('A percentage above 0 and up to 100');
    expect(requests.some((r) => r.method === 'POST')).toBe(false);
    await user.clear(rate);
    await user.type(rate, '45.5');
    await user.click(screen.getByRole('button', { name: 'Save export' }));
    await waitFor(() => expect(requests.some((r) => r.method === 'POST')).toBe(true));
    expect(requests.find((r) => r.method === 'POST')?.body).toMatchObject({ audienceAlerts: { matchRateBelow: 0.455, shrinksBy: 0.2 } });
  });

  it('explains what happens to people who leave a segment, mirrors by default and sends add-only when chosen', async () => {
    const requests = fakeApi({
      ...routes,
      'POST /exports': reply(400, { type: 'about:blank', title: 'Bad Request', status: 400, errors: [{ field: 'syncMode', message: 'not for this destination' }] }),
    });
    renderPage(<AddExportPage />);
    const user = userEvent.setup();
    await fillIn(user);
    const mirror = screen.getByRole('radio', { name: /^Mirror \(default\)/ }) as HTMLInputElement;
    expect(mirror.checked).toBe(true);
    expect(mirror.labels?.[0]?.textContent).toMatch(/removed from the audience/);
    await user.click(screen.getByRole('radio', { name: /^Add only/ }));
    await user.selectOptions(screen.getByRole('combobox', { name: /email column/ }), 'mail');
    await user.type(screen.getByRole('textbox', { name: /^Customer id/ }), '1');
    await user.type(screen.getByRole('textbox', { name: /^Account id/ }), '2');
    await user.click(screen.getByRole('button', { name: 'Save export' }));
    await waitFor(() => expect(errorBeside(screen.getByRole('radio', { name: /^Add only/ }))).toBe('not for this destination'));
    expect(requests.find((r) => r.method === 'POST')?.body).toMatchObject({ syncMode: 'add-only' });
  });

  it('edits an export: the form starts from what is stored and sends it back with its ETag', async () => {
    const stored: Export = {
      id: 'x1', name: 'Buyers to Ads', connectionId: 'ms', destinationType: 'microsoft-advertising', segments: ['buyers'], dataMatching: { email: 'mail' },
      settings: { customerId: '1000001', accountId: '2000001' }, enabled: true, runOnSegmentRefresh: false, schedule: 'none', truncate: false, syncMode: 'mirror',
      audienceAlerts: { matchRateBelow: 0.5 },
      createdBy: { userId: 'u', userDetails: 'u@example.com' }, createdAt: '2026-12-01T10:00:00.000Z', updatedAt: '2026-12-01T10:00:00.000Z', etag: 'W/"7"',
    };
    const requests = fakeApi({ ...routes, 'PATCH /exports/x1': stored });
    renderPage(<AddExportPage existing={stored} />);
    const user = userEvent.setup();
    expect(await screen.findByRole('heading', { level: 1, name: 'Edit export: Buyers to Ads' })).toBeTruthy();
    expect((screen.getByRole('textbox', { name: /^Account id/ }) as HTMLInputElement).value).toBe('2000001');
    expect((screen.getByRole('checkbox', { name: /^buyers:/ }) as HTMLInputElement).checked).toBe(true);
    expect((screen.getByRole('radio', { name: /^Mirror/ }) as HTMLInputElement).checked).toBe(true);
    expect((screen.getByRole('spinbutton', { name: /^Alert when the match rate/ }) as HTMLInputElement).value).toBe('50');
    await user.click(screen.getByRole('radio', { name: /^Add only/ }));
    await user.click(screen.getByRole('checkbox', { name: /Truncate/ }));
    await user.click(screen.getByRole('button', { name: 'Save export' }));
    await waitFor(() => expect(requests.some((r) => r.method === 'PATCH')).toBe(true));
    const patch = requests.find((r) => r.method === 'PATCH')!;
    expect(patch.headers['if-match']).toBe('W/"7"');
    expect(patch.body).toMatchObject({ segments: ['buyers'], dataMatching: { email: 'mail' }, settings: { customerId: '1000001', accountId: '2000001' }, schedule: 'none', runOnSegmentRefresh: false, truncate: true, syncMode: 'add-only', audienceAlerts: { matchRateBelow: 0.5 } });
  });

  it('offers exactly the identifiers the destination takes, says which combinations match, and asks for the country of phones', async () => {
    // A destination that matches on email, or phone, or name with postal code and country.
    const phoneCatalog = catalog.map((entry) =>
      entry.type === 'microsoft-advertising'
        ? {
            ...entry,
            dataMatching: { required: [], optional: ['email', 'phone', 'firstName', 'lastName', 'postalCode', 'countryCode'] as MatchField[] },
            identifiers: {
              accepted: ['email', 'phone', 'firstName', 'lastName', 'postalCode', 'countryCode'] as MatchField[],
              matchSets: [['email'], ['phone'], ['firstName', 'lastName', 'postalCode', 'countryCode']] as MatchField[][],
              encoding: { email: 'sha256-hex' as const, phone: 'sha256-hex' as const },
            },
          }
        : entry,
    );
    const contacts: Segment = { ...segment, columns: ['mail', 'mobile'] };
    const requests = fakeApi({ ...routes, 'GET /destinations': { items: phoneCatalog }, 'GET /segments': { items: [contacts] }, 'POST /exports': { id: 'new' } });
    renderPage(<AddExportPage />);
    const user = userEvent.setup();
    await fillIn(user);
    const pickers = screen.getAllByRole('combobox', { name: /^Data matching/ }).map((picker) => picker.getAttribute('aria-label') ?? picker.closest('.fui-Field')?.querySelector('label')?.textContent);
    expect(pickers.map((label) => label?.replace(/ column.*$/, ''))).toEqual([
      'Data matching: email',
      'Data matching: phone',
      'Data matching: first name',
      'Data matching: last name',
      'Data matching: postal code',
      'Data matching: country code',
    ]);
    expect(screen.getByText(/matches people by email, or phone, or first name \+ last name \+ postal code \+ country code/)).toBeTruthy();
    expect(screen.queryByRole('textbox', { name: /^Default country/ })).toBeNull();

    await user.selectOptions(screen.getByRole('combobox', { name: /phone column/ }), 'mobile');
    const country = screen.getByRole('textbox', { name: /^Default country/ });
    await user.type(screen.getByRole('textbox', { name: /^Customer id/ }), '1');
    await user.type(screen.getByRole('textbox', { name: /^Account id/ }), '2');
    await user.click(screen.getByRole('button', { name: 'Save export' }));
    expect(errorBeside(country)).toMatch('Choose the country of numbers written without a country code');
    expect(requests.some((r) => r.method === 'POST')).toBe(false);

    await user.type(country, 'gb');
    await user.click(screen.getByRole('button', { name: 'Save export' }));
    await waitFor(() => expect(requests.some((r) => r.method === 'POST')).toBe(true));
    expect(requests.find((r) => r.method === 'POST')?.body).toMatchObject({ dataMatching: { phone: 'mobile' }, defaultCountry: 'GB' });
  });
});

import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Webhook } from '../api/types.js';
import { fakeApi, renderPage, reply } from '../testing/render.js';
import { testOutcome, WebhooksPanel } from './WebhooksPanel.js';

const errorBeside = (element: HTMLElement) => within(element.closest('.fui-Field') as HTMLElement).queryByRole('alert')?.textContent;
const teams: Webhook = {
  id: 'w1', exportId: 'x1', name: 'ops channel', format: 'teams', outcomes: ['failed', 'partially-succeeded'],
  url: { set: true, updatedAt: '2026-12-01T10:00:00.000Z' }, signingKey: { set: false },
  createdBy: { userId: 'u', userDetails: 'u@example.com' }, createdAt: '2026-12-01T10:00:00.000Z',
};

describe('Webhooks of an export', () => {
  it('lists webhooks with their write-only URL shown as set, and sends a test', async () => {
    fakeApi({ 'GET /exports/x1/webhooks': { items: [teams] }, 'POST /exports/x1/webhooks/w1/test': { delivered: true, attempts: 1, status: 202 } });
    renderPage(<WebhooksPanel exportId="x1" />);
    const row = await screen.findByRole('row', { name: /ops channel/ });
    expect(within(row).getAllByRole('cell').map((c) => c.textContent).slice(0, 5)).toEqual([
      'ops channel', 'Microsoft Teams (workflow)', 'Failed, Partially succeeded', expect.stringMatching(/^set /), 'not signed',
    ]);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Send a test to ops channel' }));
    await within(row).findByText('Test delivered (HTTP 202, 1 attempt)');
  });

  it('says how a test failed', () => {
    expect(testOutcome({ delivered: false, attempts: 3, status: 500, error: 'HTTP 500' })).toBe('Test not delivered (HTTP 500, 3 attempts): HTTP 500');
  });

  it('checks the form before calling the API: name, URL, an outcome, and a signing key for signed JSON', async () => {
    const requests = fakeApi({ 'GET /exports/x1/webhooks': { items: [] } });
    renderPage(<WebhooksPanel exportId="x1" />);
    const user = userEvent.setup();
    const form = await screen.findByRole('form', { name: 'Add a webhook' });
    for (const outcome of ['Failed', 'Partially succeeded']) await user.click(within(form).getByRole('checkbox', { name: outcome }));
    await user.click(within(form).getByRole('radio', { name: /Signed JSON/ }));
    await user.type(within(form).getByLabelText(/^Signing key/), 'too short');
    await user.click(within(form).getByRole('button', { name: 'Add webhook' }));
    expect(errorBeside(within(form).getByRole('textbox', { name: /^Name/ }))).toBe('Name is required');
    expect(errorBeside(within(form).getByLabelText(/^Webhook URL/))).toBe('URL is required');
    expect(errorBeside(within(form).getByLabelText(/^Signing key/))).toBe('At least 32 characters');
    expect(within(within(form).getByRole('group', { name: /Notify when a run ends/ })).getByRole('alert').textContent).toBe('Choose at least one outcome');
    expect(requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('adds a webhook, puts the API’s error beside the field it names, and never shows the URL again', async () => {
    const secretUrl = 'https://example.webhook.office.com/workflows/secret-token';
    const requests = fakeApi({
      'GET /exports/x1/webhooks': { items: [] },
      'POST /exports/x1/webhooks': reply(400, { type: 'about:blank', title: 'Bad Request', status: 400, errors: [{ field: 'url', message: 'must be an https URL' }] }),
    });
    renderPage(<WebhooksPanel exportId="x1" />);
    const user = userEvent.setup();
    const form = await screen.findByRole('form', { name: 'Add a webhook' });
    await user.type(within(form).getByRole('textbox', { name: /^Name/ }), '#data-alerts');
    await user.click(within(form).getByRole('checkbox', { name: 'Succeeded' }));
    await user.type(within(form).getByLabelText(/^Webhook URL/), secretUrl);
    await user.click(within(form).getByRole('button', { name: 'Add webhook' }));
    await waitFor(() => expect(errorBeside(within(form).getByLabelText(/^Webhook URL/))).toBe('must be an https URL'));
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({ name: '#data-alerts', format: 'teams', outcomes: ['failed', 'partially-succeeded', 'succeeded'], url: secretUrl });
    expect((within(form).getByLabelText(/^Webhook URL/) as HTMLInputElement).type).toBe('password');
  });
});

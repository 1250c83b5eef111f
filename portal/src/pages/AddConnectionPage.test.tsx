import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { catalog, fakeApi, renderPage, reply } from '../testing/render.js';
import { AddConnectionPage } from './AddConnectionPage.js';

/** The error message in the Field (label, control, message) around a control: where its error must appear. */
const errorBeside = (element: HTMLElement) => within(element.closest('.fui-Field') as HTMLElement).queryByRole('alert')?.textContent;

describe('Add connection', () => {
  it('says beside each field what is missing, without calling the API', async () => {
    const requests = fakeApi({ 'GET /destinations': { items: catalog } });
    renderPage(<AddConnectionPage />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Save connection' }));
    expect(errorBeside(screen.getByRole('combobox', { name: /Destination/ }))).toMatch('Choose a destination');
    expect(errorBeside(screen.getByRole('textbox', { name: /Display name/ }))).toMatch('Display name is required');

    // The destination's own required credentials come from the catalog.
    await user.selectOptions(screen.getByRole('combobox', { name: /Destination/ }), 'autopilot');
    await user.click(screen.getByRole('button', { name: 'Save connection' }));
    expect(errorBeside(screen.getByLabelText(/Api key/))).toMatch('Api key is required');
    // Fixing a field takes its message away; the others stay until they are fixed.
    await user.type(screen.getByLabelText(/Api key/), 'k');
    expect(errorBeside(screen.getByLabelText(/Api key/))).toBeUndefined();
    expect(errorBeside(screen.getByRole('textbox', { name: /Display name/ }))).toMatch('Display name is required');
    expect(requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('shows the destination’s privacy statement and puts the API’s consent error next to the checkbox', async () => {
    const requests = fakeApi({
      'GET /destinations': { items: catalog },
      'POST /connections': reply(400, {
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        errors: [
          { field: 'consent', message: 'must be true: you accept that segment data leaves the compliance boundary' },
          { field: 'credentials.apiKey', message: 'the key was refused' },
        ],
      }),
    });
    renderPage(<AddConnectionPage />);
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByRole('combobox', { name: /Destination/ }), 'autopilot');
    expect(screen.getByRole('heading', { name: 'Data privacy: Autopilot' })).toBeTruthy();
    expect(screen.getByText('Email addresses leave this platform for Autopilot.')).toBeTruthy();
    await user.type(screen.getByRole('textbox', { name: /Display name/ }), 'Marketing');
    await user.type(screen.getByLabelText(/Api key/), 'key-1');
    await user.click(screen.getByRole('radio', { name: 'Administrators and contributors' }));
    await user.click(screen.getByRole('button', { name: 'Save connection' }));

    const consent = screen.getByRole('checkbox', { name: /I agree/ });
    await waitFor(() => expect(errorBeside(consent)).toMatch(/must be true/));
    expect(errorBeside(screen.getByLabelText(/Api key/))).toMatch('the key was refused');
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({
      type: 'autopilot',
      displayName: 'Marketing',
      credentials: { apiKey: 'key-1' },
      allowContributors: true,
      consent: false,
    });
  });
});

import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Schedule } from '../api/types.js';
import { fakeApi, renderPage } from '../testing/render.js';
import { readCron, SchedulePage } from './SchedulePage.js';

const schedule: Schedule = {
  cron: '0 0 */6 * * *',
  enabled: true,
  source: 'setting',
  nextRuns: ['2026-12-02T00:00:00.000Z', '2026-12-02T06:00:00.000Z', '2026-12-02T12:00:00.000Z', '2026-12-02T18:00:00.000Z', '2026-12-03T00:00:00.000Z'],
};

describe('Schedule', () => {
  it('reads NCRONTAB in plain words and refuses five-field cron', () => {
    expect(readCron('0 30 2 * * *').text).toMatch(/At 02:30/);
    expect(readCron('30 2 * * *').problem).toMatch(/six fields/);
  });

  it('shows the next five runs, reads the expression as it is typed, and stops a malformed one before the API', async () => {
    const requests = fakeApi({ 'GET /schedule': schedule });
    renderPage(<SchedulePage />);
    const list = await screen.findByRole('list');
    expect(within(list).getAllByRole('listitem')).toHaveLength(5);
    const input = screen.getByRole('textbox', { name: /NCRONTAB/ });
    await waitFor(() => expect((input as HTMLInputElement).value).toBe('0 0 */6 * * *'));
    expect(screen.getByText(/every 6 hours/i)).toBeTruthy();

    const user = userEvent.setup();
    await user.clear(input);
    await user.type(input, '0 12 * * *');
    await user.click(screen.getByRole('button', { name: 'Save schedule' }));
    expect(within(input.closest('.fui-Field') as HTMLElement).getByRole('alert').textContent).toMatch(/six fields/);
    expect(requests.some((r) => r.method === 'PUT')).toBe(false);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callers, createConnection, createExport, startApi, type ApiHarness } from './harness.js';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.stop();
});

interface Entry {
  action: string;
  actor: { userId: string };
  entity: { type: string; id: string };
  changes?: Record<string, unknown>;
}

async function entriesAbout(entityId: string): Promise<Entry[]> {
  const page = await api.call<{ items: Entry[] }>('GET', `/api/audit?entityId=${encodeURIComponent(entityId)}`);
  expect(page.status).toBe(200);
  return page.body.items;
}

describe('the audit trail', () => {
  it('records each change to a connection once, with the actor and the fields, never a secret', async () => {
    const connection = await createConnection(api, 'autopilot', { credentials: { apiKey: 'audit-secret-key-value' } });
    const read = await api.call('GET', `/api/connections/${connection.id}`);
    expect((await api.call('PATCH', `/api/connections/${connection.id}`, { body: { allowContributors: true, credentials: { apiKey: 'audit-secret-rotated' } }, headers: { 'if-match': read.headers.etag! } })).status).toBe(200);
    expect((await api.call('DELETE', `/api/connections/${connection.id}`)).status).toBe(200);

    const entries = await entriesAbout(connection.id);
    // Newest first.
    expect(entries.map((e) => e.action)).toEqual(['connection.deleted', 'connection.changed', 'connection.created']);
    expect(entries.every((e) => e.actor.userId === callers.admin.userId)).toBe(true);
    expect(entries[2]!.changes).toMatchObject({ type: 'autopilot', consent: true, credentials: '(set)' });
    expect(entries[1]!.changes).toEqual({ allowContributors: true, credentials: '(set)' });
    const trail = (await api.call('GET', '/api/audit?top=1000')).text;
    expect(trail).not.toContain('audit-secret');
  });

  it('names the contributor who created and ran an export, and filters by entity and user', async () => {
    const connection = await createConnection(api, 'autopilot', { allowContributors: true });
    const exp = await createExport(api, connection, {}, 'contributor');
    expect((await api.call('PATCH', `/api/exports/${exp.id}`, { as: 'contributor', body: { name: 'Renamed by a contributor' } })).status).toBe(200);

    const entries = await entriesAbout(exp.id);
    expect(entries.map((e) => [e.action, e.actor.userId])).toEqual([
      ['export.changed', callers.contributor.userId],
      ['export.created', callers.contributor.userId],
    ]);
    const byUser = await api.call<{ items: Entry[] }>('GET', `/api/audit?user=${callers.contributor.userId}&entity=export`);
    expect(byUser.body.items.every((e) => e.actor.userId === callers.contributor.userId && e.entity.type === 'export')).toBe(true);
    expect(byUser.body.items.length).toBeGreaterThanOrEqual(2);
  });

  it('records the schedule, suppressions and a failed request not at all', async () => {
    expect((await api.call('PUT', '/api/schedule', { body: { cron: '0 0 3 * * *' } })).status).toBe(200);
    const added = await api.call('POST', '/api/suppressions', { body: { emails: ['audited.person@example.com'] } });
    expect(added.status).toBe(200);
    const refused = await api.call('POST', '/api/connections', { body: { type: 'autopilot', displayName: 'no consent', credentials: { apiKey: 'k' }, consent: false } });
    expect(refused.status).toBe(400);

    const schedule = await entriesAbout('refresh');
    expect(schedule).toHaveLength(1);
    expect(schedule[0]).toMatchObject({ action: 'schedule.changed', changes: { cron: '0 0 3 * * *' } });
    const all = (await api.call<{ items: Entry[] }>('GET', '/api/audit?top=1000')).body.items;
    const suppression = all.filter((e) => e.action === 'suppression.added');
    expect(suppression).toHaveLength(1);
    expect(suppression[0]!.changes).toEqual({ emails: '(1 given)' });
    expect(JSON.stringify(all)).not.toContain('audited.person@example.com');
    expect(all.some((e) => e.changes?.displayName === 'no consent')).toBe(false);
  });

  it('is for admins only', async () => {
    expect((await api.call('GET', '/api/audit', { as: 'contributor' })).status).toBe(403);
  });
});

import { describe, expect, it } from 'vitest';
import { webhookSecretName } from '../../shared/notifications/model.js';
import { createConnection, createExport, useApiWithSimulators, type ApiHarness } from './harness.js';
import type { RunningSimulators } from '../../dev/simulators/index.js';

let api: ApiHarness;
let sims: RunningSimulators;
useApiWithSimulators((started) => ({ api, sims } = started));

const KEY = 'SECRET-signing-key-0123456789abcdef';

describe('webhooks of an export', () => {
  it('follow the export: contributors only on connections open to them, 404 for an unknown export', async () => {
    const closed = await createConnection(api, 'autopilot', { allowContributors: false });
    const exp = await createExport(api, closed);
    const body = { name: 'ops', format: 'teams', outcomes: ['failed'], url: sims.webhookSink.webhookUrl('roles') };
    // A connection closed to contributors hides its exports from them: 404, as for the export itself.
    expect((await api.call('POST', `/api/exports/${exp.id}/webhooks`, { as: 'contributor', body })).status).toBe(404);
    expect((await api.call('GET', `/api/exports/${exp.id}/webhooks`, { as: 'no-role' })).status).toBe(403);
    expect((await api.call('GET', `/api/exports/${exp.id}/webhooks`, { as: 'anonymous' })).status).toBe(401);
    expect((await api.call('POST', '/api/exports/missing-export/webhooks', { body })).status).toBe(404);

    const open = await createConnection(api, 'autopilot', { allowContributors: true });
    const shared = await createExport(api, open);
    expect((await api.call('POST', `/api/exports/${shared.id}/webhooks`, { as: 'contributor', body })).status).toBe(201);
  });

  it('reject what they cannot use, naming the field', async () => {
    const exp = await createExport(api, await createConnection(api));
    const post = (body: unknown) => api.call('POST', `/api/exports/${exp.id}/webhooks`, { body });
    const fieldsOf = async (body: unknown) => ((await post(body)).body.errors as { field: string }[]).map((e) => e.field);
    const url = sims.webhookSink.webhookUrl('v');
    expect(await fieldsOf({ name: 'x', format: 'teams', outcomes: [], url })).toContain('outcomes');
    expect(await fieldsOf({ name: 'x', format: 'teams', outcomes: ['skipped'], url })).toContain('outcomes.0');
    expect(await fieldsOf({ name: 'x', format: 'carrier-pigeon', outcomes: ['failed'], url })).toContain('format');
    expect(await fieldsOf({ name: 'x', format: 'slack', outcomes: ['failed'], url: 'ftp://example.com/x' })).toContain('url');
    expect(await fieldsOf({ name: 'x', format: 'slack', outcomes: ['failed'], url, signingKey: KEY })).toContain('signingKey');
    expect(await fieldsOf({ name: 'x', format: 'json', outcomes: ['failed'], url, signingKey: 'short' })).toContain('signingKey');
    expect(await fieldsOf({ name: 'x', format: 'json', outcomes: ['failed'], url, signingKey: KEY, extra: 1 })).toContain('extra');
  });

  it('change in place: name and outcomes, and a new URL or key replaces the stored one', async () => {
    const exp = await createExport(api, await createConnection(api));
    const base = `/api/exports/${exp.id}/webhooks`;
    const teams = await api.call('POST', base, { body: { name: 'ops', format: 'teams', outcomes: ['failed'], url: sims.webhookSink.webhookUrl('old') } });
    const signed = await api.call('POST', base, { body: { name: 'pager', format: 'json', outcomes: ['failed'], url: sims.webhookSink.webhookUrl('pager'), signingKey: KEY } });

    const renamed = await api.call('PATCH', `${base}/${teams.body.id}`, { body: { name: 'ops room', outcomes: ['failed', 'partially-succeeded'], url: sims.webhookSink.webhookUrl('new') } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'ops room', outcomes: ['failed', 'partially-succeeded'], url: { set: true }, signingKey: { set: false } });
    expect(JSON.parse((await api.services().secrets.get(webhookSecretName(teams.body.id)))!)).toEqual({ url: sims.webhookSink.webhookUrl('new') });

    const NEW_KEY = 'SECRET-rotated-signing-key-fedcba987654';
    expect((await api.call('PATCH', `${base}/${signed.body.id}`, { body: { signingKey: NEW_KEY } })).status).toBe(200);
    // The URL stays when only the key changes.
    expect(JSON.parse((await api.call('PATCH', `${base}/${signed.body.id}`, { body: { outcomes: ['failed', 'succeeded'] } })).text).outcomes).toEqual(['failed', 'succeeded']);
    expect(JSON.parse((await api.services().secrets.get(webhookSecretName(signed.body.id)))!)).toEqual({ url: sims.webhookSink.webhookUrl('pager'), signingKey: NEW_KEY });

    const keyOnTeams = await api.call('PATCH', `${base}/${teams.body.id}`, { body: { signingKey: NEW_KEY } });
    expect(keyOnTeams.status).toBe(400);
    expect(keyOnTeams.body.errors).toContainEqual(expect.objectContaining({ field: 'signingKey' }));
    expect((await api.call('PATCH', `${base}/${teams.body.id}`, { body: {} })).status).toBe(400);
    expect((await api.call('PATCH', `${base}/${teams.body.id}`, { body: { format: 'slack' } })).status).toBe(400);
    expect((await api.call('PATCH', `${base}/no-such-webhook`, { body: { name: 'x' } })).status).toBe(404);
    for (const text of api.logs) expect(text).not.toContain(NEW_KEY);
  });

  it('keep URL and key in the secret store only, and go with their export', async () => {
    const exp = await createExport(api, await createConnection(api));
    const url = sims.webhookSink.webhookUrl('SECRET-path-token-77');
    const created = await api.call('POST', `/api/exports/${exp.id}/webhooks`, { body: { name: 'signed', format: 'json', outcomes: ['failed', 'succeeded'], url, signingKey: KEY } });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/api/exports/${exp.id}/webhooks/${created.body.id}`);
    const stored = await api.services().secrets.get(webhookSecretName(created.body.id));
    expect(JSON.parse(stored!)).toEqual({ url, signingKey: KEY });

    const tested = await api.call('POST', `/api/exports/${exp.id}/webhooks/${created.body.id}/test`);
    expect(tested.body).toMatchObject({ delivered: true });
    const listed = await api.call('GET', `/api/exports/${exp.id}/webhooks`);
    for (const text of [created.text, listed.text, tested.text, ...api.logs]) {
      expect(text).not.toContain('SECRET-path-token-77');
      expect(text).not.toContain(KEY);
    }

    const current = await api.call('GET', `/api/exports/${exp.id}`);
    expect((await api.call('DELETE', `/api/exports/${exp.id}`, { headers: { 'if-match': current.headers.etag! } })).status).toBe(204);
    expect(await api.services().secrets.get(webhookSecretName(created.body.id))).toBeUndefined();
  });
});

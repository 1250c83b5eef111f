import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../shared/notifications/payloads.js';
import { EVENTS } from '../../shared/telemetry/events.js';
import { installInMemoryTelemetry, type RecordedTelemetry } from '../../shared/telemetry/testing.js';
import { getServices } from '../../shared/services.js';
import { stageTimes } from '../../shared/telemetry/stage-times.js';
import { startApp, type RunningApp } from './app.js';

/**
 * A run's end as operators see it: the run's telemetry event (an in-memory exporter stands in
 * for Application Insights) and the webhooks of its export, on the local webhook sink.
 */

let telemetry: RecordedTelemetry;
let app: RunningApp;
beforeAll(async () => {
  // Before the app loads, so its own telemetry setup finds this provider and keeps it.
  telemetry = installInMemoryTelemetry();
  app = await startApp();
}, 120_000);
afterAll(async () => {
  await app?.stop();
});

const SIGNING_KEY = 'a-signing-key-of-at-least-32-characters';

async function addWebhook(exportId: string, body: Record<string, unknown>): Promise<string> {
  const created = await app.api('POST', `/exports/${exportId}/webhooks`, body);
  expect(created.status, created.text).toBe(201);
  return created.body.id as string;
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('run notifications and telemetry', () => {
  it('a failed run notifies a Teams webhook and a signed JSON webhook, retrying the JSON one after a 500', async () => {
    const sink = app.sims.webhookSink;
    // A segment with no file: the run fails.
    const exportId = await app.createExport('autopilot', ['never-landed']);
    await addWebhook(exportId, { name: 'ops channel', format: 'teams', outcomes: ['failed', 'partially-succeeded'], url: sink.webhookUrl('teams') });
    await addWebhook(exportId, { name: 'pager', format: 'json', outcomes: ['failed'], url: sink.webhookUrl('json'), signingKey: SIGNING_KEY });
    await addWebhook(exportId, { name: 'celebrations', format: 'slack', outcomes: ['succeeded'], url: sink.webhookUrl('slack') });
    sink.inject({ kind: 'status', status: 500, count: 1, path: '/hooks/json' });

    const started = await app.api('POST', `/exports/${exportId}/run`);
    expect(started.status, started.text).toBe(202);
    const run = await app.waitForRun(exportId);
    expect(run.status).toBe('failed');

    const teams = await waitFor('the Teams message', () => sink.received('teams')[0]);
    const card = JSON.parse(teams.body);
    expect(card.type).toBe('message');
    expect(card.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.attachments[0].content.body[0].text).toMatch(/^Export ".+" failed/);

    const json = await waitFor('the JSON retry', () => (sink.received('json').length >= 2 ? sink.received('json') : undefined));
    expect(json.map((r) => r.answered)).toEqual([500, 200]);
    const delivered = json[1]!;
    const signatureHeader = delivered.headers[SIGNATURE_HEADER] as string;
    expect(verifySignature(SIGNING_KEY, delivered.headers[TIMESTAMP_HEADER] as string, delivered.body, signatureHeader)).toBe(true);
    expect(JSON.parse(delivered.body)).toMatchObject({ event: 'run.finished', run: { runId: run.id, exportId, status: 'failed' } });
    // Slack asked for successes only.
    expect(sink.received('slack')).toEqual([]);

    const [event] = await waitFor('the run event', () => {
      const found = telemetry.events(EVENTS.run).filter((e) => e.attributes.runId === run.id);
      return found.length ? found : undefined;
    });
    expect(event!.attributes).toMatchObject({ exportId, destination: 'autopilot', status: 'failed', read: 0, sent: 0 });
    // Reported once every delivery of the run is over.
    const notifications = await waitFor('the delivery reports', () => {
      const found = telemetry.events(EVENTS.notification).filter((e) => e.attributes.runId === run.id);
      return found.length >= 2 ? found : undefined;
    });
    expect(notifications.map((e) => [e.attributes.format, e.attributes.status, e.attributes.attempts]).sort()).toEqual([
      ['json', 'delivered', 2],
      ['teams', 'delivered', 1],
    ]);
  });

  it('a succeeded run reports its counts, stage durations and destination calls, and notifies who asked for successes', async () => {
    const sink = app.sims.webhookSink;
    const exportId = await app.createExport('autopilot', ['counted']);
    await addWebhook(exportId, { name: 'celebrations', format: 'slack', outcomes: ['succeeded'], url: sink.webhookUrl('slack-ok') });
    const rows = Array.from({ length: 40 }, (_, i) => `counted.${i}@example.com`);
    await app.dropFile('counted/list.csv', `email\n${rows.join('\n')}\nnot-an-email\n${rows[0]}\n`);
    const run = await app.waitForRun(exportId);
    expect(run.status, run.reason).toBe('succeeded');

    const event = await waitFor('the run event', () => telemetry.events(EVENTS.run).find((e) => e.attributes.runId === run.id));
    expect(event.attributes).toMatchObject({ status: 'succeeded', trigger: 'segment-refresh', read: 42, valid: 40, invalid: 1, duplicate: 1, sent: 40, accepted: 40, rejected: 0 });
    // Stage durations summed over the run's activities, in the run's own event. A first run
    // sends while it prepares: no send activities.
    expect(event.attributes).toMatchObject({ prepareCount: 1, planCount: 1, commitCount: 1, prepareMs: expect.any(Number) });
    expect(event.attributes.sendCount).toBeUndefined();
    // The run's end added its stage rows up and removed them.
    expect(await stageTimes(getServices().storage).collect(run.id)).toEqual({});
    const segments = telemetry.events(EVENTS.segment).filter((e) => e.attributes.runId === run.id);
    expect(segments.map((e) => [e.attributes.segment, e.attributes.sent])).toEqual([['counted', 40]]);
    // The finish step reports itself once it has returned, after the run's event.
    const stages = await waitFor('the finish stage', () => {
      const seen = new Set(telemetry.events(EVENTS.stage).filter((e) => e.attributes.runId === run.id).map((e) => e.attributes.stage));
      return seen.has('finish') ? seen : undefined;
    });
    expect([...stages]).toEqual(expect.arrayContaining(['prepare', 'plan', 'commit', 'finish']));
    const calls = telemetry.spans().filter((s) => s.attributes['segment_export.destination'] === 'Autopilot');
    expect(calls.length).toBeGreaterThan(0);
    // Each with its final status and how often it was retried (a reused connection the peer closed is retried, so not always 0).
    for (const call of calls) {
      expect(call.attributes['http.response.status_code']).toEqual(expect.any(Number));
      expect(call.attributes['segment_export.retry_count']).toEqual(expect.any(Number));
    }

    const slack = await waitFor('the Slack message', () => sink.received('slack-ok')[0]);
    expect(JSON.parse(slack.body).text).toMatch(/succeeded$/);

    // The next file plans against the ledger and sends its five newcomers in the send stage.
    await app.dropFile('counted/list-2.csv', `email\n${[...rows, ...Array.from({ length: 5 }, (_, i) => `joined.${i}@example.com`)].join('\n')}\n`);
    const refresh = await app.waitForRun(exportId, new Set([run.id]));
    expect(refresh.status, refresh.reason).toBe('succeeded');
    const refreshed = await waitFor('the refresh event', () => telemetry.events(EVENTS.run).find((e) => e.attributes.runId === refresh.id));
    expect(refreshed.attributes).toMatchObject({ sent: 5, prepareCount: 1, planCount: 1, commitCount: 1, sendMs: expect.any(Number) });
    expect(refreshed.attributes.sendCount as number).toBeGreaterThan(0);
  });
});

describe('webhook API', () => {
  it('keeps URL and key write-only, validates by format, sends a sample on /test and deletes', async () => {
    const sink = app.sims.webhookSink;
    const exportId = await app.createExport('autopilot', ['api-checks']);
    const unsigned = await app.api('POST', `/exports/${exportId}/webhooks`, { name: 'x', format: 'json', outcomes: ['failed'], url: sink.webhookUrl('x') });
    expect(unsigned.status).toBe(400);
    expect(unsigned.body.errors).toContainEqual(expect.objectContaining({ field: 'signingKey' }));
    const plainHttp = await app.api('POST', `/exports/${exportId}/webhooks`, { name: 'x', format: 'teams', outcomes: ['failed'], url: 'http://example.com/hook' });
    expect(plainHttp.status).toBe(400);
    expect(plainHttp.body.errors).toContainEqual(expect.objectContaining({ field: 'url' }));
    const twice = await app.api('POST', `/exports/${exportId}/webhooks`, { name: 'x', format: 'teams', outcomes: ['failed', 'failed'], url: sink.webhookUrl('t') });
    expect(twice.status).toBe(400);

    const id = await addWebhook(exportId, { name: 'signed', format: 'json', outcomes: ['failed'], url: sink.webhookUrl('sample-secret-path'), signingKey: SIGNING_KEY });
    const listed = await app.api('GET', `/exports/${exportId}/webhooks`);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ id, format: 'json', outcomes: ['failed'], url: { set: true, updatedAt: expect.any(String) }, signingKey: { set: true } })]);
    expect(listed.text).not.toContain('sample-secret-path');
    expect(listed.text).not.toContain(SIGNING_KEY);

    const tested = await app.api('POST', `/exports/${exportId}/webhooks/${id}/test`);
    expect(tested.body).toEqual({ delivered: true, attempts: 1, status: 200 });
    const [sample] = sink.received('sample-secret-path');
    expect(JSON.parse(sample!.body)).toMatchObject({ event: 'test', run: { kind: 'test', exportId } });

    expect((await app.api('DELETE', `/exports/${exportId}/webhooks/${id}`)).status).toBe(204);
    expect((await app.api('GET', `/exports/${exportId}/webhooks`)).body.items).toEqual([]);
    expect((await app.api('POST', `/exports/${exportId}/webhooks/${id}/test`)).status).toBe(404);
  });

  it('is in the OpenAPI document', async () => {
    const { body } = await app.api('GET', '/openapi.json');
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/exports/{id}/webhooks', '/exports/{id}/webhooks/{webhookId}', '/exports/{id}/webhooks/{webhookId}/test']));
    expect(Object.keys(body.paths['/exports/{id}/webhooks/{webhookId}']).sort()).toEqual(['delete', 'patch']);
    expect(body.paths['/exports/{id}/webhooks'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('signingKey');
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWebhookSink, type WebhookSink } from '../../dev/simulators/webhook-sink/server.js';
import { deliverWebhook } from './deliver.js';

let sink: WebhookSink;
beforeAll(async () => {
  sink = await startWebhookSink();
});
afterAll(async () => {
  await sink?.stop();
});
beforeEach(() => sink.reset());

const message = { body: '{"hello":"world"}', headers: { 'content-type': 'application/json', 'x-extra': 'yes' } };
const fast = { initialDelayMs: 10, maxDelayMs: 50 };

describe('deliverWebhook', () => {
  it('posts the body and headers as given', async () => {
    expect(await deliverWebhook(sink.webhookUrl('plain'), message, fast)).toEqual({ ok: true, attempts: 1, status: 200 });
    const [got] = sink.received('plain');
    expect(got).toMatchObject({ body: message.body, answered: 200 });
    expect(got!.headers['x-extra']).toBe('yes');
  });

  it('retries after a 500 and a dropped connection, with backoff', async () => {
    sink.inject({ kind: 'status', status: 500, count: 1 });
    sink.inject({ kind: 'drop', count: 1 });
    const result = await deliverWebhook(sink.webhookUrl('flaky'), message, fast);
    expect(result).toEqual({ ok: true, attempts: 3, status: 200 });
    expect(sink.received('flaky').map((r) => r.answered)).toEqual([500, 200]);
  });

  it('gives up after its attempts, and never retries a 4xx that will not change', async () => {
    sink.inject({ kind: 'status', status: 503, count: 10 });
    expect(await deliverWebhook(sink.webhookUrl('down'), message, { ...fast, attempts: 3 })).toMatchObject({ ok: false, attempts: 3, status: 503 });
    sink.reset();
    sink.inject({ kind: 'status', status: 404, count: 10 });
    expect(await deliverWebhook(sink.webhookUrl('gone'), message, fast)).toMatchObject({ ok: false, attempts: 1, status: 404, error: 'answered 404' });
  });

  it('reports an unreachable receiver without the URL (it is a secret)', async () => {
    const url = 'http://127.0.0.1:9/hooks/secret-token-123';
    const result = await deliverWebhook(url, message, { ...fast, attempts: 2 });
    expect(result).toMatchObject({ ok: false, attempts: 2 });
    expect(result.error).not.toContain('secret-token-123');
  });
});

import { describe, expect, it } from 'vitest';
import type { RunNotice } from './model.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signature, verifySignature, webhookMessage } from './payloads.js';

const notice: RunNotice = {
  kind: 'run.finished',
  exportId: 'e1',
  exportName: 'VIP to Autopilot',
  destinationType: 'autopilot',
  runId: 'r1',
  trigger: 'schedule',
  status: 'failed',
  reason: 'segment-too-large',
  startedAt: '2026-12-01T10:00:00.000Z',
  finishedAt: '2026-12-01T10:01:00.000Z',
  durationMs: 60_000,
  totals: { read: 10, sent: 4, accepted: 3, rejected: 1, invalid: 5, duplicate: 1, skipped: 0 },
  segments: [
    { segment: 'vip', status: 'failed', reason: 'segment-too-large', sent: 0, rejected: 0 },
    { segment: 'ok', status: 'succeeded', sent: 4, rejected: 1 },
  ],
  runUrl: 'https://app.example.net/api/runs/r1',
};

describe('webhook messages', () => {
  it('Teams: a message with one Adaptive Card naming the export, the outcome and the failed segment', () => {
    const message = JSON.parse(webhookMessage('teams', notice).body);
    expect(message.type).toBe('message');
    expect(message.attachments).toHaveLength(1);
    const [attachment] = message.attachments;
    expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(attachment.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(attachment.content.body[0].text).toBe('Export "VIP to Autopilot" failed: segment-too-large');
    expect(attachment.content.body[1].facts).toContainEqual({ title: 'Segment vip', value: 'failed: segment-too-large' });
    // Succeeded segments are not listed; the link goes to the run.
    expect(JSON.stringify(attachment.content.body)).not.toContain('Segment ok');
    expect(attachment.content.actions[0]).toEqual({ type: 'Action.OpenUrl', title: 'Open the run', url: notice.runUrl });
  });

  it('Slack: fallback text and Block Kit blocks', () => {
    const message = JSON.parse(webhookMessage('slack', notice).body);
    expect(message.text).toBe('Export "VIP to Autopilot" failed: segment-too-large');
    expect(message.blocks.map((b: { type: string }) => b.type)).toEqual(['header', 'section', 'context']);
    expect(message.blocks[1].text.text).toContain('*Sent:* 4 (accepted 3, rejected 1)');
  });

  it('JSON: the notice, signed over timestamp and body so a receiver can verify it', () => {
    const key = 'k'.repeat(32);
    const now = new Date('2026-12-01T10:01:05Z');
    const message = webhookMessage('json', notice, key, now);
    expect(JSON.parse(message.body)).toEqual({ event: 'run.finished', run: notice });
    const timestamp = message.headers[TIMESTAMP_HEADER]!;
    expect(timestamp).toBe(String(now.getTime() / 1000));
    expect(message.headers[SIGNATURE_HEADER]).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature(key, timestamp, message.body, message.headers[SIGNATURE_HEADER]!)).toBe(true);
    // Another key, another body or another time do not verify.
    expect(verifySignature('x'.repeat(32), timestamp, message.body, message.headers[SIGNATURE_HEADER]!)).toBe(false);
    expect(verifySignature(key, timestamp, message.body.replace('failed', 'succeeded'), message.headers[SIGNATURE_HEADER]!)).toBe(false);
    expect(verifySignature(key, String(Number(timestamp) + 1), message.body, message.headers[SIGNATURE_HEADER]!)).toBe(false);
    // The documented recipe, computed independently.
    expect(signature(key, timestamp, message.body)).toBe(message.headers[SIGNATURE_HEADER]);
  });
});

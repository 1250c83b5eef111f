import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RunNotice, WebhookFormat } from './model.js';

/** Headers of a signed JSON notification; docs/operations.md tells receivers how to check them. */
export const SIGNATURE_HEADER = 'x-segment-export-signature';
export const TIMESTAMP_HEADER = 'x-segment-export-timestamp';

export interface WebhookMessage {
  body: string;
  headers: Record<string, string>;
}

const title = (notice: RunNotice) =>
  `${notice.kind === 'test' ? '[test] ' : ''}Export "${notice.exportName}" ${notice.status}${notice.reason ? `: ${notice.reason}` : ''}`;

const summaryFacts = (notice: RunNotice): [string, string][] => [
  ['Destination', notice.destinationType],
  ['Trigger', notice.trigger],
  ['Run', notice.runId],
  ['Sent', `${notice.totals.sent} (accepted ${notice.totals.accepted}, rejected ${notice.totals.rejected})`],
  ['Not sent', `${notice.totals.invalid} invalid, ${notice.totals.duplicate} duplicate, ${notice.totals.skipped} over a limit`],
  ...(notice.durationMs !== undefined ? ([['Duration', `${Math.round(notice.durationMs / 1000)} s`]] as [string, string][]) : []),
  ...notice.segments
    .filter((s) => s.status !== 'succeeded')
    .slice(0, 10)
    .map((s): [string, string] => [`Segment ${s.segment}`, `${s.status}${s.reason ? `: ${s.reason}` : ''}`]),
];

/**
 * A Teams workflow webhook takes a message with one Adaptive Card attachment
 * (learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using:
 * `type: message`, `attachments[].contentType: application/vnd.microsoft.card.adaptive`).
 */
function teams(notice: RunNotice): unknown {
  const attention = notice.status === 'failed' ? 'attention' : notice.status === 'succeeded' ? 'good' : 'warning';
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', size: 'Medium', weight: 'Bolder', wrap: true, color: attention, text: title(notice) },
            { type: 'FactSet', facts: summaryFacts(notice).map(([t, value]) => ({ title: t, value })) },
          ],
          actions: [{ type: 'Action.OpenUrl', title: 'Open the run', url: notice.runUrl }],
        },
      },
    ],
  };
}

/** A Slack incoming webhook takes `text` (the fallback) and Block Kit `blocks` (api.slack.com/messaging/webhooks). */
function slack(notice: RunNotice): unknown {
  const facts = summaryFacts(notice).map(([t, value]) => `*${t}:* ${value}`);
  return {
    text: title(notice),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: title(notice).slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: facts.join('\n') } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `<${notice.runUrl}|Open the run>` }] },
    ],
  };
}

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`: the timestamp in the MAC stops replays of old messages. */
export function signature(signingKey: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', signingKey).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does: recompute and compare in constant time. */
export function verifySignature(signingKey: string, timestamp: string, body: string, received: string): boolean {
  const expected = Buffer.from(signature(signingKey, timestamp, body));
  const actual = Buffer.from(received);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export function webhookMessage(format: WebhookFormat, notice: RunNotice, signingKey?: string, now = new Date()): WebhookMessage {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (format === 'teams') return { body: JSON.stringify(teams(notice)), headers };
  if (format === 'slack') return { body: JSON.stringify(slack(notice)), headers };
  const body = JSON.stringify({ event: notice.kind, run: notice });
  if (signingKey) {
    const timestamp = String(Math.floor(now.getTime() / 1000));
    headers[TIMESTAMP_HEADER] = timestamp;
    headers[SIGNATURE_HEADER] = signature(signingKey, timestamp, body);
  }
  return { body, headers };
}

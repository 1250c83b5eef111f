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

/** A run as a chat message: its outcome, totals and the segments that need a look. */
function runChatMessage(notice: RunNotice): ChatMessage {
  return {
    title: title(notice),
    color: notice.status === 'failed' ? 'attention' : notice.status === 'succeeded' ? 'good' : 'warning',
    facts: summaryFacts(notice),
    link: { title: 'Open the run', url: notice.runUrl },
  };
}

/**
 * A Teams workflow webhook takes a message with one Adaptive Card attachment
 * (learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using:
 * `type: message`, `attachments[].contentType: application/vnd.microsoft.card.adaptive`).
 */
const teams = (notice: RunNotice): unknown => teamsCard(runChatMessage(notice));

/** A Slack incoming webhook takes `text` (the fallback) and Block Kit `blocks` (api.slack.com/messaging/webhooks). */
const slack = (notice: RunNotice): unknown => slackBlocks(runChatMessage(notice));

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
  if (format === 'teams') return plain(teams(notice));
  if (format === 'slack') return plain(slack(notice));
  return signedJson({ event: notice.kind, run: notice }, signingKey, now);
}

/** What a chat message needs to show: a title, facts, and a link. Shared by run and audience notices. */
export interface ChatMessage {
  title: string;
  color: 'attention' | 'warning' | 'good';
  facts: [string, string][];
  link: { title: string; url: string };
}

export function teamsCard(message: ChatMessage): unknown {
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
            { type: 'TextBlock', size: 'Medium', weight: 'Bolder', wrap: true, color: message.color, text: message.title },
            { type: 'FactSet', facts: message.facts.map(([t, value]) => ({ title: t, value })) },
          ],
          actions: [{ type: 'Action.OpenUrl', title: message.link.title, url: message.link.url }],
        },
      },
    ],
  };
}

export function slackBlocks(message: ChatMessage): unknown {
  return {
    text: message.title,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: message.title.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: message.facts.map(([t, value]) => `*${t}:* ${value}`).join('\n') } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `<${message.link.url}|${message.link.title}>` }] },
    ],
  };
}

export function plain(payload: unknown): WebhookMessage {
  return { body: JSON.stringify(payload), headers: { 'content-type': 'application/json' } };
}

/** A JSON body, signed when the webhook has a key (`json` webhooks always do). */
export function signedJson(payload: unknown, signingKey?: string, now = new Date()): WebhookMessage {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const body = JSON.stringify(payload);
  if (signingKey) {
    const timestamp = String(Math.floor(now.getTime() / 1000));
    headers[TIMESTAMP_HEADER] = timestamp;
    headers[SIGNATURE_HEADER] = signature(signingKey, timestamp, body);
  }
  return { body, headers };
}

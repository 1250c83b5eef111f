import type { AudienceAlert } from '../insights/alerts.js';
import type { DeliveryOptions } from './deliver.js';
import type { Webhook, WebhookFormat } from './model.js';
import { sendMessage, webhookStore, type NotificationDeps, type WebhookOutcome } from './notify.js';
import { plain, signedJson, slackBlocks, teamsCard, type ChatMessage, type WebhookMessage } from './payloads.js';

/** What an audience alert says: the crossing, and where to look. Ids, counts and rates only. */
export interface AudienceAlertNotice extends AudienceAlert {
  exportName: string;
  destinationType: string;
  /** The export's audiences in the API (absolute when the app knows its public URL). */
  audiencesUrl: string;
}

export function audiencesLink(config: NotificationDeps['config'], exportId: string): string {
  const path = `/api/exports/${encodeURIComponent(exportId)}/audiences`;
  return config.appBaseUrl ? new URL(path, config.appBaseUrl).toString() : path;
}

const percent = (share: number | null) => (share === null ? 'not known' : `${Math.round(share * 1000) / 10} %`);

function chat(notice: AudienceAlertNotice): ChatMessage {
  const what = notice.kind === 'match-rate-low' ? 'match rate fell below its threshold' : 'audience shrank';
  return {
    title: `Export "${notice.exportName}": the ${what} (${notice.segment})`,
    color: 'warning',
    facts: [
      ['Destination', notice.destinationType],
      ['Segment', notice.segment],
      ['What happened', notice.message],
      ['Match rate', percent(notice.matchRate)],
      ['Size', notice.previousSize === null ? String(notice.size ?? 'not known') : `${notice.previousSize} → ${notice.size ?? 'not known'}`],
      ['Read at', notice.readAt],
    ],
    link: { title: 'Open the audiences', url: notice.audiencesUrl },
  };
}

/** The alert in the webhook's format: a Teams card, Slack blocks, or `{ event: "audience.alert", alert }` signed. */
export function audienceAlertMessage(format: WebhookFormat, notice: AudienceAlertNotice, signingKey?: string, now = new Date()): WebhookMessage {
  if (format === 'teams') return plain(teamsCard(chat(notice)));
  if (format === 'slack') return plain(slackBlocks(chat(notice)));
  return signedJson({ event: 'audience.alert', alert: notice }, signingKey, now);
}

/**
 * Posts an audience alert to every webhook of its export: the export asked for it by setting
 * `audienceAlerts`, and its webhooks are where it hears about itself. Never throws.
 */
export async function notifyAudienceAlert(deps: NotificationDeps, notice: AudienceAlertNotice, options?: DeliveryOptions): Promise<WebhookOutcome[]> {
  let webhooks: Webhook[];
  try {
    webhooks = await webhookStore(deps.storage).list(notice.exportId);
  } catch (error) {
    return [{ webhookId: '*', format: 'json', ok: false, attempts: 0, error: `listing the webhooks failed: ${(error as Error).message}` }];
  }
  return Promise.all(
    webhooks.map((webhook) =>
      sendMessage(deps, webhook, (key) => audienceAlertMessage(webhook.format, notice, key), options).catch(
        (error: unknown): WebhookOutcome => ({ webhookId: webhook.id, format: webhook.format, ok: false, attempts: 0, error: (error as Error).message }),
      ),
    ),
  );
}

import type { WebhookFormat, WebhookOutcome } from '../api/types.js';

/**
 * Words for the API's webhook formats and outcomes. Records over the generated types: a
 * format or outcome the API adds fails the build here until it has its words.
 */
export const formatLabels: Record<WebhookFormat, string> = {
  teams: 'Microsoft Teams (workflow)',
  slack: 'Slack (incoming webhook)',
  json: 'Signed JSON (HMAC-SHA256)',
};

export const outcomeLabels: Record<WebhookOutcome, string> = {
  failed: 'Failed',
  'partially-succeeded': 'Partially succeeded',
  succeeded: 'Succeeded',
};

export const formats = Object.keys(formatLabels) as WebhookFormat[];
export const outcomes = Object.keys(outcomeLabels) as WebhookOutcome[];

import { describe, expect, it } from 'vitest';
import { audienceAlertMessage, audiencesLink, type AudienceAlertNotice } from './audience-alerts.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from './payloads.js';

const notice: AudienceAlertNotice = {
  kind: 'match-rate-low',
  exportId: 'e1',
  exportName: 'VIP to Microsoft',
  destinationType: 'microsoft-advertising',
  segment: 'vip',
  readAt: '2026-12-01T10:00:00.000Z',
  message: "The match rate of vip fell to 40 %, below the export's threshold of 50 %.",
  threshold: 0.5,
  matchRate: 0.4,
  size: 400,
  previousSize: 900,
  audiencesUrl: audiencesLink({ appBaseUrl: 'https://app.example.net' }, 'e1'),
};

describe('audience alert messages', () => {
  it('Teams: a card naming the export, the segment and the crossing, linking to the audiences', () => {
    const card = JSON.parse(audienceAlertMessage('teams', notice).body).attachments[0].content;
    expect(card.body[0].text).toBe('Export "VIP to Microsoft": the match rate fell below its threshold (vip)');
    expect(card.body[1].facts).toEqual(
      expect.arrayContaining([
        { title: 'Match rate', value: '40 %' },
        { title: 'Size', value: '900 → 400' },
      ]),
    );
    expect(card.actions[0].url).toBe('https://app.example.net/api/exports/e1/audiences');
  });

  it('Slack: the title as text, the facts as mrkdwn', () => {
    const message = JSON.parse(audienceAlertMessage('slack', { ...notice, kind: 'audience-shrank' }).body);
    expect(message.text).toContain('the audience shrank (vip)');
    expect(message.blocks[1].text.text).toContain('*What happened:*');
  });

  it('JSON: event audience.alert with the notice, signed like run notifications', () => {
    const key = 'a-signing-key-of-at-least-32-characters';
    const message = audienceAlertMessage('json', notice, key, new Date('2026-12-01T10:00:05Z'));
    expect(JSON.parse(message.body)).toEqual({ event: 'audience.alert', alert: notice });
    expect(verifySignature(key, message.headers[TIMESTAMP_HEADER]!, message.body, message.headers[SIGNATURE_HEADER]!)).toBe(true);
  });
});

import { startNextRollSimulator, type NextRollSimulator } from './nextroll/server.js';
import { startAutopilotSimulator, type AutopilotSimulator } from './autopilot/server.js';
import type { SimulatorHandle } from './common/handle.js';
import { devConnections, devCredentials } from './credentials.js';
import { startMicrosoftAdvertisingSimulator, type MicrosoftAdvertisingSimulator } from './microsoft-advertising/server.js';
import { startGoogleAdsSimulator, type GoogleAdsSimulator } from './google-ads/server.js';
import { startWebhookSink, type WebhookSink } from './webhook-sink/server.js';
import { startMetaSimulator, type MetaSimulator } from './meta/server.js';
import { startOrttoSimulator, type OrttoSimulator } from './ortto/server.js';

import { startLinkedinSimulator, type LinkedinSimulator } from './linkedin/server.js';

export type SimulatedService = 'adroll' | 'rollworks' | 'microsoft-advertising' | 'autopilot' | 'google-ads' | 'meta' | 'linkedin' | 'ortto';

export interface RunningSimulators {
  urls: {
    adroll: string;
    rollworks: string;
    microsoftAdvertising: { api: string; bulk: string; token: string };
    autopilot: string;
    googleAds: { api: string; token: string };
    meta: string;
    ortto: string;
    linkedin: { api: string; token: string };
  };
  /** Every app setting that points the app at the simulators: `Object.assign(process.env, sims.env)`. */
  env: Record<string, string>;
  adroll: NextRollSimulator;
  rollworks: NextRollSimulator;
  microsoftAdvertising: MicrosoftAdvertisingSimulator;
  autopilot: AutopilotSimulator;
  googleAds: GoogleAdsSimulator;
  meta: MetaSimulator;
  ortto: OrttoSimulator;
  linkedin: LinkedinSimulator;
  /** The same handles by destination type. */
  byType: Record<SimulatedService, SimulatorHandle>;
  /** Receives run notifications (Teams, Slack, signed JSON) on `webhookSink.webhookUrl(name)`. */
  webhookSink: WebhookSink;
  stop(): Promise<void>;
}

export interface StartSimulatorsOptions {
  /** `off`: no simulated rate limit (the benchmark measures our own cost); default `on`. */
  rateLimits?: 'on' | 'off';
  host?: string;
  /** Fixed ports (`npm start` uses 7101-7104, 7106 for Meta, 7107 for Google Ads, 7108 for LinkedIn and 7109 for Ortto); default 0, a free port each. */
  ports?: Partial<Record<SimulatedService, number>>;
  /** Fixed port of the webhook sink (`npm start` uses 7105); default a free one. */
  webhookSinkPort?: number;
}

/**
 * Starts one simulator per destination service on loopback. Each keeps its audiences and
 * request log for inspection, takes injected faults, and serves both under `/__sim/` too.
 */
export async function startSimulators(options: StartSimulatorsOptions = {}): Promise<RunningSimulators> {
  const rateLimits = (options.rateLimits ?? 'on') === 'on';
  const host = options.host ?? '127.0.0.1';
  const port = (service: SimulatedService) => options.ports?.[service] ?? 0;

  const started: Pick<SimulatorHandle, 'stop'>[] = [];
  try {
    const adroll = await startNextRollSimulator({ brand: 'adroll', host, port: port('adroll'), rateLimits });
    started.push(adroll);
    const rollworks = await startNextRollSimulator({ brand: 'rollworks', host, port: port('rollworks'), rateLimits });
    started.push(rollworks);
    const microsoftAdvertising = await startMicrosoftAdvertisingSimulator({ host, port: port('microsoft-advertising'), rateLimits });
    started.push(microsoftAdvertising);
    const autopilot = await startAutopilotSimulator({ host, port: port('autopilot'), rateLimits });
    started.push(autopilot);
    const googleAds = await startGoogleAdsSimulator({ host, port: port('google-ads'), rateLimits });
    started.push(googleAds);
    const meta = await startMetaSimulator({ host, port: port('meta'), rateLimits });
    started.push(meta);
    const ortto = await startOrttoSimulator({ host, port: port('ortto'), rateLimits });
    started.push(ortto);
    const linkedin = await startLinkedinSimulator({ host, port: port('linkedin'), rateLimits });
    started.push(linkedin);
    const webhookSink = await startWebhookSink({ host, port: options.webhookSinkPort ?? 0 });
    started.push(webhookSink);

    const urls = {
      adroll: adroll.url,
      rollworks: rollworks.url,
      microsoftAdvertising: { api: microsoftAdvertising.url, bulk: microsoftAdvertising.url, token: microsoftAdvertising.tokenUrl },
      autopilot: autopilot.url,
      googleAds: { api: googleAds.apiUrl, token: googleAds.tokenUrl },
      meta: meta.url,
      ortto: ortto.url,
      linkedin: { api: linkedin.apiUrl, token: linkedin.tokenUrl },
    };
    const env: Record<string, string> = {
      ADROLL_API_URL: urls.adroll,
      ADROLL_CLIENT_ID: devCredentials.adroll.clientId,
      ADROLL_CLIENT_SECRET: devCredentials.adroll.clientSecret,
      ROLLWORKS_API_URL: urls.rollworks,
      ROLLWORKS_CLIENT_ID: devCredentials.rollworks.clientId,
      ROLLWORKS_CLIENT_SECRET: devCredentials.rollworks.clientSecret,
      MSADS_API_URL: urls.microsoftAdvertising.api,
      MSADS_BULK_API_URL: urls.microsoftAdvertising.bulk,
      MSADS_TOKEN_URL: urls.microsoftAdvertising.token,
      MSADS_CLIENT_ID: devCredentials.microsoftAdvertising.clientId,
      MSADS_CLIENT_SECRET: devCredentials.microsoftAdvertising.clientSecret,
      MSADS_DEVELOPER_TOKEN: devCredentials.microsoftAdvertising.developerToken,
      AUTOPILOT_API_URL: urls.autopilot,
      GOOGLE_ADS_API_URL: urls.googleAds.api,
      GOOGLE_ADS_TOKEN_URL: urls.googleAds.token,
      GOOGLE_ADS_CLIENT_ID: devCredentials.googleAds.clientId,
      GOOGLE_ADS_CLIENT_SECRET: devCredentials.googleAds.clientSecret,
      META_API_URL: urls.meta,
      ORTTO_API_URL: urls.ortto,
      LINKEDIN_API_URL: urls.linkedin.api,
      LINKEDIN_TOKEN_URL: urls.linkedin.token,
      LINKEDIN_CLIENT_ID: devCredentials.linkedin.clientId,
      LINKEDIN_CLIENT_SECRET: devCredentials.linkedin.clientSecret,
    };

    return {
      urls,
      env,
      adroll,
      rollworks,
      microsoftAdvertising,
      autopilot,
      googleAds,
      meta,
      ortto,
      linkedin,
      byType: { adroll, rollworks, 'microsoft-advertising': microsoftAdvertising, autopilot, 'google-ads': googleAds, meta, linkedin, ortto },
      webhookSink,
      stop: () => stopAll(started),
    };
  } catch (error) {
    await stopAll(started);
    throw error;
  }
}

async function stopAll(handles: Pick<SimulatorHandle, 'stop'>[]): Promise<void> {
  await Promise.all(handles.map((handle) => handle.stop()));
}

export { devConnections, devCredentials };
export type { SimAudience, SimulatorHandle } from './common/handle.js';
export type { FaultSpec } from './common/faults.js';
export type { NextRollSimulator, AutopilotSimulator, MicrosoftAdvertisingSimulator, GoogleAdsSimulator, MetaSimulator, LinkedinSimulator, OrttoSimulator, WebhookSink };

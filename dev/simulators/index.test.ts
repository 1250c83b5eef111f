import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.js';
import { devCredentials, startSimulators, type RunningSimulators } from './index.js';

let sims: RunningSimulators;

beforeAll(async () => {
  sims = await startSimulators({ rateLimits: 'off' });
});
afterAll(async () => {
  await sims.stop();
});

describe('startSimulators', () => {
  it('gives the app settings that point every destination at a simulator', () => {
    const endpoints = loadConfig(sims.env).destinations;
    expect(endpoints.adroll).toEqual({ apiUrl: sims.adroll.url, clientId: devCredentials.adroll.clientId, clientSecret: devCredentials.adroll.clientSecret });
    expect(endpoints.rollworks.apiUrl).toBe(sims.rollworks.url);
    expect(endpoints.microsoftAdvertising).toMatchObject({
      apiUrl: sims.microsoftAdvertising.url,
      tokenUrl: sims.microsoftAdvertising.tokenUrl,
      developerToken: devCredentials.microsoftAdvertising.developerToken,
    });
    expect(endpoints.autopilot.apiUrl).toBe(sims.autopilot.url);
    expect(endpoints.googleAds).toEqual({
      apiUrl: sims.googleAds.apiUrl,
      tokenUrl: sims.googleAds.tokenUrl,
      clientId: devCredentials.googleAds.clientId,
      clientSecret: devCredentials.googleAds.clientSecret,
    });
    expect(endpoints.meta.apiUrl).toBe(sims.meta.url);
    expect(endpoints.linkedin).toEqual({
      apiUrl: sims.linkedin.apiUrl,
      tokenUrl: sims.linkedin.tokenUrl,
      clientId: devCredentials.linkedin.clientId,
      clientSecret: devCredentials.linkedin.clientSecret,
      sourcePlatform: 'LIST_UPLOAD',
    });
    // One simulator (one origin) per service.
    const origins = new Set(Object.values(sims.urls).flatMap((url) => (typeof url === 'string' ? [url] : Object.values(url))).map((url) => new URL(url).origin));
    expect(origins.size).toBe(Object.keys(sims.byType).length);
  });

  it('overrides every service URL the sample settings name, so nothing reaches the fixed npm start ports by mistake', () => {
    // The local host reads local.settings(.sample).json under the environment: a URL setting the
    // simulators leave out points a test or the benchmark at the fixed port of `npm start`.
    const sample = JSON.parse(readFileSync(join(__dirname, '../../local.settings.sample.json'), 'utf8')) as { Values: Record<string, unknown> };
    const urlSettings = Object.keys(sample.Values).filter((name) => /_URL$/.test(name) && /^https?:\/\/127\.0\.0\.1:71\d\d/.test(String(sample.Values[name])));
    expect(urlSettings.length).toBeGreaterThan(5);
    expect(urlSettings.filter((name) => sims.env[name] === undefined)).toEqual([]);
  });

  it("answers wrong credentials with each service's own 401 shape", async () => {
    const autopilot = await fetch(`${sims.autopilot.url}/lists`, { headers: { autopilotapikey: 'wrong' } });
    expect(autopilot.status).toBe(401);
    expect(await autopilot.json()).toEqual({ error: 'Unauthorized', message: 'Provided autopilotapikey not valid.' });

    const missingKey = await fetch(`${sims.autopilot.url}/lists`);
    expect(missingKey.status).toBe(400);
    expect(await missingKey.json()).toEqual({ error: 'Bad Request', message: 'No autopilotapikey header provided.' });

    const adroll = await fetch(`${sims.adroll.url}/audience/v1/advertisers`);
    expect(adroll.status).toBe(401);
    expect(await adroll.json()).toMatchObject({ errors: [{ code: 'apiproxy:3' }] });

    const msads = await fetch(`${sims.microsoftAdvertising.url}/CampaignManagement/v13/Audiences/QueryByIds`, {
      method: 'POST',
      headers: { authorization: 'Bearer nope', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(msads.status).toBe(401);
    expect(await msads.json()).toMatchObject({ Type: 'AdApiFaultDetail', Errors: [{ Code: 105, ErrorCode: 'InvalidCredentials' }] });
  });

  it('takes faults and shows state and requests over HTTP under /__sim/', async () => {
    sims.autopilot.reset();
    const base = sims.autopilot.url.replace(/\/v1$/, '');
    const headers = { autopilotapikey: devCredentials.autopilot.apiKey, 'content-type': 'application/json' };

    const inject = await fetch(`${base}/__sim/faults`, { method: 'POST', headers, body: JSON.stringify({ kind: 'status', status: 503, count: 1 }) });
    expect(inject.status).toBe(204);
    expect((await fetch(`${sims.autopilot.url}/lists`, { headers })).status).toBe(503);
    expect((await fetch(`${sims.autopilot.url}/list`, { method: 'POST', headers, body: JSON.stringify({ name: 'Over HTTP' }) })).status).toBe(200);

    const state = (await (await fetch(`${base}/__sim/state`)).json()) as { lists: Array<{ name: string; members: number }> };
    expect(state.lists).toEqual([expect.objectContaining({ name: 'Over HTTP', members: 0 })]);
    const audience = await (await fetch(`${base}/__sim/audiences/${encodeURIComponent('Over HTTP')}`)).json();
    expect(audience).toMatchObject({ name: 'Over HTTP', members: [] });
    const log = (await (await fetch(`${base}/__sim/requests`)).json()) as { requests: Array<{ path: string; status: number; fault?: string }> };
    expect(log.requests.map((r) => [r.path, r.status, r.fault])).toEqual([
      ['/v1/lists', 503, 'status'],
      ['/v1/list', 200, undefined],
    ]);

    expect((await fetch(`${base}/__sim/reset`, { method: 'POST' })).status).toBe(204);
    expect(sims.autopilot.audiences()).toEqual([]);
  });

  it('refuses a malformed fault with 400', async () => {
    const response = await fetch(`${sims.adroll.url}/__sim/faults`, { method: 'POST', body: JSON.stringify({ kind: 'explode' }) });
    expect(response.status).toBe(400);
  });
});

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { appSettings, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('falls back to the real service hosts and documented defaults', () => {
    const config = loadConfig({});
    expect(config.destinations.adroll.apiUrl).toBe('https://services.adroll.com');
    expect(config.destinations.microsoftAdvertising.apiUrl).toBe('https://campaign.api.bingads.microsoft.com');
    expect(config.destinations.autopilot.apiUrl).toBe('https://api2.autopilothq.com/v1');
    expect(config.containers).toEqual({ segments: 'segments', work: 'work', reports: 'reports', ledgers: 'ledgers' });
    expect(config.maxUploadsInFlight).toBe(8);
    expect(config.refreshSchedule).toBe('0 0 */6 * * *');
  });

  it('reads settings and treats blank values as unset', () => {
    const config = loadConfig({ MAX_UPLOADS_IN_FLIGHT: '3', AUTOPILOT_API_URL: 'http://127.0.0.1:7104/v1', KEY_VAULT_URL: '  ' });
    expect(config.maxUploadsInFlight).toBe(3);
    expect(config.destinations.autopilot.apiUrl).toBe('http://127.0.0.1:7104/v1');
    expect(config.keyVaultUrl).toBeUndefined();
  });

  it('rejects a malformed setting with its name', () => {
    expect(() => loadConfig({ MAX_UPLOADS_IN_FLIGHT: 'lots' })).toThrow(/maxUploadsInFlight/);
    expect(() => loadConfig({ ADROLL_API_URL: 'not a url' })).toThrow(/apiUrl/);
  });
});

describe('documentation', () => {
  it('lists every app setting in the README', () => {
    const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const missing = Object.keys(appSettings).filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});

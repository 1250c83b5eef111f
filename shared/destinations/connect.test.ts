import { describe, expect, it } from 'vitest';
import { memorySecretStore } from '../../dev/simulators/testing.js';
import { loadConfig } from '../config.js';
import { ValidationError } from '../errors.js';
import { connectionSecretName } from '../secrets/types.js';
import { connectDestination } from './connect.js';
import { DestinationError } from './types.js';

const endpoints = loadConfig({ ADROLL_CLIENT_ID: 'client', MSADS_CLIENT_ID: 'client', MSADS_DEVELOPER_TOKEN: 'dev' }).destinations;

describe('connectDestination', () => {
  it('fails with auth-failed when the connection has no stored credentials', async () => {
    const failure = await connectDestination({ secrets: memorySecretStore(), endpoints }, { id: 'c1', type: 'autopilot' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DestinationError);
    expect(failure).toMatchObject({ code: 'auth-failed', retryable: false, message: expect.stringContaining('c1 has no stored credentials') });
  });

  it('names the field when the stored credentials do not fit the destination', async () => {
    const secrets = memorySecretStore({ [connectionSecretName('c2')]: JSON.stringify({ refreshToken: 'a', personalAccessToken: 'b' }) });
    await expect(connectDestination({ secrets, endpoints }, { id: 'c2', type: 'adroll' })).rejects.toMatchObject({
      code: 'auth-failed',
      message: expect.stringContaining('refreshToken: give exactly one of refreshToken or personalAccessToken'),
    });
  });

  it('rejects settings that do not fit, naming each field under settings', async () => {
    const secrets = memorySecretStore({ [connectionSecretName('c3')]: JSON.stringify({ refreshToken: 'r' }) });
    const failure = await connectDestination({ secrets, endpoints }, { id: 'c3', type: 'microsoft-advertising' }, { customerId: 'abc' }).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ValidationError);
    expect((failure as ValidationError).issues.map((issue) => issue.field).sort()).toEqual(['settings.accountId', 'settings.customerId']);
  });

  it('builds a client from valid credentials and settings', async () => {
    const secrets = memorySecretStore({ [connectionSecretName('c4')]: JSON.stringify({ apiKey: 'k' }) });
    const client = await connectDestination({ secrets, endpoints }, { id: 'c4', type: 'autopilot' }, {});
    expect(typeof client.uploadBatch).toBe('function');
    expect(secrets.writes).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact.js';

describe('redactSecrets', () => {
  it.each([
    ['DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0a2V5;EndpointSuffix=core.windows.net', 'c2VjcmV0a2V5'],
    ['GET https://a.blob.core.windows.net/c/b?sv=2024&sig=abc%2Fdef 403', 'abc%2Fdef'],
    ['request failed: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig', 'eyJhbGciOiJIUzI1NiJ9'],
    ['body {"refreshToken":"rt-123456","name":"x"}', 'rt-123456'],
    ['grant_type=refresh_token&refresh_token=r-987&client_secret=s-654', 'r-987'],
  ])('removes the secret from %s', (line, secret) => {
    const redacted = redactSecrets(line);
    expect(redacted).not.toContain(secret);
    expect(redacted).toContain('***');
  });

  it('leaves ordinary text alone', () => {
    expect(redactSecrets('connection 42 has 3 exports')).toBe('connection 42 has 3 exports');
  });
});

import { describe, expect, it } from 'vitest';
import { RequestLog } from '../../../dev/simulators/common/request-log.js';
import { FaultInjector } from '../../../dev/simulators/common/faults.js';
import { makeProfiles } from '../../../dev/simulators/testing.js';
import { DestinationError, type ProfileRecord } from '../types.js';
import { sendIsolatingRejections } from './isolate-rejections.js';
import { TokenCache, readTokenResponse } from './oauth.js';
import { parseRetryAfter } from './retry-after.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads delay-seconds and HTTP-dates, and ignores what it cannot read', () => {
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
  });
});

describe('TokenCache', () => {
  const grant = (n: number, refreshToken = `r${n}`) => ({ accessToken: `a${n}`, expiresAt: Date.now() + 3_600_000, refreshToken });

  it('refreshes once for many concurrent callers and reuses the token afterwards', async () => {
    const cache = new TokenCache();
    const used: string[] = [];
    const refresh = async (token: string) => {
      used.push(token);
      await new Promise((resolve) => setImmediate(resolve));
      return grant(1, 'r1');
    };
    const tokens = await Promise.all(Array.from({ length: 5 }, () => cache.accessToken('k', 'r0', refresh)));
    expect(tokens).toEqual(['a1', 'a1', 'a1', 'a1', 'a1']);
    // Callers holding the old (now rotated) refresh token still get the cached grant.
    expect(await cache.accessToken('k', 'r0', refresh)).toBe('a1');
    expect(used).toEqual(['r0']);
  });

  it('refreshes with the rotated token after a 401, and from scratch when the credentials were replaced', async () => {
    const cache = new TokenCache();
    const used: string[] = [];
    let n = 0;
    const refresh = async (token: string) => {
      used.push(token);
      n++;
      return grant(n, `r${n}`);
    };
    expect(await cache.accessToken('k', 'r0', refresh)).toBe('a1');
    cache.invalidate('k', 'a1');
    expect(await cache.accessToken('k', 'r0', refresh)).toBe('a2');
    expect(await cache.accessToken('k', 'someone-else', refresh)).toBe('a3');
    expect(used).toEqual(['r0', 'r1', 'someone-else']);
  });

  it('reads token responses, keeping the old refresh token when none is returned', () => {
    expect(readTokenResponse({ access_token: 'x', expires_in: 60 }, 'old', 'S')).toMatchObject({ accessToken: 'x', refreshToken: 'old' });
    expect(() => readTokenResponse({}, 'old', 'S')).toThrow(DestinationError);
  });
});

describe('sendIsolatingRejections', () => {
  const refusing = (bad: Set<number>, sent: ProfileRecord[][]) => async (batch: ProfileRecord[]) => {
    sent.push(batch);
    if (batch.some((record) => bad.has(record.row))) throw new DestinationError('invalid-request', 'bad record', false, 400);
  };

  it('delivers everything but the records at fault and reports those by row', async () => {
    const sent: ProfileRecord[][] = [];
    const result = await sendIsolatingRejections(makeProfiles(16), refusing(new Set([5, 11]), sent));
    expect(result.accepted).toBe(14);
    expect(result.rejected.map((r) => r.row)).toEqual([5, 11]);
    const delivered = sent.filter((batch) => !batch.some((r) => r.row === 5 || r.row === 11)).flat();
    expect(delivered.map((r) => r.row).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16]);
  });

  it('raises the error when every record is refused (not a record problem)', async () => {
    await expect(sendIsolatingRejections(makeProfiles(4), refusing(new Set([1, 2, 3, 4]), []))).rejects.toMatchObject({ code: 'invalid-request' });
  });

  it('does not split on errors other than invalid-request', async () => {
    const send = async () => {
      throw new DestinationError('transient', 'down');
    };
    await expect(sendIsolatingRejections(makeProfiles(4), send)).rejects.toMatchObject({ code: 'transient' });
  });
});

describe('simulator request log and faults', () => {
  it('counts the most requests in any window', () => {
    const log = new RequestLog();
    const at = [0, 10, 20, 30, 1_000, 2_500];
    for (const time of at) log.begin('GET', '/x').at = time;
    expect(log.maxInWindow(1_000)).toBe(5);
    expect(log.maxInWindow(100)).toBe(4);
  });

  it('applies faults in order, each to the paths it names', () => {
    const faults = new FaultInjector();
    faults.inject({ kind: 'status', status: 500, count: 2, path: '/contacts' });
    faults.inject({ kind: 'drop' });
    expect(faults.take('/v1/lists')?.kind).toBe('drop');
    expect(faults.take('/v1/lists')).toBeUndefined();
    expect(faults.take('/v1/contacts')).toMatchObject({ kind: 'status', status: 500 });
    expect(faults.pending()).toBe(1);
  });
});

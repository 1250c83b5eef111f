import { describe, expect, it } from 'vitest';
import { FaultInjector, faultSpec, type Fault } from './faults.js';

/** What a fault answers, in short: its status, or its kind. */
const answer = (fault: Fault | undefined) => (fault?.kind === 'status' ? fault.status : fault?.kind);

/** A clock the test moves by hand. */
function clock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('FaultInjector', () => {
  it('answers a counted fault as many times as asked, then lets requests through', () => {
    const faults = new FaultInjector();
    faults.inject({ kind: 'status', status: 503, count: 2 });
    expect([faults.take('/a'), faults.take('/a'), faults.take('/a')].map((f) => f?.kind)).toEqual(['status', 'status', undefined]);
    expect(faults.pending()).toBe(0);
  });

  it('answers every matching request of a window until it is over, counted from its first answer', () => {
    const time = clock();
    const faults = new FaultInjector(time.now);
    faults.inject({ kind: 'status', status: 429, retryAfterSeconds: 1, forMs: 500 });
    // No request yet: the window has not started, however long that takes.
    time.advance(10_000);
    expect(faults.pending()).toBe(1);
    expect(faults.take('/a')).toMatchObject({ status: 429, retryAfterSeconds: 1 });
    for (let k = 0; k < 50; k++) expect(answer(faults.take('/b'))).toBe(429);
    time.advance(499);
    expect(answer(faults.take('/a'))).toBe(429);
    time.advance(1);
    expect(faults.take('/a')).toBeUndefined();
    expect(faults.pending()).toBe(0);
  });

  it('lets the next fault answer when a window ends, in injection order', () => {
    const time = clock();
    const faults = new FaultInjector(time.now);
    faults.inject({ kind: 'status', status: 500, forMs: 1_000 });
    faults.inject({ kind: 'status', status: 429, forMs: 1_000 });
    faults.inject({ kind: 'drop' });
    const seen: (number | string | undefined)[] = [];
    for (let k = 0; k < 5; k++) {
      seen.push(answer(faults.take('/x')));
      time.advance(600);
    }
    expect(seen).toEqual([500, 500, 429, 429, 'drop']);
    expect(faults.take('/x')).toBeUndefined();
  });

  it('keeps a window for its path: other paths pass, and its clock waits for a matching request', () => {
    const time = clock();
    const faults = new FaultInjector(time.now);
    faults.inject({ kind: 'slow', delayMs: 10, forMs: 100, path: '/upload' });
    expect(faults.take('/audiences')).toBeUndefined();
    time.advance(1_000);
    expect(faults.take('/v1/upload/1')?.kind).toBe('slow');
    time.advance(100);
    expect(faults.take('/v1/upload/2')).toBeUndefined();
  });

  it('refuses a fault with both count and forMs, or a window that is not a positive number of ms', () => {
    expect(faultSpec.safeParse({ kind: 'drop', count: 2, forMs: 1_000 }).success).toBe(false);
    expect(faultSpec.safeParse({ kind: 'drop', forMs: 0 }).success).toBe(false);
    expect(faultSpec.safeParse({ kind: 'drop', forMs: 1.5 }).success).toBe(false);
    expect(() => new FaultInjector().inject({ kind: 'status', count: 1, forMs: 10 })).toThrow(/count or forMs/);
  });

  it('forgets windows on clear', () => {
    const faults = new FaultInjector();
    faults.inject({ kind: 'status', forMs: 60_000 });
    expect(faults.take('/a')?.kind).toBe('status');
    faults.clear();
    expect(faults.take('/a')).toBeUndefined();
    expect(faults.pending()).toBe(0);
  });
});

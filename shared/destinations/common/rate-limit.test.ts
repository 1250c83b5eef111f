import { describe, expect, it } from 'vitest';
import { slidingWindowLimiter } from './rate-limit.js';

async function startTimes(requestsPerSecond: number, requests: number): Promise<number[]> {
  const limiter = slidingWindowLimiter(requestsPerSecond);
  const origin = performance.now();
  const starts: number[] = [];
  await Promise.all(Array.from({ length: requests }, () => limiter.take().then(() => starts.push(performance.now() - origin))));
  return starts;
}

/** The most starts within any window of `windowMs`. */
function mostInWindow(starts: number[], windowMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; j < starts.length; j++) {
    while (starts[j]! - starts[i]! >= windowMs) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

describe('slidingWindowLimiter', () => {
  it('lets a second’s worth leave at once, then the next second’s worth a second later', async () => {
    const starts = await startTimes(5, 12);

    expect(starts.slice(0, 5).every((at) => at < 100)).toBe(true);
    expect(starts[5]).toBeGreaterThanOrEqual(1_000);
    expect(starts[10]).toBeGreaterThanOrEqual(2_000);
    expect(mostInWindow(starts, 1_000)).toBe(5);
    // In order: the queue is first come, first served.
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
  });

  it('keeps a fractional rate: 2.5 a second is 2 every 0.8 s', async () => {
    const starts = await startTimes(2.5, 4);

    expect(starts.slice(0, 2).every((at) => at < 100)).toBe(true);
    expect(starts[2]).toBeGreaterThanOrEqual(800);
    expect(mostInWindow(starts, 800)).toBe(2);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => slidingWindowLimiter(0)).toThrow(RangeError);
  });
});

import { setTimeout as sleep } from 'node:timers/promises';

/** Waits until one more request may leave. */
export interface RequestLimiter {
  take(): Promise<void>;
}

/**
 * One limiter per connection and service for the whole process, so that parallel upload
 * activities of one run (and of several runs on one connection) share the service's rate
 * instead of each claiming all of it.
 */
const limiters = new Map<string, { requestsPerSecond: number; limiter: RequestLimiter }>();

export function sharedLimiter(key: string, requestsPerSecond: number): RequestLimiter {
  const existing = limiters.get(key);
  if (existing && existing.requestsPerSecond === requestsPerSecond) return existing.limiter;
  const limiter = slidingWindowLimiter(requestsPerSecond);
  limiters.set(key, { requestsPerSecond, limiter });
  return limiter;
}

/**
 * Lets a request leave when fewer than `rate` left in the last second (plus a margin): the
 * published "5 requests per second" read literally, over any window. A small change set
 * (ten batches of a daily refresh) leaves as two bursts a second apart, not spaced a fifth
 * of a second each: 1 s instead of 1.8 s. The services' token buckets hold a second's worth
 * of requests, so a burst of `rate` fits them; the margin keeps jitter on the way from
 * bunching two windows' requests into one on arrival. Waiters are served first come,
 * first served.
 */
export function slidingWindowLimiter(requestsPerSecond: number, marginMs = 50): RequestLimiter {
  if (!(requestsPerSecond > 0)) throw new RangeError(`requestsPerSecond must be positive, got ${requestsPerSecond}`);
  // A fractional rate in whole requests: 2.5 a second is 2 every 0.8 s, 0.5 a second 1 every 2 s.
  const perWindow = Math.max(1, Math.floor(requestsPerSecond));
  const windowMs = (perWindow / requestsPerSecond) * 1000 + marginMs;
  // The start times of the last `perWindow` requests, oldest at `next`.
  const starts = new Array<number>(perWindow).fill(Number.NEGATIVE_INFINITY);
  let next = 0;
  let queue: Promise<void> = Promise.resolve();
  const turn = async () => {
    const wait = starts[next]! + windowMs - performance.now();
    if (wait > 0) await sleep(wait);
    starts[next] = performance.now();
    next = (next + 1) % perWindow;
  };
  return {
    take() {
      queue = queue.then(turn);
      return queue;
    },
  };
}

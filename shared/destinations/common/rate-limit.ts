import { TokenBucket } from 'limiter';

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
  const limiter = tokenBucketLimiter(requestsPerSecond);
  limiters.set(key, { requestsPerSecond, limiter });
  return limiter;
}

/**
 * A bucket of one token refilled every 1/rate seconds: requests leave evenly spaced, never
 * in bursts. The services' own buckets allow bursts, so an evenly spaced client stays under
 * them even when network jitter bunches a few requests together on arrival. Waiters are
 * served first come, first served (the library queues them).
 */
export function tokenBucketLimiter(requestsPerSecond: number): RequestLimiter {
  if (!(requestsPerSecond > 0)) throw new RangeError(`requestsPerSecond must be positive, got ${requestsPerSecond}`);
  const bucket = new TokenBucket({ bucketSize: 1, tokensPerInterval: 1, interval: 1000 / requestsPerSecond });
  bucket.content = 1;
  return {
    async take() {
      await bucket.removeTokens(1);
    },
  };
}

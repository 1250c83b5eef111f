import { TokenBucket } from 'limiter';

export interface RateLimitSpec {
  requestsPerSecond: number;
  /** Requests the service takes at once after a quiet spell. */
  burst: number;
}

/** The service side of a rate limit: a token bucket that says how long to wait when empty. */
export class ServiceRateLimit {
  private readonly bucket: TokenBucket;

  constructor(readonly spec: RateLimitSpec) {
    this.bucket = new TokenBucket({ bucketSize: spec.burst, tokensPerInterval: spec.requestsPerSecond, interval: 1000 });
    this.bucket.content = spec.burst;
  }

  /** Admits the request, or returns the seconds to wait (for `Retry-After`, at least 1). */
  admit(): { ok: true } | { ok: false; retryAfterSeconds: number } {
    if (this.bucket.tryRemoveTokens(1)) return { ok: true };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(this.bucket.getWaitTime(1) / 1000)) };
  }
}

import { z } from 'zod';

/** How many matching requests a fault answers, or for how long, and which paths it matches. */
const reach = {
  /** Answer this many matching requests (1 when neither `count` nor `forMs` is given). */
  count: z.number().int().min(1).optional(),
  /**
   * Answer every matching request for this long instead, a service that stays down or
   * throttled for a while. The clock starts at the first request the fault answers, so
   * faults queued one after another follow one another, as counted ones do.
   */
  forMs: z.number().int().min(1).max(3_600_000).optional(),
  path: z.string().optional(),
};

/**
 * A fault to inject into the next `count` matching requests, or every one for `forMs`:
 * - `status`: answer 500 (or 429, 503...) without processing the request;
 * - `slow`: process the request, then hold the answer `delayMs` (a client that timed out
 *   retries a request that already took effect, as with a real slow service);
 * - `drop`: close the connection without an answer, before processing.
 */
export const faultSpec = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('status'),
      status: z.number().int().min(400).max(599).default(500),
      retryAfterSeconds: z.number().int().min(0).optional(),
      ...reach,
    }),
    z.object({
      kind: z.literal('slow'),
      delayMs: z.number().int().min(1).max(600_000),
      ...reach,
    }),
    z.object({
      kind: z.literal('drop'),
      ...reach,
    }),
  ])
  .refine((fault) => fault.count === undefined || fault.forMs === undefined, {
    message: 'a fault takes count or forMs, not both',
    path: ['forMs'],
  });
export type FaultSpec = z.input<typeof faultSpec>;
export type Fault = z.output<typeof faultSpec>;

interface Queued {
  fault: Fault;
  /** Requests still to answer (counted faults). */
  remaining: number;
  /** When a window fault stops answering, once it has answered its first request. */
  until?: number;
}

export class FaultInjector {
  private queue: Queued[] = [];

  /** `now` is the clock windows are measured on (a test's own, or the wall clock). */
  constructor(private readonly now: () => number = Date.now) {}

  /** Queues a fault; faults apply in the order they were injected. */
  inject(spec: FaultSpec): void {
    const fault = faultSpec.parse(spec);
    this.queue.push({ fault, remaining: fault.count ?? 1 });
  }

  /** The fault for this request, if one is pending for its path (`path` matches as a substring). */
  take(path: string): Fault | undefined {
    this.dropExpired();
    const item = this.queue.find((candidate) => !candidate.fault.path || path.includes(candidate.fault.path));
    if (!item) return undefined;
    if (item.fault.forMs !== undefined) {
      item.until ??= this.now() + item.fault.forMs;
      return item.fault;
    }
    item.remaining--;
    if (item.remaining <= 0) this.queue = this.queue.filter((candidate) => candidate !== item);
    return item.fault;
  }

  /** Answers still to give: a counted fault's remaining requests, and 1 for each window not yet over. */
  pending(): number {
    this.dropExpired();
    return this.queue.reduce((sum, item) => sum + (item.fault.forMs !== undefined ? 1 : item.remaining), 0);
  }

  clear(): void {
    this.queue = [];
  }

  private dropExpired(): void {
    const now = this.now();
    this.queue = this.queue.filter((item) => item.until === undefined || now < item.until);
  }
}

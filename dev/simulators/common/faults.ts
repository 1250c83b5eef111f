import { z } from 'zod';

/**
 * A fault to inject into the next `count` matching requests:
 * - `status`: answer 500 (or 429, 503...) without processing the request;
 * - `slow`: process the request, then hold the answer `delayMs` (a client that timed out
 *   retries a request that already took effect, as with a real slow service);
 * - `drop`: close the connection without an answer, before processing.
 */
export const faultSpec = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('status'),
    status: z.number().int().min(400).max(599).default(500),
    retryAfterSeconds: z.number().int().min(0).optional(),
    count: z.number().int().min(1).default(1),
    path: z.string().optional(),
  }),
  z.object({
    kind: z.literal('slow'),
    delayMs: z.number().int().min(1).max(600_000),
    count: z.number().int().min(1).default(1),
    path: z.string().optional(),
  }),
  z.object({
    kind: z.literal('drop'),
    count: z.number().int().min(1).default(1),
    path: z.string().optional(),
  }),
]);
export type FaultSpec = z.input<typeof faultSpec>;
export type Fault = z.output<typeof faultSpec>;

export class FaultInjector {
  private queue: Array<{ fault: Fault; remaining: number }> = [];

  /** Queues a fault; faults apply in the order they were injected. */
  inject(spec: FaultSpec): void {
    const fault = faultSpec.parse(spec);
    this.queue.push({ fault, remaining: fault.count });
  }

  /** The fault for this request, if one is pending for its path (`path` matches as a substring). */
  take(path: string): Fault | undefined {
    const item = this.queue.find((candidate) => !candidate.fault.path || path.includes(candidate.fault.path));
    if (!item) return undefined;
    item.remaining--;
    if (item.remaining <= 0) this.queue = this.queue.filter((candidate) => candidate !== item);
    return item.fault;
  }

  pending(): number {
    return this.queue.reduce((sum, item) => sum + item.remaining, 0);
  }

  clear(): void {
    this.queue = [];
  }
}

/** One request as a simulator saw it: enough for tests to assert batch sizes and rates. */
export interface LoggedRequest {
  seq: number;
  /** Epoch milliseconds (fractional) when the request arrived. */
  at: number;
  method: string;
  path: string;
  status: number;
  /** Records the request carried (contacts, hashes, emails), when it carries any. */
  batchSize?: number;
  /** The injected fault that answered it, if any. */
  fault?: 'status' | 'slow' | 'drop';
  /** Refused by the simulator's own rate limit or quota. */
  rateLimited?: boolean;
}

export type RequestFilter = (request: LoggedRequest) => boolean;

export class RequestLog {
  private readonly entries: LoggedRequest[] = [];
  private seq = 0;

  begin(method: string, path: string): LoggedRequest {
    const entry: LoggedRequest = { seq: ++this.seq, at: performance.timeOrigin + performance.now(), method, path, status: 0 };
    this.entries.push(entry);
    return entry;
  }

  all(filter: RequestFilter = () => true): LoggedRequest[] {
    return this.entries.filter(filter);
  }

  clear(): void {
    this.entries.length = 0;
  }

  /** The largest batch any request carried. */
  maxBatchSize(filter: RequestFilter = () => true): number {
    return this.all(filter).reduce((max, entry) => Math.max(max, entry.batchSize ?? 0), 0);
  }

  /** The most requests that arrived within any window of `windowMs` (sliding, both ends included). */
  maxInWindow(windowMs: number, filter: RequestFilter = () => true): number {
    const times = this.all(filter)
      .map((entry) => entry.at)
      .sort((a, b) => a - b);
    let max = 0;
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while (times[end]! - times[start]! > windowMs) start++;
      max = Math.max(max, end - start + 1);
    }
    return max;
  }
}

/** Requests the service processed (not refused by a fault, the rate limit or auth). */
export const processed: RequestFilter = (request) => request.status >= 200 && request.status < 300 && request.fault !== 'status';

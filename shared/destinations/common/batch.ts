import { DestinationError } from '../types.js';

/** The caller promises at most `limit` records per call; a bigger batch is a bug upstream, not a service error. */
export function assertBatchSize(service: string, size: number, limit: number): void {
  if (size > limit) {
    throw new DestinationError('invalid-request', `${service} takes at most ${limit} records per request; got ${size}`, false);
  }
}

/** Cache keys and limiter keys: one per connection and service endpoint, never containing secrets. */
export function connectionKey(service: string, baseUrl: string, connectionId: string): string {
  return `${service}|${baseUrl}|${connectionId}`;
}

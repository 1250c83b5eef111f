import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deliveriesOf, deliveryParts, encodeDelivery, readDeliveryLog, type Delivery } from './files.js';

const sha = (name: string) => createHash('sha256').update(name).digest('hex');

/** The logs written, then read back together as the commit reads them. */
function roundTrip(...logs: Delivery[]) {
  const parts = deliveryParts();
  for (const log of logs) readDeliveryLog(encodeDelivery(log), parts);
  const read = deliveriesOf(parts);
  return { added: read.added.toArray(), removed: read.removed.toArray(), replaced: read.replaced };
}

describe('delivery logs', () => {
  it('stores SHA-256 ids as their bytes and reads them back sorted, once each', () => {
    const ids = ['b', 'a', 'c', 'a'].map(sha);
    const log = encodeDelivery({ added: ids, removed: [sha('gone')], replaced: true });
    expect(log.length).toBeLessThan(80 + 5 * 32);
    expect(roundTrip({ added: ids, removed: [sha('gone')], replaced: true })).toEqual({ added: [...new Set(ids)].sort(), removed: [sha('gone')], replaced: true });
  });

  it('keeps emails as text', () => {
    expect(roundTrip({ added: ['b@x.io', 'a@x.io'], removed: ['c@x.io'] })).toEqual({ added: ['a@x.io', 'b@x.io'], removed: ['c@x.io'], replaced: false });
  });

  it('keeps ids that only look like digests as they are (upper-case hex, or hex of other lengths)', () => {
    const upper = sha('a').toUpperCase();
    const odd = ['a'.repeat(63), 'a'.repeat(65)];
    expect(roundTrip({ added: [upper], removed: [] }).added).toEqual([upper]);
    expect(roundTrip({ added: odd, removed: [] }).added).toEqual(odd);
  });

  it('reads packed and text logs of one segment together', () => {
    const result = roundTrip({ added: [sha('a')], removed: [] }, { added: [sha('b')], removed: [], replaced: true }, { added: [], removed: [], replaced: false });
    expect(result).toEqual({ added: [sha('a'), sha('b')].sort(), removed: [], replaced: true });
  });
});

/**
 * A set of 64-bit fingerprints of strings in flat typed arrays, for de-duplicating
 * millions of emails without keeping the strings: 8 bytes a slot at load <= 0.5, so two
 * million distinct addresses cost about 32 MB instead of the ~200 MB a Set<string> takes.
 * Two different addresses share a fingerprint with probability ~ n^2 / 2^65 (about 1e-7 at
 * two million), which would report one of them as a duplicate, never drop it silently.
 */
export class FingerprintSet {
  // 256 shards by the fingerprint's top byte, each its own open-addressing table. A table
  // grows by rehashing into one twice its size; with one table that moment held the old and
  // the new table together (1.5x the set at its largest), with shards it is 1/256 of that.
  private readonly shards: Shard[];
  private count = 0;

  constructor(initialCapacity = 1 << 16) {
    const perShard = 1 << Math.ceil(Math.log2(Math.max(16, initialCapacity / SHARDS)));
    this.shards = Array.from({ length: SHARDS }, () => new Shard(perShard));
  }

  get size(): number {
    return this.count;
  }

  /** Adds the value; returns false when it (probably) was there already. */
  add(value: string): boolean {
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    // Final avalanche so that similar addresses spread over the table.
    h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b);
    h1 = Math.imul(h1 ^ (h1 >>> 13), 0xc2b2ae35) ^ (h1 >>> 16);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 0x7feb352d);
    h2 = Math.imul(h2 ^ (h2 >>> 15), 0x846ca68b) ^ (h2 >>> 16);
    const hi = h1 >>> 0;
    const added = this.shards[hi >>> 24]!.insert(hi, (h2 >>> 0) || 1);
    if (added) this.count++;
    return added;
  }
}

const SHARDS = 256;

/** One open-addressing table (linear probing, load <= 0.5); `lo = 0` marks an empty slot. */
class Shard {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private count = 0;

  constructor(capacity: number) {
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
  }

  // A zero low word is bumped to 1 by the caller, since 0 marks an empty slot.
  insert(hi: number, lo: number): boolean {
    if ((this.count + 1) * 2 > this.hi.length) this.grow();
    const mask = this.hi.length - 1;
    let slot = hi & mask;
    for (;;) {
      if (this.lo[slot] === 0) {
        this.hi[slot] = hi;
        this.lo[slot] = lo;
        this.count++;
        return true;
      }
      if (this.hi[slot] === hi && this.lo[slot] === lo) return false;
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const oldHi = this.hi;
    const oldLo = this.lo;
    this.hi = new Uint32Array(oldHi.length * 2);
    this.lo = new Uint32Array(oldLo.length * 2);
    this.count = 0;
    for (let i = 0; i < oldLo.length; i++) {
      if (oldLo[i] !== 0) this.insert(oldHi[i]!, oldLo[i]!);
    }
  }
}

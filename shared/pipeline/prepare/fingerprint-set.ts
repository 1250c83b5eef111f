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
    // Two UTF-16 units a step (this runs once a row, and was a tenth of the preparation):
    // each step is a bijection of the state for a given input, so strings that differ in
    // one step differ at the end; the rotations and the final avalanche spread the bits.
    const length = value.length;
    let i = 0;
    for (; i + 1 < length; i += 2) {
      const c = value.charCodeAt(i) | (value.charCodeAt(i + 1) << 16);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h1 = (h1 << 13) | (h1 >>> 19);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    if (i < length) {
      const c = value.charCodeAt(i) | 0x10000; // the odd last unit, marked apart from a pair
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    h1 ^= length;
    h2 ^= length;
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

/**
 * One open-addressing table (linear probing, load <= 0.5); `lo = 0` marks an empty slot.
 * A slot's two words sit side by side in one array, so a probe touches one cache line, not
 * two (the set is larger than the caches, and every insert is a random access).
 */
class Shard {
  private words: Uint32Array;
  private slots: number;
  private count = 0;

  constructor(capacity: number) {
    this.slots = capacity;
    this.words = new Uint32Array(capacity * 2);
  }

  // A zero low word is bumped to 1 by the caller, since 0 marks an empty slot.
  insert(hi: number, lo: number): boolean {
    if ((this.count + 1) * 2 > this.slots) this.grow();
    const words = this.words;
    const mask = this.slots - 1;
    let slot = hi & mask;
    for (;;) {
      const at = slot * 2;
      if (words[at + 1] === 0) {
        words[at] = hi;
        words[at + 1] = lo;
        this.count++;
        return true;
      }
      if (words[at] === hi && words[at + 1] === lo) return false;
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.words;
    this.slots *= 2;
    this.words = new Uint32Array(this.slots * 2);
    this.count = 0;
    for (let at = 0; at < old.length; at += 2) {
      if (old[at + 1] !== 0) this.insert(old[at]!, old[at + 1]!);
    }
  }
}

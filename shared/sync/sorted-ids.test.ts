import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { packedBytes, sortedDigests, sortedIds, sortingDigests } from './sorted-ids.js';

const sha = (n: number) => createHash('sha256').update(`member-${n}`).digest('hex');

describe('sortedIds', () => {
  it('keeps SHA-256 digests packed, sorted as their hex is and without repeats', () => {
    const digests = Array.from({ length: 5_000 }, (_, n) => sha(n));
    // Digests that share their leading 32 bits, where the numeric sort alone cannot order them.
    const sameLead = ['deadbeef' + 'f'.repeat(56), 'deadbeef' + '0'.repeat(56), 'deadbeef' + 'a'.repeat(56)];
    const ids = sortedIds([...digests, ...sameLead, ...digests.slice(0, 100)]);

    expect(packedBytes(ids)).toHaveLength((5_000 + 3) * 32);
    expect(ids.toArray()).toEqual([...new Set([...digests, ...sameLead])].sort());
  });

  it('finds each digest by its hex and nothing else', () => {
    const digests = Array.from({ length: 2_000 }, (_, n) => sha(n));
    const ids = sortedIds(digests);

    for (const digest of digests) expect(ids.at(ids.indexOf(digest))).toBe(digest);
    expect(ids.indexOf(sha(2_001))).toBe(-1);
    expect(ids.indexOf('not a digest')).toBe(-1);
    expect(ids.indexOf(digests[0]!.toUpperCase())).toBe(-1);
    // Byte 0x0f is "0f": a "1" and a stray character must not read as 16 - 1.
    const stored = sortedIds([...digests, 'deadbeef' + '0f'.repeat(28)]);
    expect(stored.indexOf('deadbeef' + '0f'.repeat(28))).toBeGreaterThanOrEqual(0);
    expect(stored.indexOf('deadbeef1@' + '0f'.repeat(27))).toBe(-1);
    expect(ids.indexOf(`${digests[1]!.slice(0, 63)}g`)).toBe(-1);
  });

  it('merges and removes digests in order', () => {
    const ids = sortedIds([sha(1), sha(2), sha(3)]);
    const changed = ids.with([sha(4), sha(2)]).without(new Set([sha(1)]));

    expect(changed.toArray()).toEqual([sha(2), sha(3), sha(4)].sort());
    expect(ids.toArray()).toEqual([sha(1), sha(2), sha(3)].sort());
    expect(sortedDigests(packedBytes(changed)!).toArray()).toEqual(changed.toArray());
  });

  it('keeps other ids as sorted strings; adding a non-digest to digests gives strings', () => {
    const emails = sortedIds(['b@example.com', 'a@example.com', 'b@example.com']);
    expect(emails.toArray()).toEqual(['a@example.com', 'b@example.com']);
    expect(packedBytes(emails)).toBeUndefined();
    expect(emails.has('a@example.com')).toBe(true);

    const mixed = sortedIds([sha(1)]).with(['z@example.com']);
    expect(mixed.toArray()).toEqual([sha(1), 'z@example.com'].sort());
    expect(packedBytes(mixed)).toBeUndefined();
  });

  it('filters by position', () => {
    const ids = sortedIds([sha(1), sha(2), sha(3), sha(4)]);
    expect(ids.filterPositions((at) => at % 2 === 0).toArray()).toEqual([ids.at(0), ids.at(2)]);
  });

  it('sorts packed digests in any order, repeats once, wherever in memory they sit', () => {
    const digests = [5, 3, 9, 3, 1, 5].map((n) => Buffer.from(sha(n), 'hex'));
    // One byte into a larger buffer: not aligned to the 4 bytes the words are moved in.
    const backing = Buffer.alloc(1 + digests.length * 32);
    Buffer.concat(digests).copy(backing, 1);
    for (const packed of [Buffer.concat(digests), backing.subarray(1)]) {
      expect(sortingDigests(packed).toArray()).toEqual([1, 3, 5, 9].map(sha).sort());
    }
    expect(sortingDigests(Buffer.alloc(0)).length).toBe(0);
  });
});

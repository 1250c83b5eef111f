import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EntryLines } from './entry-lines.js';
import { entryParts, packedBytes, sortedDigests, sortedEntries, sortedIds, sortingDigests, storedLines } from './sorted-ids.js';

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

describe('sortedIds of ledger entries', () => {
  const entry = (n: number) => `email=${sha(n)}&phone=${sha(n + 1_000_000)}`;
  const entries = (...ns: number[]) => sortedIds(ns.map(entry));
  const texts = (ids: Iterable<string>) => [...ids].sort();

  it('keys entries by the SHA-256 of their text, packed, with the texts beside them in the same order', () => {
    const ids = entries(3, 1, 2, 1);
    const parts = entryParts(ids)!;
    expect(parts.packed).toHaveLength(3 * 32);
    expect(parts.lines.length).toBe(3);
    for (let at = 0; at < 3; at++) expect(parts.packed.toString('hex', at * 32, at * 32 + 32)).toBe(createHash('sha256').update(ids.at(at)).digest('hex'));
    expect(texts(ids)).toEqual(texts([1, 2, 3].map(entry)));
    expect(ids.indexOf(entry(4))).toBe(-1);
    expect(ids.at(ids.indexOf(entry(2)))).toBe(entry(2));
    // Stored and read back: the same set.
    const stored = sortedEntries(parts.packed, EntryLines.parse(Buffer.from(parts.lines.bytes)));
    expect(stored.toArray()).toEqual(ids.toArray());
  });

  it('merges, removes and compares entries without changing their texts', () => {
    const a = entries(1, 2, 3, 4);
    const b = entries(3, 4, 5);
    expect(texts(a.union(b))).toEqual(texts([1, 2, 3, 4, 5].map(entry)));
    expect(texts(a.minus(b))).toEqual(texts([1, 2].map(entry)));
    expect(texts(a.with([entry(9), entry(1)]).without(new Set([entry(2)])))).toEqual(texts([1, 3, 4, 9].map(entry)));
    expect(texts(a.filterPositions((at) => a.at(at) !== entry(3)))).toEqual(texts([1, 2, 4].map(entry)));
    // A text that is no entry joins as a string: nothing is lost.
    expect(texts(a.with(['plain@example.com']))).toEqual(texts([...[1, 2, 3, 4].map(entry), 'plain@example.com']));
  });

  it('reads entries stored one a line (the old format) as entries, emails as strings', () => {
    expect(entryParts(storedLines([entry(2), entry(1)]))).toBeDefined();
    expect(texts(storedLines([entry(2), entry(1)]))).toEqual(texts([entry(1), entry(2)]));
    expect(entryParts(storedLines(['a@example.com', 'b@example.com']))).toBeUndefined();
  });
});

describe('EntryLines', () => {
  it('splits, filters and merges lines of any length and script', () => {
    const lines = EntryLines.parse(Buffer.from('a=1\nfirstName=J%C3%BCrgen\nlastName=Ünal\n'));
    expect([0, 1, 2].map((k) => lines.at(k))).toEqual(['a=1', 'firstName=J%C3%BCrgen', 'lastName=Ünal']);
    const odd = lines.filter((k) => k !== 1);
    expect([odd.at(0), odd.at(1)]).toEqual(['a=1', 'lastName=Ünal']);
    const merged = EntryLines.merge(odd, EntryLines.parse(Buffer.from('b=2\n')), Uint8Array.from([1, 0, 1]));
    expect([0, 1, 2].map((k) => merged.at(k))).toEqual(['a=1', 'b=2', 'lastName=Ünal']);
    expect(merged.bytes.toString()).toBe('a=1\nb=2\nlastName=Ünal\n');
    expect(EntryLines.parse(Buffer.alloc(0)).length).toBe(0);
    const picked = EntryLines.of(['a=1', 'lastName=Ünal', 'b=2'], [1, 2]);
    expect([picked.at(0), picked.at(1)]).toEqual(['lastName=Ünal', 'b=2']);
    expect(picked.bytes.toString()).toBe('lastName=Ünal\nb=2\n');
  });
});

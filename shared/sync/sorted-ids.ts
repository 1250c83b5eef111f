import { hash } from 'node:crypto';
import { identifierNames } from '../destinations/types.js';
import { EntryLines } from './entry-lines.js';

/**
 * A sorted set of member ids: a ledger's members or its owed removals. Half a million of
 * them are read, looked up and rewritten on every refresh, so the representation matters:
 *
 * - SHA-256 digests (Customer Match) stay packed, 32 bytes each, in one buffer, exactly as
 *   the ledger stores them: reading a ledger creates no strings, a lookup probes a typed
 *   hash table, and the garbage collector never sees the ids. Half a million strings and a
 *   Map of them took a second of a refresh and raised its peak RSS by about 60 MB.
 * - Ledger entries of destinations that match on more than an email (`email=<hash>&phone=
 *   <hash>`, every identifier as sent) are keyed by the SHA-256 of their text, packed the
 *   same way and ordered by it, with the texts beside them in that order as one buffer of
 *   lines (`entry-lines.ts`): a lookup hashes the entry and probes the digests; the text is
 *   read only for what is removed. As strings, half a million of them took ten seconds of
 *   CPU to commit (sets, sorts, a Map) where the digests take one.
 * - Anything else (normalized emails) is a sorted array of strings, with a Map built on the
 *   first lookup.
 */
export abstract class SortedIds implements Iterable<string> {
  abstract readonly length: number;
  /** The id's position in the order, or -1. */
  abstract indexOf(id: string): number;
  abstract at(position: number): string;
  /** These ids but the given ones: each looked up, the rest kept in order (packed ids stay packed). */
  without(ids: ReadonlySet<string>): SortedIds {
    const drop = new Set<number>();
    for (const id of ids) {
      const at = this.indexOf(id);
      if (at >= 0) drop.add(at);
    }
    return drop.size === 0 ? this : this.filterPositions((at) => !drop.has(at));
  }
  /** These ids and the given ones (in any order, repeats allowed). */
  abstract with(ids: Iterable<string>): SortedIds;

  has(id: string): boolean {
    return this.indexOf(id) >= 0;
  }

  *[Symbol.iterator](): Iterator<string> {
    for (let at = 0; at < this.length; at++) yield this.at(at);
  }

  toArray(): string[] {
    return Array.from(this);
  }

  /** The ids at the positions `keep` says yes to. */
  abstract filterPositions(keep: (position: number) => boolean): SortedIds;

  /** These ids but those of `other` (specialized where both are packed: no strings made). */
  minus(other: SortedIds): SortedIds {
    return other.length === 0 || this.length === 0 ? this : this.filterPositions((at) => !other.has(this.at(at)));
  }

  /** These ids and those of `other`. */
  union(other: SortedIds): SortedIds {
    if (this.length === 0) return other;
    return other.length === 0 ? this : this.with(other);
  }
}

const DIGEST = 32;
/** A digest as 32-bit words. */
const WORDS = DIGEST / 4;

/** Sorted, without repeats; packed when every id is a lower-case SHA-256 hex digest. */
export function sortedIds(ids: Iterable<string>): SortedIds {
  const all = Array.isArray(ids) ? (ids as string[]) : [...ids];
  // Past 2^21 digests the numeric sort's keys would not be exact: sort them as strings.
  const packed = all.length < SPAN ? packDigests(all) : undefined;
  if (packed) return Digests.sorting(packed);
  if (all.length > 0 && all.length < SPAN && all.every(isEntry)) return Entries.build(all);
  return new Strings([...new Set(all)].sort());
}

const ENTRY = new RegExp(`^(${identifierNames.join('|')})=`);
/**
 * Whether an id is a ledger entry (`memberEntry`). Only picks the representation: entries
 * keep their text exactly, so an email that happened to look like one would still round-trip.
 */
const isEntry = (id: string) => ENTRY.test(id);

/**
 * The key an entry is stored and looked up by: the SHA-256 of its text, as hex (a digest as
 * a Buffer per entry was slower, and its half a million small ArrayBuffers raised the RSS more).
 */
const entryDigest = (entry: string): string => hash('sha256', entry, 'hex');

/** Entries as stored: their digests sorted and unique, 32 bytes each, and their texts in the same order. */
export function sortedEntries(packed: Buffer, lines: EntryLines): SortedIds {
  return packed.length === 0 ? new Strings([]) : new Entries(new Digests(packed), lines);
}

/** The digests and texts when the ids are entries (an empty set is both). */
export function entryParts(ids: SortedIds): { packed: Buffer; lines: EntryLines } | undefined {
  if (ids instanceof Entries) return { packed: ids.digests.packed, lines: ids.lines };
  return ids.length === 0 ? { packed: Buffer.alloc(0), lines: EntryLines.empty } : undefined;
}

/** 32 bytes an id when every id is a lower-case SHA-256 hex digest; otherwise undefined. */
function packDigests(ids: string[]): Buffer | undefined {
  if (ids.length === 0) return undefined;
  const packed = Buffer.allocUnsafe(ids.length * DIGEST);
  for (let i = 0, out = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id.length !== 64) return undefined;
    for (let c = 0; c < 64; c += 2) {
      const high = nibbleAt(id, c);
      const low = nibbleAt(id, c + 1);
      if (high < 0 || low < 0) return undefined;
      packed[out++] = high * 16 + low;
    }
  }
  return packed;
}

/** Ids already sorted and unique (a ledger as stored). */
export function sortedStrings(ids: string[]): SortedIds {
  return new Strings(ids);
}

/**
 * A ledger's ids stored one a line, sorted as text: emails as they are; entries (written so
 * before they had a format of their own) keyed and ordered by their digests from here on.
 */
export function storedLines(ids: string[]): SortedIds {
  return ids.length > 0 && ids.length < SPAN && ids.every(isEntry) ? Entries.build(ids) : new Strings(ids);
}

/** Digests in any order, repeats allowed, 32 bytes each (delivery logs): sorted and made unique. */
export function sortingDigests(packed: Buffer): SortedIds {
  return packed.length === 0 ? new Strings([]) : Digests.sorting(packed);
}

/** Digests already sorted and unique, 32 bytes each (a ledger as stored). */
export function sortedDigests(packed: Buffer): SortedIds {
  return new Digests(packed);
}

/** The packed bytes when the ids are digests (an empty set is both). */
export function packedBytes(ids: SortedIds): Buffer | undefined {
  return ids instanceof Digests ? ids.packed : ids.length === 0 ? Buffer.alloc(0) : undefined;
}

class Strings extends SortedIds {
  private index?: Map<string, number>;

  constructor(private readonly ids: string[]) {
    super();
  }

  get length(): number {
    return this.ids.length;
  }

  indexOf(id: string): number {
    if (!this.index) {
      this.index = new Map();
      for (let at = 0; at < this.ids.length; at++) this.index.set(this.ids[at]!, at);
    }
    return this.index.get(id) ?? -1;
  }

  at(position: number): string {
    return this.ids[position]!;
  }

  override without(ids: ReadonlySet<string>): SortedIds {
    return ids.size === 0 ? this : new Strings(this.ids.filter((id) => !ids.has(id)));
  }

  with(ids: Iterable<string>): SortedIds {
    const joining = [...new Set(ids)].filter((id) => !this.has(id));
    if (joining.length === 0) return this;
    if (this.ids.length === 0) return sortedIds(joining);
    return new Strings(mergeSorted(this.ids, joining.sort()));
  }

  filterPositions(keep: (position: number) => boolean): SortedIds {
    return new Strings(this.ids.filter((_, at) => keep(at)));
  }
}

class Digests extends SortedIds {
  private table?: Int32Array;
  private keys?: Uint32Array;

  constructor(readonly packed: Buffer) {
    super();
  }

  /** Unsorted digests (repeats allowed) in order. */
  static sorting(packed: Buffer): Digests {
    return new Digests(sortPacked(packed).sorted);
  }

  get length(): number {
    return this.packed.length / DIGEST;
  }

  /**
   * Reads the hex in place, a character at a time: converting each id to bytes first (or
   * each stored digest to hex) took a microsecond a lookup, five times all of this.
   */
  indexOf(id: string): number {
    if (id.length !== 64) return -1;
    let lead = 0;
    for (let c = 0; c < 8; c++) {
      const nibble = nibbleAt(id, c);
      if (nibble < 0) return -1;
      lead = lead * 16 + nibble;
    }
    if (!this.table) this.buildTable();
    const table = this.table!;
    const keys = this.keys!;
    const packed = this.packed;
    const mask = table.length - 1;
    for (let slot = lead & mask; ; slot = (slot + 1) & mask) {
      const at = table[slot]!;
      if (at < 0) return -1;
      if (keys[at] !== lead) continue;
      let same = true;
      for (let b = 4, offset = at * DIGEST; b < DIGEST && same; b++) {
        const high = nibbleAt(id, 2 * b);
        const low = nibbleAt(id, 2 * b + 1);
        same = high >= 0 && low >= 0 && high * 16 + low === packed[offset + b];
      }
      if (same) return at;
    }
  }

  at(position: number): string {
    return this.packed.toString('hex', position * DIGEST, position * DIGEST + DIGEST);
  }

  with(ids: Iterable<string>): SortedIds {
    if (ids instanceof Digests) return this.union(ids);
    const joining = sortedIds([...ids].filter((id) => !this.has(id)));
    if (joining.length === 0) return this;
    if (!(joining instanceof Digests)) return sortedIds([...this.toArray(), ...joining]);
    return new Digests(mergePacked(this.packed, joining.packed).out);
  }

  /** The position of the digest at `offset` of `bytes`, or -1. */
  indexOfDigest(bytes: Uint8Array, offset: number): number {
    if (this.length === 0) return -1;
    const lead = ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
    if (!this.table) this.buildTable();
    const table = this.table!;
    const keys = this.keys!;
    const packed = this.packed;
    const mask = table.length - 1;
    for (let slot = lead & mask; ; slot = (slot + 1) & mask) {
      const at = table[slot]!;
      if (at < 0) return -1;
      if (keys[at] !== lead) continue;
      let same = true;
      for (let b = 4, stored = at * DIGEST; b < DIGEST && same; b++) same = bytes[offset + b] === packed[stored + b];
      if (same) return at;
    }
  }

  override minus(other: SortedIds): SortedIds {
    if (!(other instanceof Digests)) return super.minus(other);
    if (other.length === 0 || this.length === 0) return this;
    return this.filterPositions((at) => other.indexOfDigest(this.packed, at * DIGEST) < 0);
  }

  override union(other: SortedIds): SortedIds {
    if (!(other instanceof Digests) || this.length === 0) return super.union(other);
    const joining = other.minus(this) as Digests;
    return joining.length === 0 ? this : new Digests(mergePacked(this.packed, joining.packed).out);
  }

  filterPositions(keep: (position: number) => boolean): SortedIds {
    const out = Buffer.allocUnsafe(this.packed.length);
    let k = 0;
    for (let at = 0; at < this.length; at++) {
      if (!keep(at)) continue;
      this.packed.copy(out, k, at * DIGEST, at * DIGEST + DIGEST);
      k += DIGEST;
    }
    return new Digests(out.subarray(0, k));
  }

  /**
   * Open addressing over the digests' leading 32 bits, which are uniform: no hashing, a slot
   * per digest at load <= 0.5, and a whole comparison only when the leads match.
   */
  private buildTable(): void {
    const count = this.length;
    const table = new Int32Array(2 ** Math.max(4, Math.ceil(Math.log2(count * 2 + 1)))).fill(-1);
    const keys = new Uint32Array(count);
    const mask = table.length - 1;
    for (let at = 0; at < count; at++) {
      const lead = this.packed.readUInt32BE(at * DIGEST);
      keys[at] = lead;
      let slot = lead & mask;
      while (table[slot]! >= 0) slot = (slot + 1) & mask;
      table[slot] = at;
    }
    this.table = table;
    this.keys = keys;
  }
}

/**
 * The member entries of a destination that matches on more than an email: each keyed by
 * the SHA-256 of its text (`entryDigest`), the digests packed and sorted as `Digests` are,
 * and the texts beside them in the same order (`EntryLines`). Two entries are the same
 * member only when every identifier sent is the same: a person whose phone changed is a
 * new entry, and the old one (with the old phone's hash) is what the removal sends.
 */
class Entries extends SortedIds {
  constructor(
    readonly digests: Digests,
    readonly lines: EntryLines,
  ) {
    super();
  }

  /** Entries in any order, repeats allowed. */
  static build(texts: string[]): Entries {
    const packed = Buffer.allocUnsafe(texts.length * DIGEST);
    for (let k = 0; k < texts.length; k++) packed.write(entryDigest(texts[k]!), k * DIGEST, 'hex');
    const { sorted, from } = sortPacked(packed);
    return new Entries(new Digests(sorted), EntryLines.of(texts, from));
  }

  get length(): number {
    return this.digests.length;
  }

  indexOf(id: string): number {
    return this.length === 0 ? -1 : this.digests.indexOf(entryDigest(id));
  }

  at(position: number): string {
    return this.lines.at(position);
  }

  with(ids: Iterable<string>): SortedIds {
    if (ids instanceof SortedIds) return this.union(ids);
    const joining = [...new Set(ids)].filter((id) => !this.has(id));
    if (joining.length === 0) return this;
    if (!joining.every(isEntry)) return sortedIds([...this.toArray(), ...joining]);
    return this.union(Entries.build(joining));
  }

  filterPositions(keep: (position: number) => boolean): SortedIds {
    return new Entries(this.digests.filterPositions(keep) as Digests, this.lines.filter(keep));
  }

  override minus(other: SortedIds): SortedIds {
    if (!(other instanceof Entries)) return super.minus(other);
    if (other.length === 0 || this.length === 0) return this;
    return this.filterPositions((at) => other.digests.indexOfDigest(this.digests.packed, at * DIGEST) < 0);
  }

  override union(other: SortedIds): SortedIds {
    if (other.length === 0) return this;
    if (!(other instanceof Entries)) return sortedIds([...this.toArray(), ...other]);
    const joining = other.minus(this) as Entries;
    if (joining.length === 0) return this;
    const { out, fromA } = mergePacked(this.digests.packed, joining.digests.packed);
    return new Entries(new Digests(out), EntryLines.merge(this.lines, joining.lines, fromA));
  }
}

/** Two sorted runs of unique digests (none in both) merged byte-wise; `fromA` says which run each came from. */
function mergePacked(a: Buffer, b: Buffer): { out: Buffer; fromA: Uint8Array } {
  const out = Buffer.allocUnsafe(a.length + b.length);
  const fromA = new Uint8Array(out.length / DIGEST);
  let i = 0;
  let j = 0;
  for (let k = 0; i < a.length || j < b.length; k++) {
    const takeA = j >= b.length || (i < a.length && a.compare(b, j, j + DIGEST, i, i + DIGEST) < 0);
    if (takeA) {
      a.copy(out, k * DIGEST, i, i + DIGEST);
      i += DIGEST;
      fromA[k] = 1;
    } else {
      b.copy(out, k * DIGEST, j, j + DIGEST);
      j += DIGEST;
    }
  }
  return { out, fromA };
}

const SPAN = 2 ** 21;

/**
 * Digests in any order (repeats allowed) sorted, each kept once, and for each kept one the
 * position it came from (to put anything stored beside the digests in the same order).
 */
function sortPacked(packed: Buffer): { sorted: Buffer; from: Uint32Array } {
  const count = packed.length / DIGEST;
  // Sort positions by the leading 32 bits, packed with the position into one float (32 + 21
  // bits, exact below 2^53) for a native numeric sort; equal leads are then compared whole.
  // Bytes are moved and compared in plain loops: a native call per digest cost more than the sort.
  const order = new Float64Array(count);
  for (let at = 0; at < count; at++) order[at] = packed.readUInt32BE(at * DIGEST) * SPAN + at;
  order.sort();
  const positions = new Uint32Array(count);
  for (let k = 0; k < count; k++) positions[k] = order[k]! % SPAN;
  for (let start = 0, end = 1; end <= count; end++) {
    if (end < count && Math.floor(order[end]! / SPAN) === Math.floor(order[start]! / SPAN)) continue;
    if (end - start > 1) positions.subarray(start, end).sort((a, b) => compareDigests(packed, a, packed, b));
    start = end;
  }
  // Gathered eight 32-bit words a digest (a quarter of the byte moves), which needs both
  // buffers aligned to 4 bytes: a digest list cut from a larger buffer is copied first.
  const source = new Uint32Array(packed.byteOffset % 4 === 0 ? packed.buffer : new Uint8Array(packed).buffer, packed.byteOffset % 4 === 0 ? packed.byteOffset : 0, count * WORDS);
  const sorted = new Uint32Array(count * WORDS);
  const from = new Uint32Array(count);
  let written = 0;
  for (let k = 0; k < count; k++) {
    const at = positions[k]! * WORDS;
    // Repeats are next to each other now: keep the first.
    if (written > 0 && sameDigest(sorted, (written - 1) * WORDS, source, at)) continue;
    for (let w = 0, target = written * WORDS; w < WORDS; w++) sorted[target + w] = source[at + w]!;
    from[written++] = positions[k]!;
  }
  return { sorted: Buffer.from(sorted.buffer, 0, written * DIGEST), from: from.subarray(0, written) };
}

/** Orders digest `i` of `a` and digest `j` of `b` as their bytes (and hex) do. */
function sameDigest(a: Uint32Array, i: number, b: Uint32Array, j: number): boolean {
  for (let w = 0; w < WORDS; w++) if (a[i + w] !== b[j + w]) return false;
  return true;
}

function compareDigests(a: Uint8Array, i: number, b: Uint8Array, j: number): number {
  for (let k = 0, x = i * DIGEST, y = j * DIGEST; k < DIGEST; k++) {
    const difference = a[x + k]! - b[y + k]!;
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The value of the lower-case hex digit at `index`, or -1. */
function nibbleAt(text: string, index: number): number {
  const code = text.charCodeAt(index);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

function mergeSorted(a: string[], b: string[]): string[] {
  const out: string[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length || j < b.length) out[k++] = j >= b.length || (i < a.length && a[i]! < b[j]!) ? a[i++]! : b[j++]!;
  return out;
}

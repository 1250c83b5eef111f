/**
 * Ledger entries' texts (`email=<hash>&phone=<hash>`, every identifier as sent) as one
 * buffer of lines and where each starts: the form the ledger's side file stores them in,
 * kept that way in memory. Half a million entries are then two allocations the garbage
 * collector never walks, not half a million strings; a text becomes a string only when
 * something asks for it (a removal, an erasure).
 */
export class EntryLines {
  /** `starts[k]` is where line k begins; `starts[length]` is one past the last newline. */
  private constructor(
    readonly bytes: Buffer,
    private readonly starts: Uint32Array,
  ) {}

  static readonly empty = new EntryLines(Buffer.alloc(0), new Uint32Array(1));

  /** Lines ending in `\n`, each one text (what `bytes` holds, and the side file). */
  static parse(bytes: Buffer): EntryLines {
    let count = 0;
    for (let at = bytes.indexOf(NEWLINE); at >= 0; at = bytes.indexOf(NEWLINE, at + 1)) count++;
    const starts = new Uint32Array(count + 1);
    for (let k = 1, at = bytes.indexOf(NEWLINE); at >= 0; at = bytes.indexOf(NEWLINE, at + 1), k++) starts[k] = at + 1;
    return new EntryLines(count === 0 ? Buffer.alloc(0) : bytes.subarray(0, starts[count]), starts);
  }

  /** The given texts' lines, in the order `order` lists their positions (written straight into one buffer: no joined string). */
  static of(texts: readonly string[], order: ArrayLike<number>): EntryLines {
    if (order.length === 0) return EntryLines.empty;
    const starts = new Uint32Array(order.length + 1);
    for (let k = 0; k < order.length; k++) starts[k + 1] = starts[k]! + Buffer.byteLength(texts[order[k]!]!, 'utf8') + 1;
    const bytes = Buffer.allocUnsafe(starts[order.length]!);
    for (let k = 0; k < order.length; k++) {
      const end = starts[k]! + bytes.write(texts[order[k]!]!, starts[k]!, 'utf8');
      bytes[end] = NEWLINE;
    }
    return new EntryLines(bytes, starts);
  }

  get length(): number {
    return this.starts.length - 1;
  }

  at(k: number): string {
    return this.bytes.toString('utf8', this.starts[k]!, this.starts[k + 1]! - 1);
  }

  /** Appends line `k` (newline included) to `out` at `offset`; returns the offset after it. */
  copyLine(k: number, out: Buffer, offset: number): number {
    return offset + this.bytes.copy(out, offset, this.starts[k]!, this.starts[k + 1]!);
  }

  /** The lines for which `keep` says yes, in order. */
  filter(keep: (k: number) => boolean): EntryLines {
    const out = Buffer.allocUnsafe(this.bytes.length);
    const starts = new Uint32Array(this.starts.length);
    let count = 0;
    for (let k = 0; k < this.length; k++) {
      if (!keep(k)) continue;
      starts[count + 1] = this.copyLine(k, out, starts[count]!);
      count++;
    }
    return new EntryLines(out.subarray(0, starts[count]), starts.slice(0, count + 1));
  }

  /** Lines taken from `a` or `b` as `fromA` says, in that order (a merge of two sorted runs). */
  static merge(a: EntryLines, b: EntryLines, fromA: Uint8Array): EntryLines {
    const out = Buffer.allocUnsafe(a.bytes.length + b.bytes.length);
    const starts = new Uint32Array(fromA.length + 1);
    let i = 0;
    let j = 0;
    for (let k = 0; k < fromA.length; k++) starts[k + 1] = fromA[k] ? a.copyLine(i++, out, starts[k]!) : b.copyLine(j++, out, starts[k]!);
    return new EntryLines(out.subarray(0, starts[fromA.length]), starts);
  }

  /** These lines, then `other`'s (a ledger's members, then its owed removals). */
  concat(other: EntryLines): Buffer {
    return Buffer.concat([this.bytes, other.bytes]);
  }
}

const NEWLINE = 0x0a;

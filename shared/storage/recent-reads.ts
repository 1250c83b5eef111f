/** How old a read a run's steps may take: seconds apart, they share most reads; an edit reaches the next step of another process within this. */
export const STEP_READ_MAX_AGE_MS = 5_000;

/**
 * Reads that may be shared for a short while. A run's steps each read its export, its
 * connection and the connection's credentials; a tenant's refresh (24 runs, each step an
 * activity) made 558 such reads in 11 seconds, a quarter of the table requests, and most
 * returned what the same process had read a second before. A read younger than `maxAgeMs`
 * is handed out again (and reads under way are shared); every write through the owner
 * forgets its key, so the process that changes a thing sees the change at once, another
 * within `maxAgeMs`.
 */
export class RecentReads<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();

  constructor(
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
    /** Entries kept at most; the oldest go first. */
    private readonly capacity = 1_000,
  ) {}

  read(key: string, load: () => Promise<T>): Promise<T> {
    const found = this.entries.get(key);
    if (found && this.now() - found.at < this.maxAgeMs) return found.value;
    const value = load();
    const entry = { at: this.now(), value };
    this.entries.delete(key);
    this.entries.set(key, entry);
    // A failed read is never handed out again: the next asks storage.
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  /** A write of the key: forgotten as it starts, and again once it ends (a read begun meanwhile may hold the old value). */
  async writing<R>(key: string, write: () => Promise<R>): Promise<R> {
    this.forget(key);
    try {
      return await write();
    } finally {
      this.forget(key);
    }
  }
}

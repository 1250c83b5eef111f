/**
 * The turns a sliding-window rate has given, in time order, and the earliest time one more
 * fits: at most `perWindow` turns within any `windowMs`.
 *
 * Turns are not given in time order. A share told to come back when its part of the window
 * frees, or a holder's kept turn, lies ahead of turns given after it. A ring of the last
 * `perWindow` turns took such a turn for the window's oldest once it came round, and put
 * every later turn a window after it: the turns in between went unused (24 requests of eight
 * refreshes on one account went out three a window instead of five).
 */
export class TurnBook {
  /** Turn times, ascending; those a window or more ago constrain nothing and are let go. */
  private times: number[] = [];

  constructor(
    private readonly perWindow: number,
    private readonly windowMs: number,
  ) {}

  /**
   * The earliest time from `notBefore` (default `now`) on at which one more turn keeps every
   * window within its count. `now` is the clock: turns a window before it are let go.
   */
  earliest(now: number, notBefore = now): number {
    this.forget(now);
    const from = Math.max(now, notBefore);
    if (this.fits(from)) return from;
    // Where a turn first fits is `from` or a window after a turn already given: only there does
    // a window that was full become free.
    for (const given of this.times) {
      const at = given + this.windowMs;
      if (at > from && this.fits(at)) return at;
    }
    // Unreachable: a window after the last turn always fits.
    return this.times.at(-1)! + this.windowMs;
  }

  give(at: number): number {
    this.times.splice(insertionPoint(this.times, at), 0, at);
    return at;
  }

  /** Whether a turn at `at` leaves every `perWindow + 1` consecutive turns spanning a whole window. */
  private fits(at: number): boolean {
    const { times, perWindow, windowMs } = this;
    const p = insertionPoint(times, at);
    // The list with `at` inserted at p, read without building it.
    const turn = (i: number) => (i < p ? times[i]! : i === p ? at : times[i - 1]!);
    for (let first = Math.max(0, p - perWindow); first <= p && first + perWindow <= times.length; first++) {
      if (turn(first + perWindow) - turn(first) < windowMs) return false;
    }
    return true;
  }

  private forget(now: number): void {
    let old = 0;
    while (old < this.times.length && this.times[old]! <= now - this.windowMs) old++;
    if (old > 0) this.times.splice(0, old);
  }
}

/** The index after every element not greater than `value` (binary search). */
function insertionPoint(sorted: number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]! <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}

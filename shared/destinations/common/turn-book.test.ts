import { describe, expect, it } from 'vitest';
import { TurnBook } from './turn-book.js';

/** Whether no window holds more than its count: every `perWindow + 1` turns in time order span a whole window. */
function withinCount(turns: number[], perWindow: number, windowMs: number): boolean {
  const sorted = [...turns].sort((a, b) => a - b);
  return sorted.every((at, i) => i < perWindow || at - sorted[i - perWindow]! >= windowMs);
}

describe('TurnBook', () => {
  it('gives a window’s worth at once, then the next window’s worth a window after each', () => {
    const book = new TurnBook(5, 1_000);
    const turns = Array.from({ length: 12 }, () => book.give(book.earliest(0)));
    expect(turns).toEqual([0, 0, 0, 0, 0, 1_000, 1_000, 1_000, 1_000, 1_000, 2_000, 2_000]);
  });

  it('fills the turns before one given ahead of time, instead of starting over a window after it', () => {
    const book = new TurnBook(5, 1_000);
    for (let i = 0; i < 4; i++) book.give(book.earliest(0));
    // A share told to come back when its part frees: a turn well ahead of the others.
    book.give(1_500);
    const turns = Array.from({ length: 6 }, () => book.give(book.earliest(100)));

    // One more fits now (4 + 1 in the first window), then four beside the turn at 1.5 s. The
    // ring this replaces gave 1 s, 1 s, 1 s, 1 s, 2.5 s and 2 s.
    expect(turns).toEqual([100, 1_000, 1_000, 1_000, 1_000, 2_000]);
    expect(withinCount([0, 0, 0, 0, 1_500, ...turns], 5, 1_000)).toBe(true);
  });

  it('never puts more than a window’s worth in any window, whatever order the turns come in', () => {
    const book = new TurnBook(3, 500);
    const given: number[] = [];
    // Ahead-of-time turns mixed with asks at a moving clock, as reservations and shares make them.
    let seed = 7;
    const random = () => ((seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647);
    for (let now = 0; now < 5_000; now += 40) {
      const at = random() < 0.2 ? book.earliest(now, now + random() * 2_000) : book.earliest(now);
      expect(at).toBeGreaterThanOrEqual(now);
      given.push(book.give(at));
    }
    expect(withinCount(given, 3, 500)).toBe(true);
    // The check itself sees a window over its count.
    expect(withinCount([0, 100, 200, 300], 3, 500)).toBe(false);
  });

  it('lets go of turns a window old', () => {
    const book = new TurnBook(1, 1_000);
    book.give(book.earliest(0));
    expect(book.earliest(500)).toBe(1_000);
    expect(book.earliest(5_000)).toBe(5_000);
  });

  it('gives a turn asked for later no sooner than asked, and only where the window has room', () => {
    const book = new TurnBook(2, 1_000);
    expect(book.give(book.earliest(0, 1_500))).toBe(1_500);
    expect(book.give(book.earliest(0, 1_600))).toBe(1_600);
    expect(book.earliest(0, 1_700)).toBe(2_500);
    // Room before them: a window from now holds none of them.
    expect(book.earliest(0)).toBe(0);
    expect(book.earliest(0, 400)).toBe(400);
    expect(book.earliest(0, 700)).toBe(2_500);
  });
});

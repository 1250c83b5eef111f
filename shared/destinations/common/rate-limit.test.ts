import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { PacedOut, withPacing } from './pacing.js';
import { slidingWindowLimiter } from './rate-limit.js';

async function startTimes(requestsPerSecond: number, requests: number): Promise<number[]> {
  const limiter = slidingWindowLimiter(requestsPerSecond);
  const origin = performance.now();
  const starts: number[] = [];
  await Promise.all(Array.from({ length: requests }, () => limiter.take().then(() => starts.push(performance.now() - origin))));
  return starts;
}

/** The most starts within any window of `windowMs`. */
function mostInWindow(starts: number[], windowMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; j < starts.length; j++) {
    while (starts[j]! - starts[i]! >= windowMs) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

describe('slidingWindowLimiter', () => {
  it('lets a second’s worth leave at once, then the next second’s worth a second later', async () => {
    const starts = await startTimes(5, 12);

    expect(starts.slice(0, 5).every((at) => at < 100)).toBe(true);
    expect(starts[5]).toBeGreaterThanOrEqual(1_000);
    expect(starts[10]).toBeGreaterThanOrEqual(2_000);
    expect(mostInWindow(starts, 1_000)).toBe(5);
    // In order: the queue is first come, first served.
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
  });

  it('keeps a fractional rate: 2.5 a second is 2 every 0.8 s', async () => {
    const starts = await startTimes(2.5, 4);

    expect(starts.slice(0, 2).every((at) => at < 100)).toBe(true);
    expect(starts[2]).toBeGreaterThanOrEqual(800);
    expect(mostInWindow(starts, 800)).toBe(2);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => slidingWindowLimiter(0)).toThrow(RangeError);
  });
});

describe('slidingWindowLimiter inside a paced step', () => {
  /** Takes turns as a paced holder would: what the patience allows now, else the time of its turn. */
  async function takeOrWait(limiter: ReturnType<typeof slidingWindowLimiter>, holder: string | undefined, patienceMs: number): Promise<number | 'sent'> {
    try {
      await withPacing({ patienceMs, ...(holder ? { holder, share: holder } : {}) }, () => limiter.take());
      return 'sent';
    } catch (error) {
      if (error instanceof PacedOut) return error.retryAfterMs!;
      throw error;
    }
  }

  it('sends what the rate has free now and, past the patience, says when the next turn is without waiting for it', async () => {
    const limiter = slidingWindowLimiter(5);
    const started = performance.now();
    const outcomes = [];
    for (let i = 0; i < 6; i++) outcomes.push(await takeOrWait(limiter, 'a', 100));
    expect(performance.now() - started).toBeLessThan(100);
    expect(outcomes.slice(0, 5)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
    // The sixth turn is a window (1 s and the margin) after the first.
    expect(outcomes[5]).toBeGreaterThan(900);
    expect(outcomes[5]).toBeLessThanOrEqual(1_050);
  });

  it('keeps a refused holder its turn: nobody else gets it, and it goes when the holder comes back', async () => {
    const limiter = slidingWindowLimiter(1);
    expect(await takeOrWait(limiter, 'a', 0)).toBe('sent');
    const wait = await takeOrWait(limiter, 'b', 0);
    expect(wait).toBeGreaterThan(900);
    // Another caller asks later: its turn comes after b's, one more window on.
    const other = await takeOrWait(limiter, 'c', 0);
    expect(other).toBeGreaterThan(1_900);
    // b back (early by a little, as a timer under a time scale would be): the turn is b's and it waits out the rest.
    await sleep(Number(wait) - 100);
    const before = performance.now();
    expect(await takeOrWait(limiter, 'b', 0)).toBe('sent');
    expect(performance.now() - before).toBeGreaterThanOrEqual(50);
  });

  it('gives holders on one account turns in the order they asked, so two exports share the rate evenly', async () => {
    const limiter = slidingWindowLimiter(10);
    const sent = { a: 0, b: 0 };
    // Two exports, each a loop of: send what the turns allow, else sleep until the turn (as the orchestration does).
    const exportLoop = async (holder: 'a' | 'b') => {
      const deadline = performance.now() + 1_600;
      while (performance.now() < deadline) {
        const outcome = await takeOrWait(limiter, holder, 20);
        if (outcome === 'sent') sent[holder]++;
        else await sleep(outcome);
      }
    };
    await Promise.all([exportLoop('a'), exportLoop('b')]);
    expect(sent.a + sent.b).toBeLessThanOrEqual(2 * 10 + 1);
    expect(Math.abs(sent.a - sent.b)).toBeLessThanOrEqual(3);
  });

  it('lets a share past its even part while the window would otherwise go unused, and gives a share refused then its kept turn first', async () => {
    const limiter = slidingWindowLimiter(4);
    const take = (share: string, holder: string) =>
      withPacing({ patienceMs: 0, holder, share }, () => limiter.take()).then(
        () => 'sent' as const,
        (error: unknown) => (error instanceof PacedOut ? 'refused' : Promise.reject(error)),
      );
    // Two runs on one account: b sent one, a three. a's part of a window of 4 is 2, but the
    // fourth turn is free and nobody waits for it: a takes it.
    expect(await take('b', 'b/1')).toBe('sent');
    expect([await take('a', 'a/1'), await take('a', 'a/2'), await take('a', 'a/3')]).toEqual(['sent', 'sent', 'sent']);
    // The window is full: b is refused and its turn kept; a is refused too.
    expect(await take('b', 'b/2')).toBe('refused');
    expect(await take('a', 'a/4')).toBe('refused');
    await sleep(1_100);
    // b is back: its kept turn. a, over its part a window ago, is now free to go.
    expect(await take('b', 'b/2')).toBe('sent');
    expect(await take('a', 'a/4')).toBe('sent');
  });

  it('keeps a step that starts over (a lookup, then a create) every turn it will take again, so it finishes on its return', async () => {
    const limiter = slidingWindowLimiter(2);
    const pacing = { patienceMs: 0, holder: 'audience', share: 'run-a', repeats: true };
    // Tries until the whole step goes through, as the orchestration does; a busy neighbour takes every turn it can meanwhile.
    const twoRequests = () => withPacing(pacing, async () => {
      await limiter.take();
      await limiter.take();
    });
    let neighbourSent = 0;
    const neighbour = (async () => {
      const deadline = performance.now() + 3_000;
      while (performance.now() < deadline) {
        const outcome = await takeOrWait(limiter, 'neighbour', 0);
        if (outcome === 'sent') neighbourSent++;
        else await sleep(outcome);
      }
    })();
    let tries = 0;
    for (;;) {
      tries++;
      try {
        await twoRequests();
        break;
      } catch (error) {
        if (!(error instanceof PacedOut)) throw error;
        await sleep(error.retryAfterMs!);
      }
    }
    await neighbour;
    expect(tries).toBeLessThanOrEqual(3);
    expect(neighbourSent).toBeGreaterThan(0);
  });

  it('lets a step that starts over finish on the return its first refusal asked for, though its share is used', async () => {
    const limiter = slidingWindowLimiter(4);
    const take = (holder: string) => withPacing({ patienceMs: 0, holder, share: 'a' }, () => limiter.take()).catch(() => undefined);
    // Two runs on the account. Run a's slices take the window; b's audience step is refused at
    // its lookup, and a's next three slices are kept the rest of the next window.
    for (const slice of ['a/1', 'a/2', 'a/3', 'a/4']) await take(slice);
    const lookupAndCreate = async () => {
      await limiter.take();
      await limiter.take();
    };
    const refused = await withPacing({ patienceMs: 0, holder: 'b/audience', share: 'b', repeats: true }, lookupAndCreate).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PacedOut);
    for (const slice of ['a/5', 'a/6', 'a/7']) await take(slice);
    await sleep((refused as PacedOut).retryAfterMs!);
    // Back: the lookup on its kept turn, and the create on the next free turn within a window,
    // though b has had its part of the window: one return, not a refusal and a second trip.
    const started = performance.now();
    await withPacing({ patienceMs: 0, holder: 'b/audience', share: 'b', repeats: true }, lookupAndCreate);
    expect(performance.now() - started).toBeLessThan(1_200);
  });

  it('refuses the side-by-side requests of a refused step without handing each a turn nobody would come back for', async () => {
    const limiter = slidingWindowLimiter(2);
    const outcomes = await withPacing({ patienceMs: 0, holder: 'removals', share: 'run' }, () =>
      Promise.all(Array.from({ length: 10 }, () => limiter.take().then(() => 'sent' as const, (error: unknown) => (error instanceof PacedOut ? 'refused' : 'error')))),
    );
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(2);
    expect(outcomes.filter((o) => o === 'refused')).toHaveLength(8);
    // One turn was kept for the holder; the next caller's is one after it, not eight windows on.
    expect(await takeOrWait(limiter, 'other', 0)).toBeLessThan(1_100);
  });

  it('makes a step that is not paced (a connection test) wait behind the turns already given', async () => {
    const limiter = slidingWindowLimiter(1);
    expect(await takeOrWait(limiter, 'a', 0)).toBe('sent');
    expect(await takeOrWait(limiter, 'b', 0)).toBeGreaterThan(900);
    const before = performance.now();
    await limiter.take();
    expect(performance.now() - before).toBeGreaterThan(1_900);
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import { currentPacedStep, PacedOut, type PacedStep } from './pacing.js';
import { TurnBook } from './turn-book.js';

/** Waits until one more request may leave (or, inside a paced step, refuses: PacedOut). */
export interface RequestLimiter {
  take(): Promise<void>;
}

/**
 * One limiter per connection and service for the whole process, so that parallel upload
 * activities of one run (and of several runs on one connection) share the service's rate
 * instead of each claiming all of it.
 */
const limiters = new Map<string, { requestsPerSecond: number; limiter: RequestLimiter }>();

export function sharedLimiter(key: string, requestsPerSecond: number): RequestLimiter {
  const existing = limiters.get(key);
  if (existing && existing.requestsPerSecond === requestsPerSecond) return existing.limiter;
  const limiter = slidingWindowLimiter(requestsPerSecond);
  limiters.set(key, { requestsPerSecond, limiter });
  return limiter;
}

/**
 * A reservation a holder did not come back for (its run failed, its host restarted) is let go
 * this long after its time; until then its turn is kept for it. Generous: a durable timer in
 * Azure fires a few seconds late when its queue is polled slowly.
 */
const UNCLAIMED_TURN_MS = 30_000;
/** A share over its part is told to come back no sooner than this (its window may free up at once). */
const MIN_SHARE_WAIT_MS = 10;

/**
 * Lets a request leave when fewer than `rate` left in the last second (plus a margin): the
 * published "5 requests per second" read literally, over any window. A small change set
 * (ten batches of a daily refresh) leaves as two bursts a second apart, not spaced a fifth
 * of a second each: 1 s instead of 1.8 s. The services' token buckets hold a second's worth
 * of requests, so a burst of `rate` fits them; the margin keeps jitter on the way from
 * bunching two windows' requests into one on arrival.
 *
 * Turns are handed out in the order they are asked for, each the earliest the window allows
 * after the turns already given. Inside a paced step (pacing.ts) a turn further off than the
 * step's patience is not waited for: the step is refused with the time of its turn, and a
 * holder finds that turn kept for it when it comes back; and while several shares use the
 * limiter, none takes more than its even part of a window.
 */
export function slidingWindowLimiter(requestsPerSecond: number, marginMs = 50): RequestLimiter {
  if (!(requestsPerSecond > 0)) throw new RangeError(`requestsPerSecond must be positive, got ${requestsPerSecond}`);
  // A fractional rate in whole requests: 2.5 a second is 2 every 0.8 s, 0.5 a second 1 every 2 s.
  const perWindow = Math.max(1, Math.floor(requestsPerSecond));
  const windowMs = (perWindow / requestsPerSecond) * 1000 + marginMs;
  const turns = new TurnBook(perWindow, windowMs);
  /** Turns kept for holders, by holder: their times, in order, and the share they count against. */
  const reserved = new Map<string, { at: number[]; share?: string }>();
  /** The turns each share was given that still count (from a window ago on), in order. */
  const shares = new Map<string, number[]>();
  /** Shares told to come back for their part, and when: they count as active until a window after. */
  const returning = new Map<string, number>();

  const nextFreeTurn = (now: number) => turns.earliest(now);
  const give = (at: number, share: string | undefined) => {
    turns.give(at);
    // In time order: a share's turns, too, are not always given in order.
    if (share !== undefined) shares.set(share, [...(shares.get(share) ?? []), at].sort((a, b) => a - b));
    return at;
  };
  const forgetOld = (now: number) => {
    for (const [holder, turn] of reserved) if (turn.at.at(-1)! + UNCLAIMED_TURN_MS < now) reserved.delete(holder);
    for (const [share, at] of returning) if (at + windowMs < now) returning.delete(share);
    for (const [share, times] of shares) {
      const recent = times.filter((at) => at > now - windowMs);
      if (recent.length === 0) shares.delete(share);
      else shares.set(share, recent);
    }
  };
  /** When the share may have another turn, if it has had its even part of the window now. */
  const shareWait = (share: string, now: number): number | undefined => {
    const active = new Set([...shares.keys(), ...returning.keys()]);
    for (const turn of reserved.values()) if (turn.share !== undefined) active.add(turn.share);
    active.add(share);
    if (active.size < 2) return undefined;
    const part = Math.max(1, Math.floor(perWindow / active.size));
    const used = shares.get(share) ?? [];
    if (used.length < part) return undefined;
    return Math.max(MIN_SHARE_WAIT_MS, used[used.length - part]! + windowMs - now);
  };

  /**
   * A turn is free now and no other share is owed one: the window would go unused, so the
   * share may take it beyond its even part. Shares are held to their parts only when another
   * waits (a kept turn, or told to come back); a rate left idle while a run's next batch
   * waits for its share is time nobody gets back.
   */
  const idleFor = (share: string, now: number) => {
    if (nextFreeTurn(now) > now) return false;
    for (const turn of reserved.values()) if (turn.share !== share) return false;
    for (const [other, at] of returning) if (other !== share && at >= now - windowMs) return false;
    return true;
  };

  const paced = async (step: PacedStep, now: number) => {
    const { pacing } = step;
    if (step.refusedUntil !== undefined) throw new PacedOut(Math.max(0, step.refusedUntil - now));
    forgetOld(now);
    const kept = pacing.holder === undefined ? undefined : reserved.get(pacing.holder);
    if (kept !== undefined) {
      // Its own turn. Back early only where timers fire early (the local driver's time
      // scale), and then the rest of the wait is short: it is waited here. Later kept
      // turns (a repeating step's) follow within about a window.
      const at = kept.at.shift()!;
      if (kept.at.length === 0) reserved.delete(pacing.holder!);
      step.turnsTaken++;
      step.resumed = true;
      await waitUntil(at, now);
      return;
    }
    if (pacing.repeats && step.resumed) {
      const at = nextFreeTurn(now);
      if (at - now <= windowMs) {
        step.turnsTaken++;
        await waitUntil(give(at, pacing.share), now);
        return;
      }
    }
    const overShare = pacing.share === undefined || idleFor(pacing.share, now) ? undefined : shareWait(pacing.share, now);
    if (overShare === undefined) {
      const at = nextFreeTurn(now);
      if (at - now <= pacing.patienceMs) {
        step.turnsTaken++;
        await waitUntil(give(at, pacing.share), now);
        return;
      }
    } else {
      returning.set(pacing.share!, now + overShare);
    }
    // Refused: over its share now, or its turn is further off than the step may wait.
    const at = turns.earliest(now, now + (overShare ?? 0));
    step.refusedUntil = at;
    if (pacing.holder === undefined) throw new PacedOut(at - now);
    const needed = pacing.repeats ? step.turnsTaken + 1 : 1;
    const times = [give(at, pacing.share)];
    while (times.length < needed) times.push(give(nextFreeTurn(now), pacing.share));
    reserved.set(pacing.holder, { at: times, ...(pacing.share !== undefined ? { share: pacing.share } : {}) });
    throw new PacedOut(at - now);
  };

  return {
    async take() {
      const now = performance.now();
      const step = currentPacedStep();
      if (step) return paced(step, now);
      await waitUntil(give(nextFreeTurn(now), undefined), now);
    },
  };
}

async function waitUntil(at: number, now: number): Promise<void> {
  if (at > now) await sleep(at - now);
}

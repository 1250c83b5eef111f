import { AsyncLocalStorage } from 'node:async_hooks';
import { DestinationError } from '../types.js';

/**
 * How long a step may wait for a destination's rate inside its activity. Waiting longer
 * belongs to the orchestration (a durable timer): an activity that sleeps on a shared rate
 * holds one of the host's few activity slots while every other export, to any destination,
 * queues behind it.
 *
 * - `patienceMs`: the longest wait for one request's turn inside the activity.
 * - `holder`: who comes back for a turn it was given (a run's slice). A holder refused now
 *   is given the next free turn (a reservation) and told when it is; when it comes back, the
 *   turn is its own. Without a holder (the sending a preparation does on the side) a
 *   refusal reserves nothing.
 * - `share`: whose share of the rate the turns count against (a run). While several shares
 *   use one account, each gets at most an even part of every window, so two exports on one
 *   account go at the same pace and neither waits for the other to finish.
 * - `repeats`: the step starts over when it comes back (finding or creating an audience takes
 *   a lookup, then a create, and keeps nothing between tries), so a holder refused after k
 *   turns is kept k + 1 turns, one after the other: with one it would spend its kept turn on
 *   the lookup and be refused again at the create, for ever, while others take the window.
 *   A step that resumes where it stopped (a slice's batches) is kept one turn. A starting-over
 *   step that came back and used its kept turns has the next free turn within one window
 *   whatever its share: it is bounded (a lookup, a create), and a second refusal would cost it
 *   a whole round trip through the orchestration for one request.
 */
export interface Pacing {
  patienceMs: number;
  holder?: string;
  share?: string;
  repeats?: boolean;
}

/** A paced step as it runs: its pacing and the turns it has taken so far. */
export interface PacedStep {
  readonly pacing: Pacing;
  turnsTaken: number;
  /** The step came back for a turn kept for it (it was refused in an earlier activity). */
  resumed?: boolean;
  /**
   * When the step's first refused request would have had its turn. Requests of one step made
   * side by side (a client's `Promise.all` of calls) are refused with it, and given nothing:
   * each would otherwise be handed a turn nobody comes back for.
   */
  refusedUntil?: number;
}

/** A step's wait inside its activity, at most: less than one request's turn at the services' 2 to 5 requests a second. */
export const ACTIVITY_PATIENCE_MS = 250;

const scope = new AsyncLocalStorage<PacedStep>();

/** Runs `work` so that every metered request in it waits at most `pacing.patienceMs` for its turn. */
export function withPacing<T>(pacing: Pacing, work: () => Promise<T>): Promise<T> {
  return scope.run({ pacing, turnsTaken: 0 }, work);
}

/** The paced step that is running, if any: outside one (a connection test), a request waits for its turn. */
export function currentPacedStep(): PacedStep | undefined {
  return scope.getStore();
}

/**
 * The destination's rate has no turn free within the step's patience: nothing was sent. Not a
 * failure of the destination; the orchestration waits `retryAfterMs` in a durable timer and
 * sends the rest then, without counting an attempt.
 */
export class PacedOut extends DestinationError {
  readonly paced = true;

  constructor(retryAfterMs: number) {
    super('rate-limited', `waiting for the rate: the next turn is in ${Math.ceil(retryAfterMs)} ms`, true, undefined, Math.ceil(retryAfterMs));
    this.name = 'PacedOut';
  }
}

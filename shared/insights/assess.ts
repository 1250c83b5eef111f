import type { AudienceDescription, AudienceState, SyncSupport } from '../destinations/types.js';
import type { AudienceDrift } from './model.js';

export interface AssessInput {
  /** What the destination reported; undefined when it reports nothing (no describeAudience). */
  description?: AudienceDescription;
  /** Members the ledger holds; null without a ledger. */
  tracked: number | null;
  /** Removals owed: the audience may hold these too until they are confirmed. */
  owed: number;
  sync: SyncSupport;
  displayName: string;
}

export interface Assessment {
  state: AudienceState;
  detail?: string;
  matchRate: number | null;
  matchRateEstimate: boolean;
  drift?: AudienceDrift;
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/**
 * Reads a description against the ledger. Nothing is invented: a destination that reports
 * no size gets no match rate; a size the service withholds is no drift. Drift is judged only
 * where the reported size could show it: a count of every member (`members`) must equal the
 * ledger, give or take the removals still owed; a count of matched users (`matched`) may be
 * lower than what was sent, never higher.
 */
export function assessReading(input: AssessInput): Assessment {
  const { description, tracked, owed, sync, displayName } = input;
  if (!description) {
    return { state: 'not-reported', detail: `${displayName} reports nothing about its audiences`, matchRate: null, matchRateEstimate: false };
  }
  let state = description.state;
  let detail = description.detail;
  const size = description.size;
  if (state === 'processing' && size === null && description.shownFrom !== undefined && tracked !== null && tracked < description.shownFrom) {
    state = 'too-small-to-serve';
    detail = `${displayName} shows and serves an audience from ${plural(description.shownFrom, 'member')}; this one holds ${plural(tracked, 'member')} the app sent`;
  }
  const matchRate = size !== null && tracked !== null && tracked > 0 ? Math.round((size / tracked) * 10_000) / 10_000 : null;
  const matchRateEstimate = description.estimate || description.counts === 'matched';
  const drift = size !== null && tracked !== null ? driftOf(size, tracked, owed, description, sync, displayName) : undefined;
  return { state, ...(detail ? { detail } : {}), matchRate, matchRateEstimate, ...(drift ? { drift } : {}) };
}

function driftOf(size: number, tracked: number, owed: number, description: AudienceDescription, sync: SyncSupport, displayName: string): AudienceDrift | undefined {
  const excess = size - (tracked + owed);
  if (excess > 0) {
    if (sync.removal === 'replace-membership') {
      // The service only swaps whole memberships, and the last swap left more than it sent.
      return {
        difference: excess,
        message: `${displayName} holds ${plural(excess, 'member')} more than the app sent: the account adds updates to the audience instead of replacing it, so leavers are not being removed. Set the export's segmentUpdates to append (members then leave when their duration ends).`,
        action: 'none',
      };
    }
    return {
      difference: excess,
      message: `${displayName} holds ${plural(excess, 'member')} more than the app tracks (leavers not removed, or members added outside the app)${sync.fullSync === 'none' ? `; ${displayName} offers no way to drop them` : '; the next run syncs in full to drop them'}.`,
      action: sync.fullSync === 'none' ? 'none' : 'full-sync',
    };
  }
  if (description.counts === 'members' && size < tracked) {
    // Every kind of full sync sends the whole membership again.
    return {
      difference: size - tracked,
      message: `${displayName} holds ${plural(tracked - size, 'member')} fewer than the app sent (removed at the service?); the next run syncs in full to send them again.`,
      action: 'full-sync',
    };
  }
  return undefined;
}

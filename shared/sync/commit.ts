import type { Services } from '../services.js';
import { readLedger, sortedIds, writeLedger, type SortedIds } from './ledger.js';
import { containersFor, readDeliveries, type Deliveries, type Delivery } from './files.js';

export interface CommitInput {
  runId: string;
  exportId: string;
  segment: string;
  segmentIndex: number;
  audienceId: string;
  now: string;
}

export interface CommittedLedger {
  /** Ids tracked before the changes were sent, and after: `after = before + added − removed`. */
  ledgerBefore: number;
  ledgerAfter: number;
  added: number;
  removed: number;
}

/**
 * After the sends: the ledger as the run began sending it (see planChanges), plus what the
 * destination confirmed. Ids the audience took join the members; confirmed removals leave;
 * a confirmed replace leaves exactly what this run delivered. Run again on the same logs
 * it writes the same ledger, so a retried or replayed commit is harmless.
 */
export async function commitLedger(services: Services, input: CommitInput): Promise<CommittedLedger> {
  const { work, ledgers } = await containersFor(services);
  const current = await readLedger(ledgers, input.exportId, input.segment);
  const pre = current?.audienceId === input.audienceId ? current : undefined;
  const delivery = await readDeliveries(work, input.runId, input.segmentIndex);

  const { members, pendingRemovals, added, removed } = applyDeliveries(pre?.members ?? sortedIds([]), pre?.pendingRemovals ?? sortedIds([]), delivery);
  const before = (pre?.members.length ?? 0) + (pre?.pendingRemovals.length ?? 0);
  const after = members.length + pendingRemovals.length;
  await writeLedger(ledgers, input.exportId, input.segment, {
    audienceId: input.audienceId,
    members,
    pendingRemovals,
    updatedAt: input.now,
  });
  return { ledgerBefore: before, ledgerAfter: after, added, removed };
}

/**
 * The ledger after a run's deliveries, as set operations on sorted ids: where both sides are
 * packed (digests, entries) they walk bytes and probe hash tables, and no id becomes a string.
 */
export function applyDeliveries(
  members: SortedIds,
  pendingRemovals: SortedIds,
  delivery: Delivery | Deliveries,
): { members: SortedIds; pendingRemovals: SortedIds; added: number; removed: number } {
  const added = Array.isArray(delivery.added) ? sortedIds(delivery.added) : delivery.added;
  const removedIds = Array.isArray(delivery.removed) ? sortedIds(delivery.removed) : delivery.removed;
  if (delivery.replaced) {
    // The membership is now exactly what this run delivered (a full sync).
    const kept = members.length - members.minus(added).length + pendingRemovals.length - pendingRemovals.minus(added).length;
    return { members: added, pendingRemovals: sortedIds([]), added: added.length - kept, removed: members.length + pendingRemovals.length - kept };
  }
  const newlyTracked = added.minus(members).minus(pendingRemovals).length;
  // An owed removal ends when it is confirmed, or when the member joined again.
  const notJoined = pendingRemovals.minus(added);
  const stillOwed = notJoined.minus(removedIds);
  return { members: members.union(added), pendingRemovals: stillOwed, added: newlyTracked, removed: notJoined.length - stillOwed.length };
}

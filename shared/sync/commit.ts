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
 * The ledger after a run's deliveries. Only the deliveries become sets (small on a
 * refresh); the ledger's hundreds of thousands of ids are looked up in place and merged
 * with the joiners in order.
 */
export function applyDeliveries(
  members: SortedIds,
  pendingRemovals: SortedIds,
  delivery: Delivery | Deliveries,
): { members: SortedIds; pendingRemovals: SortedIds; added: number; removed: number } {
  if (delivery.replaced) {
    // The membership is now exactly what this run delivered (a full sync: often hundreds of
    // thousands, while the ledger before is often empty, so the old ids are the ones walked).
    const after = Array.isArray(delivery.added) ? sortedIds(delivery.added) : delivery.added;
    let kept = 0;
    for (const id of members) if (after.has(id)) kept++;
    for (const id of pendingRemovals) if (after.has(id)) kept++;
    return { members: after, pendingRemovals: sortedIds([]), added: after.length - kept, removed: members.length + pendingRemovals.length - kept };
  }
  const added = new Set(delivery.added);
  let newlyTracked = 0;
  for (const id of added) if (!members.has(id) && !pendingRemovals.has(id)) newlyTracked++;
  const removedIds = new Set(delivery.removed);
  const gone = pendingRemovals.toArray().filter((id) => removedIds.has(id) || added.has(id));
  const removed = gone.filter((id) => !added.has(id)).length;
  return { members: members.with(added), pendingRemovals: pendingRemovals.without(new Set(gone)), added: newlyTracked, removed };
}

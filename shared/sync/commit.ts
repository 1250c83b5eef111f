import type { Services } from '../services.js';
import { readLedger, sortedIds, writeLedger } from './ledger.js';
import { containersFor, readDeliveries, type Delivery } from './files.js';

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

  const { members, pendingRemovals, added, removed } = applyDeliveries(pre?.members ?? [], pre?.pendingRemovals ?? [], delivery);
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
 * The ledger after a run's deliveries, from the sorted ledger before it. Only the deliveries
 * become sets (small on a refresh); the ledger's hundreds of thousands of ids are walked in
 * order and looked up by binary search, so a commit holds the ledger about once.
 */
export function applyDeliveries(
  members: string[],
  pendingRemovals: string[],
  delivery: Delivery,
): { members: string[]; pendingRemovals: string[]; added: number; removed: number } {
  const added = new Set(delivery.added);
  const tracked = (id: string) => has(members, id) || has(pendingRemovals, id);
  let newlyTracked = 0;
  for (const id of added) if (!tracked(id)) newlyTracked++;
  if (delivery.replaced) {
    // The membership is now exactly what this run delivered.
    const after = sortedIds(added);
    return { members: after, pendingRemovals: [], added: newlyTracked, removed: members.length + pendingRemovals.length + newlyTracked - after.length };
  }
  const removedIds = new Set(delivery.removed);
  const stillOwed = pendingRemovals.filter((id) => !removedIds.has(id) && !added.has(id));
  const removed = pendingRemovals.filter((id) => removedIds.has(id) && !added.has(id)).length;
  const joined = [...added].filter((id) => !has(members, id)).sort();
  return { members: mergeSorted(members, joined), pendingRemovals: stillOwed, added: newlyTracked, removed };
}

function has(sorted: string[], id: string): boolean {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const value = sorted[middle]!;
    if (value === id) return true;
    if (value < id) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

function mergeSorted(a: string[], b: string[]): string[] {
  if (b.length === 0) return a;
  const out: string[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length || j < b.length) out[k++] = j >= b.length || (i < a.length && a[i]! < b[j]!) ? a[i++]! : b[j++]!;
  return out;
}

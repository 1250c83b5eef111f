import type { Services } from '../services.js';
import { readLedger, sortedIds, writeLedger } from './ledger.js';
import { containersFor, readDeliveries } from './files.js';

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

  const members = new Set(delivery.replaced ? [] : pre?.members);
  const owed = new Set(delivery.replaced ? [] : pre?.pendingRemovals);
  for (const id of delivery.removed) owed.delete(id);
  for (const id of delivery.added) {
    members.add(id);
    owed.delete(id);
  }

  const before = new Set([...(pre?.members ?? []), ...(pre?.pendingRemovals ?? [])]);
  let added = 0;
  let after = 0;
  for (const id of members) if (!before.has(id)) added++;
  for (const id of owed) if (!before.has(id)) added++;
  after = members.size + owed.size;
  const removed = before.size + added - after;

  await writeLedger(ledgers, input.exportId, input.segment, {
    audienceId: input.audienceId,
    members: sortedIds(members),
    pendingRemovals: sortedIds(owed),
    updatedAt: input.now,
  });
  return { ledgerBefore: before.size, ledgerAfter: after, added, removed };
}

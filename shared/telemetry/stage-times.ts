import { randomUUID } from 'node:crypto';
import { odata, type TransactionAction } from '@azure/data-tables';
import type { StorageClients } from '../storage/clients.js';

export type StageTotals = Record<string, { ms: number; count: number }>;

/** A table transaction holds at most 100 operations, all in one partition (here: one run). */
const ROWS_PER_TRANSACTION = 100;

/**
 * How long each stage of a run took, summed over its activities. A run's activities run on
 * any instance, so each writes one row of its own (no contention between parallel uploads)
 * and the run's end adds them up for its ExportRun event, then removes them.
 */
export class StageTimes {
  constructor(private readonly storage: StorageClients) {}

  async record(runId: string, stage: string, ms: number): Promise<void> {
    const table = await this.storage.ensureTable('runstages');
    await table.createEntity({ partitionKey: runId, rowKey: randomUUID(), stage, ms: Math.round(ms) });
  }

  /**
   * The run's totals per stage; the rows are deleted afterwards (best effort), a hundred to
   * a transaction. A paced run writes a row per send step: one delete each, eight such runs
   * ending together sent Azurite 1,600 deletes, and their finishing activities held seven of
   * eight activity slots for 7 to 14 s while the next files' runs waited (bench --tenant).
   */
  async collect(runId: string): Promise<StageTotals> {
    const table = await this.storage.ensureTable('runstages');
    const totals: StageTotals = {};
    const deletes: TransactionAction[] = [];
    for await (const row of table.listEntities<{ stage: string; ms: number }>({ queryOptions: { filter: odata`PartitionKey eq ${runId}` } })) {
      const entry = (totals[row.stage] ??= { ms: 0, count: 0 });
      entry.ms += Number(row.ms);
      entry.count++;
      deletes.push(['delete', { partitionKey: row.partitionKey!, rowKey: row.rowKey! }]);
    }
    const transactions: TransactionAction[][] = [];
    for (let at = 0; at < deletes.length; at += ROWS_PER_TRANSACTION) transactions.push(deletes.slice(at, at + ROWS_PER_TRANSACTION));
    await Promise.allSettled(transactions.map((actions) => table.submitTransaction(actions)));
    return totals;
  }
}

const instances = new WeakMap<StorageClients, StageTimes>();
export function stageTimes(storage: StorageClients): StageTimes {
  let found = instances.get(storage);
  if (!found) instances.set(storage, (found = new StageTimes(storage)));
  return found;
}

/** `ensure-audience` → `ensureAudienceMs`: dimension names KQL reads without brackets. */
export function stageDimensions(totals: StageTotals): Record<string, number> {
  const dimensions: Record<string, number> = {};
  for (const [stage, { ms, count }] of Object.entries(totals)) {
    const key = stage.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    dimensions[`${key}Ms`] = ms;
    dimensions[`${key}Count`] = count;
  }
  return dimensions;
}

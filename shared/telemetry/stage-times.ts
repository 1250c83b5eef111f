import { randomUUID } from 'node:crypto';
import { odata } from '@azure/data-tables';
import type { StorageClients } from '../storage/clients.js';

export type StageTotals = Record<string, { ms: number; count: number }>;

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

  /** The run's totals per stage; the rows are deleted afterwards (best effort). */
  async collect(runId: string): Promise<StageTotals> {
    const table = await this.storage.ensureTable('runstages');
    const totals: StageTotals = {};
    const rows: { partitionKey: string; rowKey: string }[] = [];
    for await (const row of table.listEntities<{ stage: string; ms: number }>({ queryOptions: { filter: odata`PartitionKey eq ${runId}` } })) {
      const entry = (totals[row.stage] ??= { ms: 0, count: 0 });
      entry.ms += Number(row.ms);
      entry.count++;
      rows.push({ partitionKey: row.partitionKey!, rowKey: row.rowKey! });
    }
    await Promise.allSettled(rows.map((r) => table.deleteEntity(r.partitionKey, r.rowKey)));
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

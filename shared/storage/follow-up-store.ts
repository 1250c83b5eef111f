import type { RunTrigger } from '../domain/run.js';
import type { StorageClients } from './clients.js';
import { NotFoundError, PreconditionFailedError } from '../errors.js';
import { JsonTable } from './json-table.js';

const PARTITION = 'follow-up';

/** A run asked for while the export's run was active: one per export, the newest request wins. */
export interface FollowUpRequest {
  exportId: string;
  trigger: RunTrigger;
  requestedAt: string;
  /** What asked for it, e.g. the segment file that landed. */
  cause: string;
}

/**
 * Follow-up runs, kept in a table so a request survives a restart. The active run claims it
 * when it ends; the minute timer starts any that no run claimed (a request that landed just
 * as the run was finishing).
 */
export class FollowUpStore {
  private readonly table: JsonTable<FollowUpRequest>;

  constructor(storage: StorageClients) {
    this.table = new JsonTable(() => storage.ensureTable('followups'), 'follow-up');
  }

  async request(request: FollowUpRequest): Promise<void> {
    await this.table.replace(PARTITION, request.exportId, request);
  }

  /** Takes the export's request, if any; of two claimants only one gets it (ETag). */
  async claim(exportId: string): Promise<FollowUpRequest | undefined> {
    const stored = await this.table.find(PARTITION, exportId);
    if (!stored) return undefined;
    try {
      await this.table.delete(PARTITION, exportId, stored.etag);
    } catch (error) {
      // Claimed by someone else in between.
      if (error instanceof PreconditionFailedError || error instanceof NotFoundError) return undefined;
      throw error;
    }
    return stored.value;
  }

  async *all(): AsyncIterable<FollowUpRequest> {
    for await (const stored of this.table.all(PARTITION)) yield stored.value;
  }
}

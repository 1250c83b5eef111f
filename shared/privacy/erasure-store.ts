import { z } from 'zod';
import type { StorageClients } from '../storage/clients.js';
import { JsonTable } from '../storage/json-table.js';

const PARTITION = 'erasure';

/** What became of the person at one export's audience. */
export const erasureTargetSchema = z.object({
  exportId: z.string(),
  destinationType: z.string(),
  segment: z.string(),
  audienceId: z.string().optional(),
  outcome: z.enum(['pending', 'removed', 'not-present', 'not-supported', 'failed']),
  reason: z.string().optional(),
});
export type ErasureTarget = z.infer<typeof erasureTargetSchema>;

export const erasureSchema = z.object({
  id: z.string(),
  /** SHA-256 of the normalized address: the record never holds the address. */
  addressHash: z.string(),
  status: z.enum(['running', 'completed', 'partially-completed']),
  requestedBy: z.object({ userId: z.string(), userDetails: z.string() }),
  requestedAt: z.string(),
  finishedAt: z.string().optional(),
  destinations: z.array(erasureTargetSchema),
  reportsScrubbed: z.number().int().nonnegative().optional().describe('Rejected-rows report parts rewritten without the person.'),
});
export type Erasure = z.infer<typeof erasureSchema>;

export class ErasureStore {
  private readonly table: JsonTable<Erasure>;

  constructor(storage: StorageClients) {
    this.table = new JsonTable(() => storage.ensureTable('erasures'), 'erasure');
  }

  async create(erasure: Erasure): Promise<void> {
    await this.table.replace(PARTITION, erasure.id, erasure);
  }

  async find(id: string): Promise<Erasure | undefined> {
    return (await this.table.find(PARTITION, id))?.value;
  }

  async update(id: string, change: (erasure: Erasure) => Erasure): Promise<Erasure> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.table.get(PARTITION, id);
      try {
        const next = change(current.value);
        await this.table.replace(PARTITION, id, next, current.etag);
        return next;
      } catch (error) {
        if (attempt >= 10) throw error;
      }
    }
  }
}

import { randomUUID } from 'node:crypto';
import type { Run } from '../domain/run.js';
import { NotFoundError, PreconditionFailedError } from '../errors.js';
import type { StorageClients } from './clients.js';
import { JsonTable } from './json-table.js';
import type { Page, PageQuery } from './paging.js';

const INDEX_PARTITION = 'run-index';

/**
 * Run records. A run lives in its export's partition under a row key that sorts newest
 * first, so `GET /exports/{id}/runs` is one range read; a small index row maps the run id
 * to its export for `GET /runs/{id}`.
 */
export class RunStore {
  private readonly runs: JsonTable<Run>;
  private readonly index: JsonTable<{ exportId: string }>;

  constructor(storage: StorageClients) {
    this.runs = new JsonTable(() => storage.ensureTable('runs'), 'run', (run) => ({ status: run.status }));
    this.index = new JsonTable(() => storage.ensureTable('runs'), 'run');
  }

  /** Run ids sort newest first: inverted milliseconds, then randomness against same-millisecond starts. */
  static newRunId(now = Date.now()): string {
    return `${String(9_999_999_999_999 - now).padStart(13, '0')}-${randomUUID().slice(0, 8)}`;
  }

  async create(run: Run): Promise<void> {
    await this.index.insert(INDEX_PARTITION, run.id, { exportId: run.exportId });
    await this.runs.replace(run.exportId, run.id, run);
  }

  async find(runId: string): Promise<Run | undefined> {
    const pointer = await this.index.find(INDEX_PARTITION, runId);
    if (!pointer) return undefined;
    return (await this.runs.find(pointer.value.exportId, runId))?.value;
  }

  async get(runId: string): Promise<Run> {
    const run = await this.find(runId);
    if (!run) throw new NotFoundError('run', runId);
    return run;
  }

  async listByExport(exportId: string, query: PageQuery): Promise<Page<Run>> {
    const page = await this.runs.page(exportId, query);
    return { ...page, items: page.items.map((s) => s.value) };
  }

  /**
   * Read-modify-write with optimistic concurrency: progress updates from parallel
   * activities never overwrite each other, they retry on a stale ETag.
   */
  async update(runId: string, exportId: string, change: (run: Run) => Run): Promise<Run> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.runs.find(exportId, runId);
      if (!current) throw new NotFoundError('run', runId);
      const next = change(current.value);
      try {
        await this.runs.replace(exportId, runId, next, current.etag);
        return next;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError) || attempt >= 20) throw error;
      }
    }
  }

  /** Removes a run record that never ran (its start lost a race). */
  async remove(runId: string, exportId: string): Promise<void> {
    await this.runs.delete(exportId, runId).catch(() => undefined);
    await this.index.delete(INDEX_PARTITION, runId).catch(() => undefined);
  }

  /** Deletes an export's run history (when the export is deleted). */
  async deleteByExport(exportId: string): Promise<void> {
    for await (const run of this.runs.all(exportId)) {
      await this.runs.delete(exportId, run.value.id).catch(() => undefined);
      await this.index.delete(INDEX_PARTITION, run.value.id).catch(() => undefined);
    }
  }
}

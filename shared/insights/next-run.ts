import type { AudienceDriftNote } from '../domain/run.js';
import type { Services } from '../services.js';
import { insightStore } from './store.js';

/**
 * What the latest readings say a run about to begin must know: the audiences whose size
 * disagrees with the ledger (written into its record), and whether any of them asks for a
 * full sync. Only readings taken since the previous run began count (its own reading is taken
 * at its end, once its sends are done): an older one describes an audience that run may
 * have set right. Never throws: a run begins without insights rather than not at all.
 */
export async function driftForNextRun(services: Pick<Services, 'storage' | 'runs'>, exportId: string, runId: string, segments: string[]): Promise<{ notes: AudienceDriftNote[]; fullSync: boolean }> {
  try {
    const recent = (await services.runs.listByExport(exportId, { top: 2 })).items;
    const previous = recent.find((run) => run.id !== runId);
    const since = previous ? Date.parse(previous.startedAt) : Number.NEGATIVE_INFINITY;
    const store = insightStore(services.storage);
    const notes: AudienceDriftNote[] = [];
    for (const segment of segments) {
      const latest = await store.latest(exportId, segment);
      if (!latest?.drift || Date.parse(latest.readAt) < since) continue;
      notes.push({ segment, message: latest.drift.message, action: latest.drift.action, readAt: latest.readAt, difference: latest.drift.difference });
    }
    return { notes, fullSync: notes.some((note) => note.action === 'full-sync') };
  } catch (error) {
    console.warn(`insights for run ${runId}: ${(error as Error).message}`);
    return { notes: [], fullSync: false };
  }
}

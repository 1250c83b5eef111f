import type { Run } from '../../domain/run.js';
import { notifyRunFinished } from '../../notifications/notify.js';
import type { Services } from '../../services.js';
import { recordNotification, recordRunFinished } from '../../telemetry/events.js';
import { stageTimes, type StageTotals } from '../../telemetry/stage-times.js';

const TERMINAL = new Set<Run['status']>(['succeeded', 'partially-succeeded', 'failed', 'skipped']);

/**
 * After a run's record is final: its telemetry, then its notifications. Neither may fail or
 * hold up the run: the record is already written, every error is caught and reported as
 * telemetry, and deliveries give up after their retries.
 */
export async function afterRunFinished(services: Pick<Services, 'exports' | 'storage' | 'secrets' | 'config'>, run: Run): Promise<void> {
  if (!TERMINAL.has(run.status)) return;
  let exportName: string | undefined;
  try {
    exportName = (await services.exports.findRecent(run.exportId))?.name;
  } catch {
    // The name is a nicety; the ids are in every event.
  }
  let stages: StageTotals = {};
  try {
    stages = await stageTimes(services.storage).collect(run.id);
  } catch {
    // Without them the event still has the run's total duration.
  }
  try {
    recordRunFinished(run, exportName, stages);
  } catch (error) {
    console.warn(`run ${run.id}: recording telemetry failed: ${(error as Error).message}`);
  }
  try {
    const outcomes = await notifyRunFinished(services, run, exportName ?? run.exportId);
    for (const outcome of outcomes) recordNotification({ exportId: run.exportId, runId: run.id, ...outcome });
  } catch (error) {
    console.warn(`run ${run.id}: notifying failed: ${(error as Error).message}`);
  }
}

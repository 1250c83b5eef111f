import type { Run } from '../domain/run.js';
import type { Services } from '../services.js';
import { readAudienceInsights, type ReadInsightsOutcome } from './read.js';
import { insightStore } from './store.js';

const HOUR = 3_600_000;
/** Destinations take up to 48 hours to match an upload: read often while they may still be at it. */
export const SETTLING_MS = 48 * HOUR;
export const SETTLING_INTERVAL_MS = 4 * HOUR;
export const SETTLED_INTERVAL_MS = 24 * HOUR;

/**
 * Whether an audience is due a reading: at once when nothing was read since the last run
 * ended (a deferred after-run reading), every 4 hours in the two days after a run, daily after.
 */
export function readingDue(lastRunFinishedAt: string, lastReadAt: string | undefined, now: Date): boolean {
  const finished = Date.parse(lastRunFinishedAt);
  if (lastReadAt === undefined || Date.parse(lastReadAt) < finished) return true;
  const interval = now.getTime() - finished < SETTLING_MS ? SETTLING_INTERVAL_MS : SETTLED_INTERVAL_MS;
  return now.getTime() - Date.parse(lastReadAt) >= interval;
}

const ACTIVE = new Set<Run['status']>(['queued', 'running']);

/**
 * The timer's pass: every export whose audiences are due a reading, except one with a run
 * queued or running (its sends come first; the run reads its audiences when it ends).
 */
export async function sweepInsights(services: Services, now = new Date()): Promise<ReadInsightsOutcome & { exports: number }> {
  const total = { exports: 0, read: 0, deferred: 0, failed: 0, skipped: 0 };
  const store = insightStore(services.storage);
  for (const exp of await services.exports.listAll()) {
    try {
      const [latest] = (await services.runs.listByExport(exp.id, { top: 1 })).items;
      if (!latest || ACTIVE.has(latest.status)) continue;
      const lastFinished = latest.finishedAt ?? latest.startedAt;
      const due: string[] = [];
      for (const segment of exp.segments) {
        if (readingDue(lastFinished, (await store.latest(exp.id, segment))?.readAt, now)) due.push(segment);
      }
      if (due.length === 0) continue;
      const outcome = await readAudienceInsights(services, { exportId: exp.id, trigger: 'timer', segments: due });
      total.exports++;
      total.read += outcome.read;
      total.deferred += outcome.deferred;
      total.failed += outcome.failed;
      total.skipped += outcome.skipped;
    } catch (error) {
      console.warn(`insights sweep, export ${exp.id}: ${(error as Error).message}`);
      total.failed++;
    }
  }
  return total;
}

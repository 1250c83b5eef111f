import type { Services } from '../services.js';
import { deleteWorkFiles } from '../pipeline/run-files/work-files.js';
import { insightStore } from '../insights/store.js';

/**
 * Retention: run records and their rejected-rows reports (which hold email addresses)
 * older than RETENTION_DAYS are deleted. Runs count from when they ended (or started, if
 * they never did). The blob lifecycle rule in Azure deletes old report and work blobs as
 * well, so nothing outlives the period even if this purge stopped running. Audience readings
 * (the insights time series) older than the period go too.
 */
export async function purgeExpired(services: Services, now = new Date()): Promise<{ runs: number; reportBlobs: number; audienceReadings: number }> {
  const cutoff = now.getTime() - services.config.retentionDays * 86_400_000;
  const reports = await services.storage.ensureContainer(services.config.containers.reports);
  let runs = 0;
  let reportBlobs = 0;
  let audienceReadings = 0;
  for (const exp of await services.exports.listAll()) {
    const expired: string[] = [];
    let continuation: string | undefined;
    do {
      const page = await services.runs.listByExport(exp.id, { top: 1000, ...(continuation ? { continuation } : {}) });
      for (const run of page.items) {
        const ended = Date.parse(run.finishedAt ?? run.startedAt);
        if (run.finishedAt && ended < cutoff) expired.push(run.id);
      }
      continuation = page.continuation;
    } while (continuation);
    for (const runId of expired) {
      reportBlobs += await deleteWorkFiles(reports, runId);
      await services.runs.remove(runId, exp.id);
      runs++;
    }
    audienceReadings += await insightStore(services.storage).purge(exp.id, new Date(cutoff));
  }
  return { runs, reportBlobs, audienceReadings };
}

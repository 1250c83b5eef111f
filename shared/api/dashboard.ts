import { z } from 'zod';
import { runStatuses, type Run } from '../domain/run.js';
import type { Principal } from '../domain/principal.js';
import { audienceStates } from '../insights/model.js';
import { insightStore } from '../insights/store.js';
import type { Services } from '../services.js';
import type { Page, PageQuery } from '../storage/paging.js';
import { listExports, type ExportView } from './exports.js';
import { nextRuns } from './schedule.js';

/** Runs looked at for a failure streak: a longer streak reads as "20 or more". */
export const STREAK_WINDOW = 20;

export const exportHealthSchema = z.object({
  exportId: z.string(),
  name: z.string(),
  destinationType: z.string(),
  enabled: z.boolean(),
  disabledReason: z.string().optional(),
  segments: z.number().int().describe('Segments (audiences) the export sends.'),
  lastRun: z
    .object({
      id: z.string(),
      status: z.enum(runStatuses),
      trigger: z.string(),
      reason: z.string().optional(),
      startedAt: z.string(),
      finishedAt: z.string().optional(),
    })
    .nullable()
    .describe('The newest run; null before the first.'),
  failureStreak: z
    .number()
    .int()
    .nonnegative()
    .describe(`Finished runs in a row, newest first, that ended \`failed\` (a run still active is passed over); at most ${STREAK_WINDOW}.`),
  nextScheduledRun: z
    .string()
    .nullable()
    .describe('The next time the refresh schedule runs it (ISO 8601, UTC); null when it is disabled, does not follow the schedule, or the schedule is off.'),
  audiences: z
    .object(Object.fromEntries(audienceStates.map((state) => [state, z.number().int().nonnegative()])) as Record<(typeof audienceStates)[number], z.ZodNumber>)
    .extend({
      unread: z.number().int().nonnegative().describe('Segments with no reading yet.'),
      drift: z.number().int().nonnegative().describe('Audiences whose latest reading disagrees with the ledger.'),
    })
    .describe("The export's audiences by the state of their latest reading."),
});
export type ExportHealth = z.infer<typeof exportHealthSchema>;

/** Counts finished runs ending `failed`, newest first, until one did not; active runs at the head are passed over. */
export function failureStreak(runs: Pick<Run, 'status'>[]): number {
  let streak = 0;
  for (const run of runs) {
    if (run.status === 'queued' || run.status === 'running') continue;
    if (run.status !== 'failed') break;
    streak++;
  }
  return streak;
}

async function healthOf(services: Services, exp: ExportView, next: string | null): Promise<ExportHealth> {
  const runs = (await services.runs.listByExport(exp.id, { top: STREAK_WINDOW })).items;
  const last = runs[0];
  const store = insightStore(services.storage);
  const readings = await Promise.all(exp.segments.map((segment) => store.latest(exp.id, segment)));
  const audiences = { ...Object.fromEntries(audienceStates.map((state) => [state, 0])), unread: 0, drift: 0 } as ExportHealth['audiences'];
  for (const reading of readings) {
    if (!reading) audiences.unread++;
    else {
      audiences[reading.state]++;
      if (reading.drift) audiences.drift++;
    }
  }
  return {
    exportId: exp.id,
    name: exp.name,
    destinationType: exp.destinationType,
    enabled: exp.enabled,
    ...(exp.disabledReason ? { disabledReason: exp.disabledReason } : {}),
    segments: exp.segments.length,
    lastRun: last
      ? {
          id: last.id,
          status: last.status,
          trigger: last.trigger,
          ...(last.reason ? { reason: last.reason } : {}),
          startedAt: last.startedAt,
          ...(last.finishedAt ? { finishedAt: last.finishedAt } : {}),
        }
      : null,
    failureStreak: failureStreak(runs),
    nextScheduledRun: exp.enabled && exp.schedule === 'inherit' ? next : null,
    audiences,
  };
}

/**
 * Every export the caller may see (contributors: those on connections open to them, as for
 * runs), a page at a time, with its health: the last run, the failure streak, the next
 * scheduled run and its audiences by state.
 */
export async function exportHealth(services: Services, principal: Principal, query: PageQuery, now = new Date()): Promise<Page<ExportHealth>> {
  const page = await listExports(services, principal, query);
  const schedule = (await services.schedule.effective()).schedule;
  const [next] = nextRuns(schedule, 1, now);
  return { ...page, items: await Promise.all(page.items.map((exp) => healthOf(services, exp, next ?? null))) };
}

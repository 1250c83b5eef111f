import { CronExpressionParser } from 'cron-parser';
import type { Services } from '../../services.js';
import { JsonTable } from '../../storage/json-table.js';
import { PreconditionFailedError } from '../../errors.js';
import { startRuns, type RunStarter, type StartRunResult } from './run-service.js';

/**
 * The scheduled refresh. A timer trigger's schedule is fixed when the app starts, yet an
 * admin can change the schedule at run time (PUT /api/schedule). So the timer ticks every
 * minute and this decides whether a fire time of the effective schedule has passed since
 * the last refresh. The last fire time is claimed with an ETag, so when several instances
 * tick at once exactly one of them starts the refresh.
 */
export type RefreshOutcome = { due: false; why: string } | { due: true; fireTime: string; runs: StartRunResult[] };

interface RefreshClaim {
  lastFireTime: string;
}

export function previousFireTime(cron: string, now: Date): Date {
  return CronExpressionParser.parse(cron, { currentDate: now, tz: 'UTC' }).prev().toDate();
}

export async function runScheduledRefresh(services: Services, starter: RunStarter, now: Date): Promise<RefreshOutcome> {
  const schedule = await services.schedule.get();
  if (!schedule.enabled) return { due: false, why: 'the schedule is disabled' };
  const fireTime = previousFireTime(schedule.cron, now).toISOString();
  const claims = new JsonTable<RefreshClaim>(() => services.storage.ensureTable('refreshclaims'), 'refresh claim');
  const last = await claims.find('refresh', 'last');
  if (!last) {
    // First tick ever: like a timer, wait for the next fire time instead of firing at once.
    await claims.insert('refresh', 'last', { lastFireTime: fireTime });
    return { due: false, why: 'first tick: waiting for the next fire time' };
  }
  if (last.value.lastFireTime >= fireTime) return { due: false, why: `already refreshed for ${last.value.lastFireTime}` };
  try {
    await claims.replace('refresh', 'last', { lastFireTime: fireTime }, last.etag);
  } catch (error) {
    if (error instanceof PreconditionFailedError) return { due: false, why: 'another instance claimed this refresh' };
    throw error;
  }
  const exportsToRun = (await services.exports.listEnabled()).filter((e) => e.schedule === 'inherit');
  return { due: true, fireTime, runs: await startRuns(services, starter, exportsToRun, 'schedule') };
}

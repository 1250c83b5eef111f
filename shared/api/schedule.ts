import { CronExpressionParser } from 'cron-parser';
import type { Principal } from '../domain/principal.js';
import type { Schedule } from '../domain/schedule.js';
import { assertIfMatch } from './etag.js';
import { requireRole, userRef } from './access.js';
import type { ApiServices } from './deps.js';
import type { PutScheduleBody } from './schemas.js';

export type ScheduleView = Schedule & { source: 'api' | 'setting'; nextRuns: string[] };

/** The next `count` fire times in UTC, so people can check what an expression means before they rely on it. */
export function nextRuns(schedule: Pick<Schedule, 'cron' | 'enabled'>, count = 5, from = new Date()): string[] {
  if (!schedule.enabled) return [];
  const expression = CronExpressionParser.parse(schedule.cron, { tz: 'UTC', currentDate: from });
  return expression.take(count).map((date) => date.toISOString() ?? '');
}

export async function getSchedule(services: Pick<ApiServices, 'schedule'>, principal: Principal): Promise<ScheduleView> {
  requireRole(principal, ['admin']);
  const effective = await services.schedule.effective();
  return { ...effective.schedule, ...(effective.etag ? { etag: effective.etag } : {}), source: effective.source, nextRuns: nextRuns(effective.schedule) };
}

/** Saves the refresh schedule; the timer picks it up on its next tick. */
export async function putSchedule(
  services: Pick<ApiServices, 'schedule'>,
  principal: Principal,
  body: PutScheduleBody,
  ifMatch?: string[],
  now = new Date(),
): Promise<ScheduleView> {
  requireRole(principal, ['admin']);
  const current = await services.schedule.effective();
  assertIfMatch('schedule', 'refresh', current.etag, ifMatch);
  const saved = await services.schedule.put(
    { cron: body.cron, enabled: body.enabled, updatedBy: userRef(principal), updatedAt: now.toISOString() },
    current.etag,
  );
  return { ...saved.value, etag: saved.etag, source: 'api', nextRuns: nextRuns(saved.value, 5, now) };
}

import type { Principal } from '../domain/principal.js';
import type { Schedule } from '../domain/schedule.js';
import { assertIfMatch } from '../http/etag.js';
import { requireRole, userRef } from './access.js';
import type { ApiServices } from './deps.js';
import type { PutScheduleBody } from './schemas.js';

export type ScheduleView = Schedule & { source: 'api' | 'setting' };

export async function getSchedule(services: Pick<ApiServices, 'schedule'>, principal: Principal): Promise<ScheduleView> {
  requireRole(principal, ['admin']);
  const effective = await services.schedule.effective();
  return { ...effective.schedule, ...(effective.etag ? { etag: effective.etag } : {}), source: effective.source };
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
  return { ...saved.value, etag: saved.etag, source: 'api' };
}

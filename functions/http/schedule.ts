import { getSchedule, putSchedule } from '../../shared/api/schedule.js';
import { putScheduleBodySchema, scheduleResponseSchema } from '../../shared/api/schemas.js';
import { defineRoute, registerRoutes } from './route.js';

const tag = 'schedule';

export const scheduleRoutes = [
  defineRoute({
    name: 'getSchedule',
    method: 'GET',
    path: 'schedule',
    tag,
    roles: ['admin'],
    summary: 'Read the refresh schedule',
    description: 'Until an admin saves one, the REFRESH_SCHEDULE setting (`source: setting`, no ETag).',
    responses: { 200: { description: 'The effective schedule', schema: scheduleResponseSchema, headers: ['ETag'] } },
    handle: async ({ services, principal }) => {
      const schedule = await getSchedule(services, principal);
      return { body: schedule, ...(schedule.etag ? { etag: schedule.etag } : {}) };
    },
  }),
  defineRoute({
    name: 'putSchedule',
    method: 'PUT',
    path: 'schedule',
    tag,
    roles: ['admin'],
    summary: 'Set the refresh schedule',
    description: 'NCRONTAB with six fields (seconds first), UTC. Applies from the next timer tick, without a restart.',
    body: putScheduleBodySchema,
    ifMatch: true,
    responses: { 200: { description: 'The saved schedule', schema: scheduleResponseSchema, headers: ['ETag'] } },
    handle: async ({ services, principal, body, ifMatch }) => {
      const saved = await putSchedule(services, principal, body, ifMatch);
      return { body: saved, ...(saved.etag ? { etag: saved.etag } : {}) };
    },
  }),
];

registerRoutes(scheduleRoutes);

import type { AppConfig } from '../config.js';
import type { Schedule } from '../domain/schedule.js';
import type { StorageClients } from './clients.js';
import { JsonTable, type Stored } from './json-table.js';

const PARTITION = 'schedule';
const ROW = 'refresh';

export type StoredSchedule = Omit<Schedule, 'etag'>;

/** The effective schedule and where it comes from; `etag` only once an admin has saved one. */
export interface EffectiveSchedule {
  schedule: StoredSchedule;
  etag?: string;
  source: 'api' | 'setting';
}

/**
 * The system refresh schedule. Until an admin saves one (PUT /api/schedule) it is the
 * REFRESH_SCHEDULE setting, enabled. The timer reads it on every tick, so a change applies
 * without a restart.
 */
export class ScheduleStore {
  private readonly table: JsonTable<StoredSchedule>;

  constructor(
    storage: StorageClients,
    private readonly config: Pick<AppConfig, 'refreshSchedule'>,
  ) {
    this.table = new JsonTable(() => storage.ensureTable('schedule'), 'schedule');
  }

  async get(): Promise<Schedule> {
    return (await this.effective()).schedule;
  }

  async effective(): Promise<EffectiveSchedule> {
    const stored = await this.table.find(PARTITION, ROW);
    if (stored) return { schedule: stored.value, etag: stored.etag, source: 'api' };
    return { schedule: { cron: this.config.refreshSchedule, enabled: true }, source: 'setting' };
  }

  /** Saves the schedule; given the ETag it was read with, only if nobody changed it since (412). */
  async put(schedule: StoredSchedule, etag?: string): Promise<Stored<StoredSchedule>> {
    if (etag) return this.table.replace(PARTITION, ROW, schedule, etag);
    return this.table.replace(PARTITION, ROW, schedule);
  }
}

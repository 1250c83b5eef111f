import { RestError, type TableClient } from '@azure/data-tables';
import type { Timer } from '@azure/functions';
import { consoleLogSink, type LogSink } from './invoke.js';
import type { TimerSchedule } from './timer-schedule.js';

/**
 * Runs one timer-triggered function on its schedule. Like the Functions host with
 * `useMonitor` (the default), it records the schedule status in storage, so a tick missed
 * while the host was down fires once at startup with `isPastDue: true`. The status is the
 * host's bookkeeping: storage that refuses a write is logged, and the schedule goes on; a
 * tick never ends in a rejection nobody handles, which would take the whole host down.
 */
export interface TimerStatus {
  last: string;
  next: string;
  lastUpdated: string;
}

const MAX_TIMEOUT = 2 ** 31 - 1;

export class TimerTrigger {
  private handle?: NodeJS.Timeout;
  private stopped = false;
  private running?: Promise<void>;
  private status?: TimerStatus;

  constructor(
    readonly functionName: string,
    private readonly schedule: TimerSchedule,
    private readonly invoke: (timer: Timer) => Promise<void>,
    private readonly statusTable: TableClient | undefined,
    private readonly runOnStartup = false,
    private readonly log: LogSink = consoleLogSink,
  ) {}

  async start(): Promise<void> {
    this.status = await this.readStatus();
    const now = new Date();
    const missed = this.status !== undefined && Date.parse(this.status.next) < now.getTime();
    if (missed || this.runOnStartup) await this.fire(missed);
    await this.arm();
  }

  /** Fires the function now (the admin API); the schedule is unchanged. */
  fireNow(): Promise<void> {
    return this.fire(false);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.handle) clearTimeout(this.handle);
    await this.running?.catch(() => undefined);
  }

  private async arm(): Promise<void> {
    if (this.stopped) return;
    const next = this.schedule.next(new Date());
    const now = new Date().toISOString();
    this.status = { last: this.status?.last ?? now, next: next.toISOString(), lastUpdated: now };
    await this.writeStatus(this.status);
    this.wait(next);
  }

  private wait(due: Date): void {
    const delay = due.getTime() - Date.now();
    this.handle = setTimeout(() => {
      if (this.stopped) return;
      if (Date.now() < due.getTime()) return this.wait(due);
      void this.tick();
    }, Math.min(Math.max(delay, 0), MAX_TIMEOUT));
    this.handle.unref();
  }

  /** A scheduled tick: a failed run is logged, and the timer is armed again whatever happened. */
  private async tick(): Promise<void> {
    try {
      await this.fire(false);
    } catch (error) {
      this.report('error', `${this.functionName} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    await this.arm();
  }

  private async fire(isPastDue: boolean): Promise<void> {
    const now = new Date().toISOString();
    const timer: Timer = {
      isPastDue,
      schedule: { adjustForDST: true },
      scheduleStatus: this.status ?? { last: now, next: now, lastUpdated: now },
    };
    const run = this.invoke(timer);
    this.running = run;
    try {
      await run;
    } finally {
      this.status = { ...(this.status ?? timer.scheduleStatus), last: now, lastUpdated: new Date().toISOString() };
      await this.writeStatus(this.status);
    }
  }

  /**
   * The status at start. Storage that refuses the read (a restart during a brown-out) costs
   * at most the catch-up of a tick missed while the host was down; it never stops the host
   * from starting.
   */
  private async readStatus(): Promise<TimerStatus | undefined> {
    if (!this.statusTable) return undefined;
    try {
      const row = await this.statusTable.getEntity<{ Last: string; Next: string; LastUpdated: string }>('timers', this.functionName);
      return { last: row.Last, next: row.Next, lastUpdated: row.LastUpdated };
    } catch (error) {
      if (!(error instanceof RestError && error.statusCode === 404)) {
        this.report('warning', `could not read the schedule status; a tick missed while the host was down is not made up: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      }
      return undefined;
    }
  }

  /** Never throws: a status not written means at most one extra tick, marked `isPastDue`, at the next start. */
  private async writeStatus(status: TimerStatus): Promise<void> {
    try {
      await this.statusTable?.upsertEntity(
        { partitionKey: 'timers', rowKey: this.functionName, Last: status.last, Next: status.next, LastUpdated: status.lastUpdated },
        'Replace',
      );
    } catch (error) {
      this.report('warning', `could not record the schedule status (next ${status.next}): ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }

  private report(level: 'warning' | 'error', message: string): void {
    this.log({ level, functionName: this.functionName, invocationId: 'timer-trigger', message, time: new Date() });
  }
}

import { CronExpressionParser } from 'cron-parser';
import { checkNcrontab } from '../../shared/api/ncrontab.js';

/**
 * A timer trigger's schedule as the Functions host reads it: a six-field NCRONTAB
 * expression (`{second} {minute} {hour} {day} {month} {day-of-week}`, evaluated in UTC
 * unless WEBSITE_TIME_ZONE names an IANA zone) or a TimeSpan (`hh:mm:ss`, `d.hh:mm:ss`).
 */
export interface TimerSchedule {
  expression: string;
  /** The first occurrence strictly after `after`. */
  next(after: Date): Date;
}

export function parseTimerSchedule(expression: string, timeZone = process.env.WEBSITE_TIME_ZONE || 'UTC'): TimerSchedule {
  const trimmed = expression.trim();
  const timeSpan = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$/.exec(trimmed);
  if (timeSpan) {
    const [days, hours, minutes, seconds] = timeSpan.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number];
    const period = (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1_000;
    if (period <= 0) throw new Error(`timer schedule '${expression}': a TimeSpan schedule must be longer than zero`);
    return { expression: trimmed, next: (after) => new Date(after.getTime() + period) };
  }
  const check = checkNcrontab(trimmed, timeZone);
  // Checked once up front so a bad schedule fails at startup, not at its first tick.
  if (check?.problem === 'field-count') {
    throw new Error(
      `timer schedule '${expression}' is not a six-field NCRONTAB expression ({second} {minute} {hour} {day} {month} {day-of-week}); it has ${check.fields} fields`,
    );
  }
  if (check) throw new Error(`timer schedule '${expression}' is not valid NCRONTAB: ${check.reason}`);
  return {
    expression: trimmed,
    next: (after) => CronExpressionParser.parse(trimmed, { currentDate: after, tz: timeZone }).next().toDate(),
  };
}

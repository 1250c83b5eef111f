import { describe, expect, it } from 'vitest';
import { parseTimerSchedule } from './timer-schedule.js';

describe('timer schedules', () => {
  it('reads six-field NCRONTAB, seconds first, in UTC', () => {
    const everySixHours = parseTimerSchedule('0 0 */6 * * *', 'UTC');
    expect(everySixHours.next(new Date('2024-05-01T05:59:59Z')).toISOString()).toBe('2024-05-01T06:00:00.000Z');
    const weekdays = parseTimerSchedule('30 15 9 * * 1-5', 'UTC');
    // 2024-05-04 is a Saturday: the next weekday 09:15:30 is Monday the 6th.
    expect(weekdays.next(new Date('2024-05-04T00:00:00Z')).toISOString()).toBe('2024-05-06T09:15:30.000Z');
  });

  it('honours a time zone', () => {
    const nineInAmsterdam = parseTimerSchedule('0 0 9 * * *', 'Europe/Amsterdam');
    expect(nineInAmsterdam.next(new Date('2024-05-01T00:00:00Z')).toISOString()).toBe('2024-05-01T07:00:00.000Z');
  });

  it('reads TimeSpan schedules', () => {
    expect(parseTimerSchedule('00:05:00').next(new Date('2024-05-01T00:00:00Z')).toISOString()).toBe('2024-05-01T00:05:00.000Z');
    expect(parseTimerSchedule('1.00:00:00').next(new Date('2024-05-01T00:00:00Z')).toISOString()).toBe('2024-05-02T00:00:00.000Z');
  });

  it('refuses five-field cron and nonsense with the reason', () => {
    expect(() => parseTimerSchedule('*/5 * * * *')).toThrow(/six-field NCRONTAB.*5 fields/);
    expect(() => parseTimerSchedule('0 0 25 * * *')).toThrow(/not valid NCRONTAB/);
  });
});

import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';

/**
 * NCRONTAB as Azure Functions timers use it: six fields, seconds first
 * (`{second} {minute} {hour} {day} {month} {day-of-week}`). cron-parser also accepts the
 * five-field form, which the host would not, so the field count is checked here first.
 * The API and the local host's timers both check with this; each words the problem itself.
 */
export type NcrontabCheck = { problem: 'field-count'; fields: number } | { problem: 'invalid'; reason: string };

export function checkNcrontab(expression: string, timeZone = 'UTC'): NcrontabCheck | undefined {
  const fields = expression.trim().split(/\s+/).length;
  if (fields !== 6) return { problem: 'field-count', fields };
  try {
    CronExpressionParser.parse(expression.trim(), { tz: timeZone });
    return undefined;
  } catch (error) {
    return { problem: 'invalid', reason: (error as Error).message };
  }
}

export function ncrontabProblem(expression: string): string | undefined {
  const check = checkNcrontab(expression);
  if (!check) return undefined;
  return check.problem === 'field-count'
    ? `NCRONTAB needs six fields (second minute hour day month day-of-week); got ${check.fields}`
    : `not a valid NCRONTAB expression: ${check.reason}`;
}

export const ncrontabSchema = z
  .string()
  .trim()
  .min(1)
  .max(120)
  .superRefine((value, ctx) => {
    const problem = ncrontabProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('NCRONTAB, six fields, seconds first, UTC: `0 0 */6 * * *` is every six hours.');

import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';

/**
 * NCRONTAB as Azure Functions timers use it: six fields, seconds first
 * (`{second} {minute} {hour} {day} {month} {day-of-week}`). cron-parser also accepts the
 * five-field form, which the host would not, so the field count is checked here first.
 */
export function ncrontabProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) {
    return `NCRONTAB needs six fields (second minute hour day month day-of-week); got ${fields.length}`;
  }
  try {
    CronExpressionParser.parse(expression, { tz: 'UTC' });
    return undefined;
  } catch (error) {
    return `not a valid NCRONTAB expression: ${(error as Error).message}`;
  }
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

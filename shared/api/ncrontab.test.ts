import { describe, expect, it } from 'vitest';
import { ncrontabProblem, ncrontabSchema } from './ncrontab.js';

describe('NCRONTAB', () => {
  it.each(['0 0 */6 * * *', '0 30 2 * * *', '0 0 12 * * MON-FRI', '*/30 * * * * *'])('accepts %s', (expression) => {
    expect(ncrontabProblem(expression)).toBeUndefined();
  });

  it.each([
    ['0 */6 * * *', /six fields/],
    ['0 0 0 0 0 0 0', /six fields/],
    ['61 * * * * *', /not a valid/],
    ['0 0 25 * * *', /not a valid/],
    ['a b c d e f', /not a valid/],
  ])('rejects %s', (expression, message) => {
    expect(ncrontabProblem(expression)).toMatch(message);
  });

  it('reports the problem on the field', () => {
    const result = ncrontabSchema.safeParse('* * * * *');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/six fields/);
  });
});

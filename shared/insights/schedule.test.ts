import { describe, expect, it } from 'vitest';
import { readingBudget } from './budget.js';
import { readingDue } from './schedule.js';

const at = (hours: number) => new Date(Date.UTC(2026, 0, 1) + hours * 3_600_000);
const iso = (hours: number) => at(hours).toISOString();

describe('readingDue', () => {
  it('reads at once when nothing was read since the last run ended', () => {
    expect(readingDue(iso(0), undefined, at(0.1))).toBe(true);
    expect(readingDue(iso(10), iso(9), at(10.1))).toBe(true);
  });

  it('reads every 4 hours in the two days after a run', () => {
    expect(readingDue(iso(0), iso(1), at(4.9))).toBe(false);
    expect(readingDue(iso(0), iso(1), at(5))).toBe(true);
    expect(readingDue(iso(0), iso(40), at(44))).toBe(true);
  });

  it('reads daily after that', () => {
    expect(readingDue(iso(0), iso(50), at(60))).toBe(false);
    expect(readingDue(iso(0), iso(50), at(74))).toBe(true);
  });
});

describe('readingBudget', () => {
  it('lets a connection read its share in a minute, then refuses until the minute has passed', () => {
    let now = 0;
    const budget = readingBudget('budget-test', 3, () => now);
    expect([budget.take(), budget.take(), budget.take(), budget.take()]).toEqual([true, true, true, false]);
    now = 59_000;
    expect(budget.take()).toBe(false);
    now = 60_001;
    expect(budget.take()).toBe(true);
    expect(readingBudget('another-connection', 3, () => now).take()).toBe(true);
  });
});

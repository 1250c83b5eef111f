import { describe, expect, it } from 'vitest';
import type { Run } from '../domain/run.js';
import { failureStreak } from './dashboard.js';

const runs = (...statuses: Run['status'][]) => statuses.map((status) => ({ status }));

describe('failureStreak', () => {
  it('counts failed runs in a row, newest first, until one that did not fail', () => {
    expect(failureStreak(runs('failed', 'failed', 'succeeded', 'failed'))).toBe(2);
    expect(failureStreak(runs('partially-succeeded', 'failed'))).toBe(0);
    expect(failureStreak(runs())).toBe(0);
  });

  it('passes over a run still active at the head: it has not ended the streak yet', () => {
    expect(failureStreak(runs('running', 'failed', 'failed'))).toBe(2);
    expect(failureStreak(runs('queued', 'skipped', 'failed'))).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { destinationTypes } from '../shared/destinations/registry.js';
import { formatTable, runBenchmark } from './run.js';

/**
 * The benchmark's short mode, as CI runs it: it completes and every count reconciles. No
 * timing is asserted. Eight destinations, each run, its baseline and its fresh-process run:
 * 10,000 rows each keeps it within a few minutes on a busy 2-core machine.
 */
describe('npm run bench -- --rows 10000', () => {
  it('runs every destination end to end and reconciles the counts', async () => {
    const summary = await runBenchmark({ rows: 10_000, destinations: [...destinationTypes], rateLimits: 'off' });

    expect(summary.results.map((r) => r.destination)).toEqual([...destinationTypes]);
    for (const result of summary.results) {
      expect(result.mismatches, result.destination).toEqual([]);
      expect(result).toMatchObject({ rows: 10_000, status: 'succeeded', reconciled: true });
      // The baseline ran on the same file and the sink received every valid address once.
      expect(result.baseline?.received).toBe(result.valid);
    }
    expect(formatTable(summary)).toContain('microsoft-advertising');
  }, 240_000);
});

import { describe, expect, it } from 'vitest';
import { formatTable, runBenchmark } from './run.js';

/**
 * The mirror-sync mode in short, as CI runs it: it completes and reconciles; no timing is
 * asserted. Its own file: the app's functions register once per process, so one benchmark a file.
 */
describe('npm run bench -- --churn', () => {
  it('--churn runs a full sync and a refresh per destination, then the refresh back in a fresh process, and reconciles what left and joined', async () => {
    const summary = await runBenchmark({ rows: 5_000, destinations: ['microsoft-advertising', 'autopilot'], rateLimits: 'off', churn: 0.02 });

    for (const result of summary.churn ?? []) {
      expect(result.mismatches, result.destination).toEqual([]);
      const [full, refresh] = result.runs;
      expect(full).toMatchObject({ kind: 'full sync', status: 'succeeded', removed: 0 });
      expect(refresh).toMatchObject({ kind: 'refresh', status: 'succeeded', ledgerSize: full!.ledgerSize });
      expect(refresh!.added).toBeGreaterThan(0);
      expect(refresh!.sent).toBe(refresh!.added);
      // The fresh-process refresh goes back to the first file: the same churn the other way.
      expect(result.appRefresh).toMatchObject({ added: refresh!.added, removed: refresh!.removed });
      expect(result.appRefresh.peakRssMb).toBeGreaterThan(0);
    }
    expect(summary.churn).toHaveLength(2);
    expect(formatTable(summary)).toContain('refresh');
  }, 120_000);
});

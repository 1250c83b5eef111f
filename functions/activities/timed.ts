import { recordStage } from '../../shared/telemetry/events.js';

type StageContext = { runId?: string; exportId?: string; segment?: string };

/**
 * Wraps an activity so each execution reports its stage and duration (an `ExportStage`
 * event): the per-stage durations of a run, summed per run in docs/operations.md.
 */
export function timed<I, O>(stage: string, contextOf: (input: I) => StageContext, run: (input: I) => Promise<O>): (input: I) => Promise<O> {
  return async (input: I) => {
    const started = performance.now();
    try {
      const output = await run(input);
      recordStage(stage, contextOf(input), performance.now() - started);
      return output;
    } catch (error) {
      recordStage(stage, contextOf(input), performance.now() - started, error instanceof Error ? error.message : String(error));
      throw error;
    }
  };
}

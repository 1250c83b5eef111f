import { getServices } from '../../shared/services.js';
import { recordStage } from '../../shared/telemetry/events.js';
import { stageTimes } from '../../shared/telemetry/stage-times.js';

type StageContext = { runId?: string; exportId?: string; segment?: string };

/**
 * Wraps an activity so each execution reports its stage and duration: an `ExportStage`
 * event, and a row the run's end adds up into its `ExportRun` event. Neither may fail the
 * activity.
 */
export function timed<I, O>(
  stage: string,
  contextOf: (input: I) => StageContext,
  run: (input: I) => Promise<O>,
  /** false for the step that adds the totals up (it is still running when it does). */
  addToRunTotals = true,
): (input: I) => Promise<O> {
  return async (input: I) => {
    const started = performance.now();
    const report = async (failed?: string) => {
      const ms = performance.now() - started;
      const context = contextOf(input);
      try {
        recordStage(stage, context, ms, failed);
        if (addToRunTotals && context.runId) await stageTimes(getServices().storage).record(context.runId, stage, ms);
      } catch {
        // Timing is a nicety; the activity's outcome is what counts.
      }
    };
    try {
      const output = await run(input);
      await report();
      return output;
    } catch (error) {
      await report(error instanceof Error ? error.message : String(error));
      throw error;
    }
  };
}

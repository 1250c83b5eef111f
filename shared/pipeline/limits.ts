import type { DestinationLimits } from '../destinations/types.js';
import type { WorkFileRef, WorkFileSlice } from './run-files/work-files.js';

export type { WorkFileSlice };

/** What a run does with one prepared segment once the destination's limits are applied. */
export type LimitDecision =
  | { action: 'send'; send: number; overLimit: number; reason?: 'over-limit' }
  | { action: 'skip'; reason: 'segment-too-small' | 'segment-empty'; detail: string }
  | { action: 'fail'; reason: 'segment-too-large'; detail: string };

/**
 * Applies the limits to an export's segments in order (pure, so the orchestrator can call
 * it during replay). A segment below the minimum is skipped; above the per-segment maximum
 * or the export's remaining total it fails, unless the export opted into `truncate`: then
 * the first N valid rows in file order are sent and the rest reported as `over-limit`.
 * Skipped and failed segments use none of the export's total.
 */
export function applyLimits(limits: DestinationLimits, validCounts: number[], truncate: boolean): LimitDecision[] {
  let remainingTotal = limits.maxTotalPerExport ?? Number.POSITIVE_INFINITY;
  return validCounts.map((valid): LimitDecision => {
    if (valid === 0) return { action: 'skip', reason: 'segment-empty', detail: 'no valid profiles to send' };
    if (limits.minPerSegment !== undefined && valid < limits.minPerSegment) {
      return {
        action: 'skip',
        reason: 'segment-too-small',
        detail: `${valid} valid profiles; the destination needs at least ${limits.minPerSegment}`,
      };
    }
    const perSegment = limits.maxPerSegment ?? Number.POSITIVE_INFINITY;
    const cap = Math.min(perSegment, remainingTotal);
    if (valid <= cap) {
      remainingTotal -= valid;
      return { action: 'send', send: valid, overLimit: 0 };
    }
    const which =
      cap === perSegment
        ? `the destination takes at most ${perSegment} per segment`
        : `the export may send at most ${limits.maxTotalPerExport} in total and ${remainingTotal} remain`;
    if (!truncate || cap === 0 || (limits.minPerSegment !== undefined && cap < limits.minPerSegment)) {
      return { action: 'fail', reason: 'segment-too-large', detail: `${valid} valid profiles; ${which}` };
    }
    remainingTotal -= cap;
    return { action: 'send', send: cap, overLimit: valid - cap, reason: 'over-limit' };
  });
}

/** Splits a segment's work files at `send` records: what to upload, and what to report as over-limit. */
export function planUploads(workFiles: WorkFileRef[], send: number): { upload: WorkFileSlice[]; overLimit: WorkFileSlice[] } {
  const upload: WorkFileSlice[] = [];
  const overLimit: WorkFileSlice[] = [];
  let left = send;
  for (const file of workFiles) {
    if (left >= file.records) {
      upload.push({ name: file.name, records: file.records });
      left -= file.records;
    } else if (left > 0) {
      upload.push({ name: file.name, records: left, take: left });
      // The rest of this file, from record `left` on, is over the limit.
      overLimit.push({ name: file.name, records: file.records - left, skip: left });
      left = 0;
    } else {
      overLimit.push({ name: file.name, records: file.records });
    }
  }
  return { upload, overLimit };
}

/**
 * When preparation may send a segment's work files as it writes them (before its count is
 * known), the limits still decide. `cap` is the most the segment may send whatever the
 * counts of the export's other segments, `min` the fewest valid profiles before anything
 * goes.
 */
export interface EarlySendRule {
  cap: number;
  min: number;
  truncate: boolean;
}

/**
 * The rule for a segment, or undefined when its room depends on other segments' counts: with
 * an export-wide total (Autopilot), a later segment may send what the segments before it
 * left, which is known only once they are prepared. The first segment's decision in
 * applyLimits depends on its own count alone. A truncating export whose cap is below the
 * minimum fails the segment whatever its count, so it never sends early either.
 */
export function earlySendRule(limits: DestinationLimits, segmentIndex: number, truncate: boolean): EarlySendRule | undefined {
  if (limits.maxTotalPerExport !== undefined && segmentIndex > 0) return undefined;
  const cap = Math.min(limits.maxPerSegment ?? Number.POSITIVE_INFINITY, limits.maxTotalPerExport ?? Number.POSITIVE_INFINITY);
  const min = Math.max(1, limits.minPerSegment ?? 1);
  if (cap < min) return undefined;
  return { cap, min, truncate };
}

/**
 * How many of the segment's first valid profiles (in file order) may be sent before its
 * count is known, given an upper bound on its records and the valid count so far: 0 while
 * the minimum is not reached (a segment too small sends nothing), 0 when the segment could
 * turn out too large and the export does not truncate (it must send nothing), else the cap
 * (a truncating export sends its first `cap` whatever the count). Whatever it allows,
 * applyLimits on the final count sends at least as much, in the same order.
 */
export function earlySendAllowance(rule: EarlySendRule, recordBound: number, validSoFar: number): number {
  if (validSoFar < rule.min) return 0;
  if (!rule.truncate && recordBound > rule.cap) return 0;
  return rule.cap;
}

import type { SegmentRun } from '../domain/run.js';
import type { LimitDecision } from './limits.js';
import type { PrepareStepResult } from './run-steps.js';

/**
 * A segment's counts as the run goes, built by the orchestrator from activity results.
 * `skipped` counts valid rows not sent (a limit, or a failure before any upload), so
 * `valid = sent + skipped` always holds; rows of an upload that failed for good count as
 * sent and rejected, since each of them is in the report with the reason.
 */
export function startTally(prepared: PrepareStepResult): SegmentRun {
  if ('failed' in prepared) {
    return { ...zero(prepared.segment), status: 'failed', reason: prepared.failed };
  }
  return {
    ...zero(prepared.segment),
    file: prepared.blobName,
    read: prepared.read,
    valid: prepared.valid,
    invalid: prepared.invalid,
    duplicate: prepared.duplicate,
    status: 'running',
  };
}

export function applyDecision(tally: SegmentRun, decision: LimitDecision): SegmentRun {
  if (tally.status === 'failed') return { ...tally, skipped: tally.valid };
  switch (decision.action) {
    case 'skip':
      return { ...tally, status: 'skipped', reason: `${decision.reason}: ${decision.detail}`, skipped: tally.valid };
    case 'fail':
      return { ...tally, status: 'failed', reason: `${decision.reason}: ${decision.detail}`, skipped: tally.valid };
    case 'send':
      return { ...tally, skipped: decision.overLimit, ...(decision.overLimit > 0 ? { reason: `over-limit: ${decision.overLimit} rows beyond the limit not sent` } : {}) };
  }
}

export function addDelivery(tally: SegmentRun, delivery: { sent: number; accepted: number; rejected: number }): SegmentRun {
  return { ...tally, sent: tally.sent + delivery.sent, accepted: tally.accepted + delivery.accepted, rejected: tally.rejected + delivery.rejected };
}

export function failBeforeUpload(tally: SegmentRun, reason: string): SegmentRun {
  return { ...tally, status: 'failed', reason, skipped: tally.valid - tally.sent };
}

function zero(segment: string): SegmentRun {
  return { segment, read: 0, valid: 0, invalid: 0, duplicate: 0, skipped: 0, sent: 0, accepted: 0, rejected: 0, status: 'pending' };
}

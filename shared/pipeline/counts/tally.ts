import type { SegmentRun, SegmentSync } from '../../domain/run.js';
import type { PlannedChanges } from '../../sync/plan.js';
import type { CommittedLedger } from '../../sync/commit.js';
import type { LimitDecision } from '../limits.js';
import type { PrepareStepResult } from '../run-steps.js';

/**
 * A segment's counts as the run goes, built by the orchestrator from activity results.
 * `valid = unchanged + sent + skipped` always holds: `unchanged` members the audience holds
 * already, `skipped` valid rows not sent (a limit, or a failure before sending). Rows that
 * failed for good count as sent and rejected, since each of them is in the report.
 */
export function startTally(prepared: PrepareStepResult): SegmentRun {
  if ('failed' in prepared) {
    return { ...zero(prepared.segment), status: 'failed', reason: prepared.failed };
  }
  return {
    ...zero(prepared.segment),
    // A file that failed after rows were read: its valid rows are not sent.
    ...(prepared.fileFailure ? { reason: prepared.fileFailure, skipped: prepared.valid } : {}),
    file: prepared.blobName,
    read: prepared.read,
    valid: prepared.valid,
    invalid: prepared.invalid,
    duplicate: prepared.duplicate,
    suppressed: prepared.suppressed,
    status: prepared.fileFailure ? 'failed' : 'running',
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

/** The segment stops before (the rest of) its members were sent: what was not sent is skipped. */
export function failBeforeSend(tally: SegmentRun, reason: string): SegmentRun {
  return { ...tally, status: 'failed', reason, skipped: tally.valid - tally.sent - tally.unchanged };
}

export function withPlan(tally: SegmentRun, plan: PlannedChanges): SegmentRun {
  const sync: SegmentSync = {
    full: plan.full,
    toRemove: plan.removeCount,
    removed: 0,
    removeFailed: 0,
    notRemoved: plan.notRemoved,
    ...(plan.notRemovedReason ? { notRemovedReason: plan.notRemovedReason } : {}),
    added: 0,
    ledgerBefore: plan.ledgerBefore,
    ledgerAfter: plan.ledgerBefore,
  };
  return { ...tally, unchanged: plan.unchanged, sync };
}

export function addRemovals(tally: SegmentRun, removals: { failed: number }): SegmentRun {
  return { ...tally, sync: { ...tally.sync!, removeFailed: tally.sync!.removeFailed + removals.failed } };
}

export function withLedger(tally: SegmentRun, ledger: CommittedLedger): SegmentRun {
  return { ...tally, sync: { ...tally.sync!, ...ledger } };
}

/**
 * The segment's outcome once its changes went out: succeeded when everything planned went
 * through (rows the destination refused are reported, and do not fail it); partially when
 * some of it failed, failed when nothing reached the audience.
 */
export function settle(tally: SegmentRun, failedRows: number): SegmentRun {
  if (tally.status !== 'running') return tally;
  const removeFailed = tally.sync?.removeFailed ?? 0;
  const reasons: string[] = [];
  if (failedRows > 0) reasons.push(`upload-failed: ${failedRows} of ${tally.sent} rows sent did not arrive; they are in the report and go again next run`);
  if (removeFailed > 0) reasons.push(`remove-failed: ${removeFailed} of ${tally.sync!.toRemove} removals did not go through; the next run sends them again`);
  if (tally.sync?.notRemovedReason) {
    reasons.push(
      tally.sync.notRemovedReason === 'add-only'
        ? `add-only: ${tally.sync.notRemoved} members who left the segment stay in the audience`
        : `removal-unsupported: ${tally.sync.notRemoved} members who left the segment stay in the audience (the service cannot remove members)`,
    );
  }
  if (tally.reason) reasons.unshift(tally.reason);
  const reason = reasons.length > 0 ? { reason: reasons.join('; ') } : {};
  if (failedRows === 0 && removeFailed === 0) return { ...tally, status: 'succeeded', ...reason };
  const reached = tally.accepted > 0 || (tally.sync?.removed ?? 0) > 0 || tally.unchanged > 0;
  return { ...tally, status: reached ? 'partially-succeeded' : 'failed', ...reason };
}

function zero(segment: string): SegmentRun {
  return { segment, read: 0, valid: 0, invalid: 0, duplicate: 0, suppressed: 0, skipped: 0, unchanged: 0, sent: 0, accepted: 0, rejected: 0, status: 'pending' };
}

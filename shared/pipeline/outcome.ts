import type { RunStatus, SegmentRun } from '../domain/run.js';

/**
 * Statuses from counts. A segment succeeds when every planned upload was delivered (rows
 * the destination refused are reported, and do not fail it); it partially succeeds when
 * some uploads failed for good, and fails when none was delivered.
 */
export function segmentStatus(uploadsPlanned: number, uploadsFailed: number): SegmentRun['status'] {
  if (uploadsFailed === 0) return 'succeeded';
  return uploadsFailed < uploadsPlanned ? 'partially-succeeded' : 'failed';
}

export function runStatus(segments: Pick<SegmentRun, 'status'>[]): RunStatus {
  if (segments.length === 0) return 'skipped';
  const statuses = new Set(segments.map((s) => s.status));
  const only = (status: SegmentRun['status']) => statuses.size === 1 && statuses.has(status);
  if (only('succeeded')) return 'succeeded';
  if (only('skipped')) return 'skipped';
  if (statuses.has('succeeded') || statuses.has('partially-succeeded')) return 'partially-succeeded';
  return 'failed';
}

/** The reconciliation every run record must satisfy; returns what does not add up. */
export function reconciliationErrors(segment: SegmentRun): string[] {
  const errors: string[] = [];
  const { read, valid, invalid, duplicate, skipped, sent, accepted, rejected } = segment;
  if (read !== valid + invalid + duplicate) errors.push(`read ${read} != valid ${valid} + invalid ${invalid} + duplicate ${duplicate}`);
  if (valid !== sent + skipped) errors.push(`valid ${valid} != sent ${sent} + skipped ${skipped}`);
  if (sent !== accepted + rejected) errors.push(`sent ${sent} != accepted ${accepted} + rejected ${rejected}`);
  return errors;
}

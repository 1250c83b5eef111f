import type { RunStatus, SegmentRun } from '../../domain/run.js';

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
  const { read, valid, invalid, duplicate, suppressed, skipped, unchanged, sent, accepted, rejected, sync } = segment;
  if (read !== valid + invalid + duplicate + suppressed) {
    errors.push(`read ${read} != valid ${valid} + invalid ${invalid} + duplicate ${duplicate}${suppressed ? ` + suppressed ${suppressed}` : ''}`);
  }
  if (valid !== unchanged + sent + skipped) errors.push(`valid ${valid} != unchanged ${unchanged} + sent ${sent} + skipped ${skipped}`);
  if (sent !== accepted + rejected) errors.push(`sent ${sent} != accepted ${accepted} + rejected ${rejected}`);
  if (sync && sync.ledgerAfter !== sync.ledgerBefore + sync.added - sync.removed) {
    errors.push(`ledgerAfter ${sync.ledgerAfter} != ledgerBefore ${sync.ledgerBefore} + added ${sync.added} - removed ${sync.removed}`);
  }
  return errors;
}

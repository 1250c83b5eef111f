/** Dates and numbers as people read them; UTC is said explicitly where the server's clock matters. */
export const formatCount = (n: number | undefined) => (n === undefined ? '—' : n.toLocaleString('en-US'));
export const formatTime = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : '—');
export const formatDuration = (ms: number | undefined) => {
  if (ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
};

/** A destination's limits in words, e.g. "needs 100 to 250,000 per segment". */
export function limitText(limits: { minPerSegment?: number; maxPerSegment?: number; maxTotalPerExport?: number }): string {
  const parts: string[] = [];
  if (limits.minPerSegment !== undefined && limits.maxPerSegment !== undefined) {
    parts.push(`needs ${formatCount(limits.minPerSegment)} to ${formatCount(limits.maxPerSegment)} per segment`);
  } else if (limits.maxPerSegment !== undefined) parts.push(`up to ${formatCount(limits.maxPerSegment)} per segment`);
  else if (limits.minPerSegment !== undefined) parts.push(`at least ${formatCount(limits.minPerSegment)} per segment`);
  if (limits.maxTotalPerExport !== undefined) parts.push(`up to ${formatCount(limits.maxTotalPerExport)} in total per export`);
  return parts.join('; ');
}

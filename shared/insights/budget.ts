/**
 * How many audience reads a connection may make in a minute (in this process): a small
 * share of the slowest service's rate (NextRoll 2 a second, 120 a minute), so reads never
 * take more than a sliver of the turns a run's sends need. Reads past it wait for the
 * timer's next pass; nothing waits here.
 */
export const READS_PER_MINUTE = 12;
const WINDOW_MS = 60_000;

const budgets = new Map<string, number[]>();

export interface ReadingBudget {
  /** True when a read may go now (and counts it); false when the minute's share is spent. */
  take(): boolean;
}

export function readingBudget(connectionId: string, perMinute = READS_PER_MINUTE, clock = () => performance.now()): ReadingBudget {
  return {
    take() {
      const now = clock();
      const recent = (budgets.get(connectionId) ?? []).filter((at) => at > now - WINDOW_MS);
      if (recent.length >= perMinute) {
        budgets.set(connectionId, recent);
        return false;
      }
      recent.push(now);
      budgets.set(connectionId, recent);
      return true;
    },
  };
}

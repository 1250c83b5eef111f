import { EventType, type HistoryEvent } from '../dev/durable/history.js';

export interface StageTimes {
  /** Blob committed → orchestration started (blob trigger poll, catalog, run record). */
  trigger: number;
  /** Stream, parse, validate, de-duplicate, write work files and report: one pass. */
  prepare: number;
  audience: number;
  /** Planning the changes against the ledger (mirror sync). */
  plan: number;
  upload: number;
  /**
   * A bulk job (Microsoft Advertising's Bulk service), start to the status check that found it
   * done: the file's upload, the service's processing, the checks between durable timers.
   */
  bulk: number;
  /** Of that, the start: the file built, zipped and uploaded. */
  bulkUpload: number;
  /** Writing what the destination confirmed to the ledger. */
  commit: number;
  record: number;
}

/** Stage times from the orchestration's own history: first activity of a kind scheduled → last one completed. */
export function stageTimes(history: HistoryEvent[], droppedAt: number): StageTimes {
  const at = (e: HistoryEvent) => Date.parse(e.Timestamp);
  const names = new Map<number, string>();
  const span = new Map<string, { from: number; to: number }>();
  for (const event of history) {
    if (event.EventType === EventType.TaskScheduled) {
      names.set(event.EventId, event.Name);
      const s = span.get(event.Name);
      span.set(event.Name, { from: Math.min(s?.from ?? Infinity, at(event)), to: s?.to ?? at(event) });
    } else if (event.EventType === EventType.TaskCompleted || event.EventType === EventType.TaskFailed) {
      const name = names.get(event.TaskScheduledId);
      const s = name ? span.get(name) : undefined;
      if (s) s.to = Math.max(s.to, at(event));
    }
  }
  const seconds = (...names: string[]) => {
    const spans = names.map((name) => span.get(name)).filter((s) => s !== undefined);
    return spans.length ? (Math.max(...spans.map((s) => s.to)) - Math.min(...spans.map((s) => s.from))) / 1000 : 0;
  };
  const startedEvent = history.find((e) => e.EventType === EventType.ExecutionStarted);
  return {
    trigger: startedEvent ? Math.max(0, (at(startedEvent) - droppedAt) / 1000) : 0,
    prepare: seconds('prepareSegment'),
    audience: seconds('ensureAudience'),
    plan: seconds('planChanges'),
    upload: seconds('sendChanges'),
    bulk: seconds('startBulkSend', 'checkBulkSend'),
    bulkUpload: seconds('startBulkSend'),
    commit: seconds('commitLedger'),
    record: seconds('finishRun'),
  };
}


/** Function names shared by the orchestrator, its activities and the starters. */
export const EXPORT_RUN_ORCHESTRATION = 'exportRun';

export const activities = {
  beginRun: 'beginRun',
  prepareSegment: 'prepareSegment',
  ensureAudience: 'ensureAudience',
  planChanges: 'planChanges',
  sendChanges: 'sendChanges',
  commitLedger: 'commitLedger',
  claimFollowUp: 'claimFollowUp',
  reportSlice: 'reportSlice',
  recordProgress: 'recordProgress',
  finishRun: 'finishRun',
} as const;

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
  startBulkSend: 'startBulkSend',
  checkBulkSend: 'checkBulkSend',
  sendSession: 'sendSession',
  readAudienceInsights: 'readAudienceInsights',
} as const;

export const ERASURE_ORCHESTRATION = 'eraseAddress';

export const erasureActivities = {
  findTargets: 'findErasureTargets',
  eraseFromAudience: 'eraseFromAudience',
  recordFailures: 'recordErasureFailures',
  scrubReports: 'scrubReports',
  finish: 'finishErasure',
} as const;

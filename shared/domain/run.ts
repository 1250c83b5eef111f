import { z } from 'zod';

export const runTriggers = ['schedule', 'on-demand', 'segment-refresh'] as const;
export const runStatuses = ['queued', 'running', 'succeeded', 'partially-succeeded', 'failed', 'skipped'] as const;
export const segmentRunStatuses = ['pending', 'running', 'succeeded', 'partially-succeeded', 'failed', 'skipped'] as const;

export const requestStates = ['processing', 'succeeded', 'partially-succeeded', 'failed', 'unknown'] as const;

/**
 * Where a destination only accepts member requests and processes them later (Google
 * Customer Match), what became of the ones this run sent, as the app checked them since.
 */
export const destinationRequestsSchema = z
  .object({
    total: z.number().int().nonnegative(),
    processing: z.number().int().nonnegative(),
    succeeded: z.number().int().nonnegative(),
    partiallySucceeded: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative().describe('Failed, or no final status within 72 hours: their members are sent again by the next run.'),
    returned: z.number().int().nonnegative().describe('Members taken back out of the ledger (failed adds) or owed a removal again (failed removes).'),
    matchRateRanges: z.record(z.string(), z.number().int().nonnegative()).describe('Finished requests by the match-rate range the destination reported (`MATCH_RATE_RANGE_51_TO_60`).'),
    items: z
      .array(
        z.object({
          requestId: z.string(),
          operation: z.enum(['add', 'remove', 'remove-all']),
          members: z.number().int().nonnegative(),
          state: z.enum(requestStates),
          serviceState: z.string().optional().describe("The destination's own name for the state (`PARTIAL_SUCCESS`)."),
          matchRateRange: z.string().optional(),
        }),
      )
      .describe('Each request, oldest first (the first 500).'),
    checkedAt: z.string().describe('When the destination was last asked (ISO 8601).'),
  })
  .describe('Requests the destination accepted and processes later, and their outcome as checked after the run.');
export type DestinationRequests = z.infer<typeof destinationRequestsSchema>;

/**
 * Counts of one segment in one run. They reconcile:
 * read = valid + invalid + duplicate + suppressed; valid = unchanged + sent + skipped (unchanged: members
 * the audience holds already, not sent again; skipped: not sent because of a limit or a
 * failure before sending); sent = accepted + rejected (refused by the destination, or
 * failed for good); ledgerAfter = ledgerBefore + added − removed.
 */
export const segmentRunSchema = z.object({
  segment: z.string(),
  file: z.string().optional(),
  read: z.number().int().nonnegative(),
  valid: z.number().int().nonnegative(),
  invalid: z.number().int().nonnegative(),
  duplicate: z.number().int().nonnegative(),
  /** Rows of people on the suppression list: never sent. */
  suppressed: z.number().int().nonnegative().default(0),
  skipped: z.number().int().nonnegative(),
  /** Members the audience already holds (per the ledger), not sent again. */
  unchanged: z.number().int().nonnegative().default(0),
  sent: z.number().int().nonnegative(),
  accepted: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  /** Mirror sync: what the run changed at the audience. Absent on runs recorded before it. */
  sync: z
    .object({
      full: z.boolean().describe('The run synced in full (first run, new audience, lost ledger, or requested).'),
      toRemove: z.number().int().nonnegative().describe('Leavers (and strangers, in a full sync) the run tried to remove.'),
      removed: z.number().int().nonnegative().describe('Ids that left the ledger: confirmed removals, or dropped by a confirmed replace.'),
      removeFailed: z.number().int().nonnegative().describe('Removals that did not go through; the next run sends them again.'),
      notRemoved: z.number().int().nonnegative().describe('Leavers left in the audience: add-only export, or the service cannot remove.'),
      notRemovedReason: z.enum(['add-only', 'removal-unsupported']).optional(),
      added: z.number().int().nonnegative().describe('Ids that joined the ledger: members the destination confirmed.'),
      ledgerBefore: z.number().int().nonnegative(),
      ledgerAfter: z.number().int().nonnegative(),
    })
    .optional(),
  audienceId: z.string().optional(),
  requests: destinationRequestsSchema.optional(),
  status: z.enum(segmentRunStatuses),
  reason: z.string().optional(),
});
export type SegmentRun = z.infer<typeof segmentRunSchema>;
export type SegmentSync = NonNullable<SegmentRun['sync']>;

/** An audience whose size, as the destination last reported it, disagreed with the ledger when this run began. */
export const audienceDriftNoteSchema = z.object({
  segment: z.string(),
  message: z.string(),
  difference: z.number().int().describe('Reported size minus what the ledger accounts for.'),
  action: z.enum(['full-sync', 'none']).describe('`full-sync`: this run synced in full because of it; `none`: the service allows nothing that would set it right.'),
  readAt: z.string().describe('When the destination reported it.'),
});
export type AudienceDriftNote = z.infer<typeof audienceDriftNoteSchema>;

export const runSchema = z.object({
  id: z.string(),
  exportId: z.string(),
  destinationType: z.string(),
  trigger: z.enum(runTriggers),
  /** A full sync was asked for (`POST /exports/{id}/run` with `{"full": true}`), or an audience's drift called for one. */
  full: z.boolean().optional(),
  audienceDrift: z.array(audienceDriftNoteSchema).optional().describe("Audiences the destination reported out of step with the ledger before this run (audience insights)."),
  status: z.enum(runStatuses),
  reason: z.string().optional(),
  segments: z.array(segmentRunSchema),
  progress: z
    .object({ stage: z.string(), workFilesDone: z.number().int(), workFilesTotal: z.number().int() })
    .optional(),
  /** Blob name of the rejected-rows report (CSV) in the reports container. */
  rejectedReport: z.string().optional(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  durationMs: z.number().int().optional(),
});
export type Run = z.infer<typeof runSchema>;
export type RunTrigger = (typeof runTriggers)[number];
export type RunStatus = (typeof runStatuses)[number];

import { z } from 'zod';

export const runTriggers = ['schedule', 'on-demand', 'segment-refresh'] as const;
export const runStatuses = ['queued', 'running', 'succeeded', 'partially-succeeded', 'failed', 'skipped'] as const;
export const segmentRunStatuses = ['pending', 'running', 'succeeded', 'partially-succeeded', 'failed', 'skipped'] as const;

/**
 * Counts of one segment in one run. They reconcile:
 * read = valid + invalid + duplicate, valid = sent + skipped (rows not sent because of a limit),
 * sent = accepted + rejected (rejected by the destination).
 */
export const segmentRunSchema = z.object({
  segment: z.string(),
  file: z.string().optional(),
  read: z.number().int().nonnegative(),
  valid: z.number().int().nonnegative(),
  invalid: z.number().int().nonnegative(),
  duplicate: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  sent: z.number().int().nonnegative(),
  accepted: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  audienceId: z.string().optional(),
  status: z.enum(segmentRunStatuses),
  reason: z.string().optional(),
});
export type SegmentRun = z.infer<typeof segmentRunSchema>;

export const runSchema = z.object({
  id: z.string(),
  exportId: z.string(),
  destinationType: z.string(),
  trigger: z.enum(runTriggers),
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

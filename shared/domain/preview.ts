import { z } from 'zod';

/** What a run of an export would do to one segment's audience (`POST /api/exports/{id}/preview`). */
export const segmentPreviewSchema = z.object({
  segment: z.string(),
  file: z.string().optional(),
  outcome: z.string().describe('`send`, or why a run would skip or fail the segment (e.g. `segment-too-small: ...`).'),
  read: z.number().int().nonnegative(),
  valid: z.number().int().nonnegative(),
  invalid: z.number().int().nonnegative(),
  duplicate: z.number().int().nonnegative(),
  suppressed: z.number().int().nonnegative().describe('Rows of people on the suppression list: never sent (read = valid + invalid + duplicate + suppressed).'),
  overLimit: z.number().int().nonnegative(),
  full: z.boolean().describe('The run would sync in full (no ledger yet, or asked for).'),
  adds: z.number().int().nonnegative(),
  removes: z.number().int().nonnegative(),
  unchanged: z.number().int().nonnegative(),
  notRemoved: z.number().int().nonnegative().describe('Leavers a run would leave in the audience (add-only, or the service cannot remove).'),
  sample: z.array(z.unknown()).describe('The first records to add, as the destination would receive them.'),
});
export type SegmentPreview = z.infer<typeof segmentPreviewSchema>;

export const exportPreviewSchema = z.object({ exportId: z.string(), segments: z.array(segmentPreviewSchema) });

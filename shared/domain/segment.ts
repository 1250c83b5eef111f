import { z } from 'zod';

/** The catalog entry of a segment: its newest file is its current membership. */
export const segmentSchema = z.object({
  name: z.string(),
  latestFile: z.string(),
  format: z.enum(['csv', 'jsonl']),
  gzip: z.boolean(),
  /** The header's columns; at most 100, names cut at 128 characters (see columnsTruncated). */
  columns: z.array(z.string()),
  /** The file has more columns (or longer names) than the catalog keeps. */
  columnsTruncated: z.boolean().optional(),
  /** Rows of the latest file, once a run or the catalog has counted them. */
  rowCount: z.number().int().nonnegative().optional(),
  sizeBytes: z.number().int().nonnegative().optional(),
  refreshedAt: z.string(),
});
export type Segment = z.infer<typeof segmentSchema>;

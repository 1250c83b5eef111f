import { z } from 'zod';

/** The system refresh schedule; `cron` is NCRONTAB with six fields (seconds first). */
export const scheduleSchema = z.object({
  cron: z.string(),
  enabled: z.boolean(),
  updatedBy: z.object({ userId: z.string(), userDetails: z.string() }).optional(),
  updatedAt: z.string().optional(),
  etag: z.string().optional(),
});
export type Schedule = z.infer<typeof scheduleSchema>;

import { z } from 'zod';

export const audienceStates = ['processing', 'ready', 'too-small-to-serve', 'failed', 'not-reported'] as const;
export const readingTriggers = ['after-run', 'timer'] as const;

/**
 * One reading of one audience: what the ledger holds (tracked) beside what the destination
 * reports, taken after a run or by the insights timer. Kept as a point in a time series.
 */
export const audienceReadingSchema = z.object({
  exportId: z.string(),
  segment: z.string(),
  destinationType: z.string(),
  audienceId: z.string().optional().describe('The audience at the destination; absent before the first run created it.'),
  readAt: z.string().describe('When the destination was asked (ISO 8601).'),
  trigger: z.enum(readingTriggers),
  tracked: z.number().int().nonnegative().nullable().describe('Members the ledger holds (the destination confirmed them); null without a ledger.'),
  owed: z.number().int().nonnegative().default(0).describe('Removals sent or about to be sent and not yet confirmed: the audience may still hold them.'),
  reported: z
    .object({
      sizes: z.record(z.string(), z.number().nullable()).describe("The destination's own size fields under their own names."),
      size: z.number().nullable().describe('The size compared with the ledger; null while the destination withholds it.'),
      counts: z.enum(['members', 'matched']).describe('`members`: every member the audience holds; `matched`: only those the service matched to its users.'),
      estimate: z.boolean().describe('The service rounds or estimates its sizes.'),
    })
    .nullable()
    .describe('What the destination reported; null when it reports nothing or could not be read.'),
  state: z.enum(audienceStates),
  detail: z.string().optional().describe('Why the state is what it is.'),
  matchRate: z.number().nonnegative().nullable().describe('Reported size over tracked, where both are known.'),
  matchRateEstimate: z.boolean().describe('The match rate is an estimate (the service rounds, or counts matched users only).'),
  drift: z
    .object({
      difference: z.number().int().describe('Reported size minus what the ledger accounts for.'),
      message: z.string(),
      action: z.enum(['full-sync', 'none']).describe('`full-sync`: the next run syncs in full to set it right; `none`: the service allows nothing that would.'),
    })
    .optional()
    .describe('The reading disagrees with the ledger beyond what the service rounds.'),
  alerts: z
    .array(z.object({ kind: z.enum(['match-rate-low', 'audience-shrank']), message: z.string() }))
    .optional()
    .describe("The export's audience alerts this reading raised (each crossing once), told to its webhooks."),
  lastRun: z
    .object({ runId: z.string(), added: z.number().int().nonnegative(), removed: z.number().int().nonnegative() })
    .optional()
    .describe("The run just before this reading and what it changed at the audience (after-run readings)."),
});
export type AudienceReading = z.infer<typeof audienceReadingSchema>;
export type AudienceReadingInput = z.input<typeof audienceReadingSchema>;
export type AudienceDrift = NonNullable<AudienceReading['drift']>;

import { z } from 'zod';
import { destinationTypeSchema, type UserRef } from './connection.js';

export const segmentNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'letters, digits, space, dot, dash and underscore; starting with a letter or digit')
  // The folder where suppression lists are dropped is not a segment.
  .refine((name) => name !== 'suppressions', 'reserved: files under segments/suppressions/ are suppression lists');

const column = (what: string) => z.string().min(1).max(256).optional().describe(`Column of the segment file that holds ${what}.`);

/**
 * Which column holds each identifier. Which of them an export must or may map is the
 * destination's (its catalog entry); exports saved when only email and names existed read
 * as they are.
 */
export const dataMatchingSchema = z
  .object({
    email: column('the email address'),
    phone: column('the phone number (international, or national in the export\'s `defaultCountry`)'),
    firstName: column('the first name'),
    lastName: column('the last name'),
    postalCode: column('the postal code'),
    countryCode: column('the country (ISO 3166-1 alpha-2)'),
    externalId: column('your own id of the person'),
    company: column('the name of the company the person works for'),
  })
  .strict();

/** ISO 3166-1 alpha-2, upper case (`US`, `GB`, `DE`). */
export const countryCodeSchema = z
  .string()
  .regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code in capitals, e.g. US, GB, DE')
  .describe('ISO 3166-1 alpha-2 country code.');

/**
 * When the export's webhooks hear about its audiences (shared/insights/alerts.ts): a match
 * rate that falls below `matchRateBelow`, or a reported size that drops by more than
 * `shrinksBy` (a share of the previous reading) from one reading to the next. Once per
 * crossing: a rate that stays below is not told again until it has risen above.
 */
export const audienceAlertsSchema = z
  .object({
    matchRateBelow: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .describe('Notify when an audience\'s match rate falls below this share (0 to 1, e.g. 0.5 for 50 %).'),
    shrinksBy: z
      .number()
      .gt(0)
      .lt(1)
      .optional()
      .describe('Notify when an audience\'s reported size drops by more than this share between two readings (0 to 1, e.g. 0.2 for 20 %).'),
  })
  .strict();
export type AudienceAlerts = z.infer<typeof audienceAlertsSchema>;

export const exportSchema = z.object({
  id: z.string(),
  name: z.string().min(1).max(100),
  connectionId: z.string(),
  destinationType: destinationTypeSchema,
  segments: z.array(segmentNameSchema).min(1).max(50),
  dataMatching: dataMatchingSchema,
  /** The country of phone numbers written without a country code; required when `phone` is mapped. */
  defaultCountry: countryCodeSchema.optional(),
  /** Destination settings, validated against the destination's own schema. */
  settings: z.record(z.string(), z.string()),
  enabled: z.boolean(),
  /** Why the export is disabled when the app disabled it (e.g. `connection-removed`). */
  disabledReason: z.string().optional(),
  runOnSegmentRefresh: z.boolean(),
  schedule: z.enum(['inherit', 'none']),
  /** Send the first N rows of an over-limit segment instead of failing it. */
  truncate: z.boolean(),
  /** `mirror`: audiences follow the segment, leavers are removed; `add-only`: members are only added. Exports saved before it existed mirror. */
  syncMode: z.enum(['mirror', 'add-only']).default('mirror'),
  /** Audience alerts through the export's webhooks; none when absent. */
  audienceAlerts: audienceAlertsSchema.optional(),
  createdBy: z.object({ userId: z.string(), userDetails: z.string() }),
  createdAt: z.string(),
  updatedAt: z.string(),
  etag: z.string().optional(),
});
export type Export = z.infer<typeof exportSchema>;
export type DataMatching = z.infer<typeof dataMatchingSchema>;
export type { UserRef };

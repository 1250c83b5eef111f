import { z } from 'zod';
import { identifierNames } from '../destinations/types.js';
import { connectionSchema, destinationTypeSchema } from '../domain/connection.js';
import { audienceAlertsSchema, countryCodeSchema, dataMatchingSchema, exportSchema, segmentNameSchema } from '../domain/export.js';
import { scheduleSchema } from '../domain/schedule.js';
import { segmentSchema } from '../domain/segment.js';
import { listQuerySchema } from './paging.js';
import { ncrontabSchema } from './ncrontab.js';

/**
 * The API's request and response shapes. Every request body is `.strict()` (an unknown
 * field is a 400 naming it) and every string has a maximum length, so no input reaches
 * storage unchecked. Destination-specific parts (credentials, settings) are checked in the
 * domain against the destination's own schema, which GET /api/destinations publishes.
 */

export const entityIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9-]+$/, 'letters, digits and dashes');

export const idParamsSchema = z.object({ id: entityIdSchema.describe('The id the create call returned.') });

/**
 * Text people read back (names): well-formed Unicode without control characters or the
 * bidirectional controls that make a name display as something else (U+202E and kin).
 */
const BIDI_CONTROLS = /[\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
// Without the u flag a regex sees UTF-16 code units, so an unpaired half is visible.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const displayTextSchema = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((v) => !LONE_SURROGATE.test(v), 'not well-formed Unicode (a lone surrogate)')
    .refine((v) => !/\p{Cc}/u.test(v), 'control characters are not allowed')
    .refine((v) => !BIDI_CONTROLS.test(v), 'bidirectional control characters are not allowed');

const maxKeys = (max: number) => (value: Record<string, unknown>) => Object.keys(value).length <= max;

export const credentialsInputSchema = z
  .record(z.string().min(1).max(100), z.unknown())
  .refine(maxKeys(20), 'at most 20 fields')
  .describe('Write-only. Fields depend on the destination type: `credentials` in GET /api/destinations.');

export const settingsInputSchema = z
  .record(z.string().min(1).max(100), z.string().max(1024))
  .refine(maxKeys(20), 'at most 20 settings')
  .describe('Destination settings: `settings` in GET /api/destinations for the connection\'s type.');

const displayNameSchema = displayTextSchema(100).describe('Unique among connections of the same type (case-insensitive).');

export const createConnectionBodySchema = z
  .object({
    type: destinationTypeSchema,
    displayName: displayNameSchema,
    credentials: credentialsInputSchema,
    allowContributors: z.boolean().default(false).describe('Let contributors create and run exports on this connection.'),
    consent: z
      .literal(true, { error: 'must be true: you accept that segment data leaves the compliance boundary' })
      .describe('Must be `true`: the caller accepts that data leaves the compliance boundary. Stored with who and when.'),
  })
  .strict();
export type CreateConnectionBody = z.output<typeof createConnectionBodySchema>;

export const patchConnectionBodySchema = z
  .object({
    displayName: displayNameSchema.optional(),
    credentials: credentialsInputSchema.optional().describe('Replaces the stored credentials; the caller becomes the export user.'),
    allowContributors: z.boolean().optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'give at least one field to change');
export type PatchConnectionBody = z.output<typeof patchConnectionBodySchema>;

const exportFields = {
  name: displayTextSchema(100),
  connectionId: entityIdSchema,
  segments: z.array(segmentNameSchema).min(1).max(50).describe('Segment names; each becomes its own audience.'),
  dataMatching: dataMatchingSchema,
  defaultCountry: countryCodeSchema.describe(
    'The country of phone numbers written without a country code (ISO 3166-1 alpha-2); required when `dataMatching.phone` is set.',
  ),
  settings: settingsInputSchema,
  enabled: z.boolean(),
  runOnSegmentRefresh: z.boolean().describe('Run when a new file of one of the segments lands.'),
  schedule: z.enum(['inherit', 'none']).describe('`inherit`: run on the system refresh schedule; `none`: only on demand or refresh.'),
  truncate: z.boolean().describe('Send the first N rows of a segment over the destination limit instead of failing it.'),
  syncMode: z
    .enum(['mirror', 'add-only'])
    .describe('`mirror` (default): each audience follows its segment, members who leave are removed; `add-only`: members are only ever added.'),
  audienceAlerts: audienceAlertsSchema.describe(
    "Tell the export's webhooks (and Azure Monitor) when an audience's match rate falls below a threshold or its size drops by more than a share between readings; once per crossing. `{}` turns them off.",
  ),
};

export const createExportBodySchema = z
  .object({
    ...exportFields,
    defaultCountry: exportFields.defaultCountry.optional(),
    settings: exportFields.settings.default({}),
    enabled: exportFields.enabled.default(true),
    runOnSegmentRefresh: exportFields.runOnSegmentRefresh.default(true),
    schedule: exportFields.schedule.default('inherit'),
    truncate: exportFields.truncate.default(false),
    syncMode: exportFields.syncMode.default('mirror'),
    audienceAlerts: exportFields.audienceAlerts.optional(),
  })
  .strict();
export type CreateExportBody = z.output<typeof createExportBodySchema>;

export const patchExportBodySchema = z
  .object(Object.fromEntries(Object.entries(exportFields).map(([key, schema]) => [key, schema.optional()])) as {
    [K in keyof typeof exportFields]: z.ZodOptional<(typeof exportFields)[K]>;
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'give at least one field to change')
  .describe('Fields to change; `settings`, `dataMatching` and `segments` replace the stored value as a whole.');
export type PatchExportBody = z.output<typeof patchExportBodySchema>;

export const exportListQuerySchema = listQuerySchema.extend({
  connectionId: entityIdSchema.optional().describe('Only the exports of this connection.'),
});

export const deleteConnectionQuerySchema = z.object({
  force: z
    .enum(['true', 'false'])
    .default('false')
    .describe('`true`: delete even when exports use the connection; they are disabled with reason `connection-removed`.'),
});

export const putScheduleBodySchema = z
  .object({
    cron: ncrontabSchema,
    enabled: z.boolean().default(true),
  })
  .strict();
export type PutScheduleBody = z.output<typeof putScheduleBodySchema>;

// Responses.
export const connectionResponseSchema = connectionSchema;
export const exportResponseSchema = exportSchema;
export const segmentResponseSchema = segmentSchema;
export const scheduleResponseSchema = scheduleSchema.extend({
  source: z.enum(['api', 'setting']).describe('`setting`: REFRESH_SCHEDULE, nobody has saved one yet.'),
  nextRuns: z.array(z.string()).describe('The next five fire times (ISO 8601, UTC); empty when the schedule is disabled.'),
});

export const deleteConnectionResultSchema = z.object({
  id: z.string(),
  disabledExports: z.array(z.string()).describe('Exports disabled with reason `connection-removed`.'),
});

export const connectionTestResultSchema = z.object({
  ok: z.boolean(),
  reason: z.string().optional().describe('Why the destination refused: `auth-failed`, `terms-not-accepted`.'),
  message: z.string().optional(),
});

const jsonSchemaObject = z.record(z.string(), z.unknown()).describe('JSON Schema (2020-12).');

const identifierNameSchema = z.enum(identifierNames);

export const destinationCatalogEntrySchema = z.object({
  type: destinationTypeSchema,
  displayName: z.string(),
  description: z.string(),
  privacyStatement: z.string().describe('What the caller accepts with `consent: true` for this destination.'),
  credentials: jsonSchemaObject,
  settings: jsonSchemaObject,
  dataMatching: z
    .object({
      required: z.array(identifierNameSchema),
      optional: z.array(identifierNameSchema),
    })
    .describe('The identifiers an export must map, and those it may map besides: together, every identifier the destination takes.'),
  identifiers: z
    .object({
      accepted: z.array(identifierNameSchema).describe('Every identifier the destination takes: what an export may map.'),
      matchSets: z
        .array(z.array(identifierNameSchema))
        .describe('Each set is enough to match a person: a row is sent when it has every identifier of one set (e.g. `[["email"], ["phone"]]`: email or phone).'),
      encoding: z
        .record(z.string(), z.enum(['plain', 'sha256-hex']))
        .describe('How each identifier is sent after normalization: as it is, or as SHA-256 hex.'),
    })
    .describe('Which combinations of identifiers match, and how each is sent.'),
  limits: z.object({
    minPerSegment: z.number().int().optional(),
    maxPerSegment: z.number().int().optional(),
    maxTotalPerExport: z.number().int().optional(),
    batchSize: z.number().int(),
  }),
});
export type DestinationCatalogEntry = z.infer<typeof destinationCatalogEntrySchema>;

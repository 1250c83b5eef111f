import type { components, operations } from './schema.js';

/**
 * Names for the API's shapes, all taken from the generated schema (never written by hand):
 * when the API changes, `npm run generate:api -w portal` changes these and the compiler
 * shows every page that must follow.
 */
type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Ok<Op extends keyof operations> = Json<operations[Op]['responses'] extends { 200: infer R } ? R : never>;
type Created<Op extends keyof operations> = Json<operations[Op]['responses'] extends { 201: infer R } ? R : never>;
type Body<Op extends keyof operations> = operations[Op] extends { requestBody: { content: { 'application/json': infer B } } } ? B : never;

export type Problem = components['schemas']['Problem'];
export type FieldError = NonNullable<Problem['errors']>[number];

export type Me = Ok<'getMe'>;
export type Role = Me['roles'][number];
export type Destination = Ok<'listDestinations'>['items'][number];
export type DestinationType = Destination['type'];
export type Connection = Ok<'getConnection'>;
export type ConnectionInput = Body<'createConnection'>;
export type ConnectionTestResult = Ok<'testConnection'>;
export type DeleteConnectionResult = Ok<'deleteConnection'>;
export type Export = Ok<'getExport'>;
export type ExportInput = Body<'createExport'>;
export type Segment = Ok<'listSegments'>['items'][number];
export type Run = Ok<'getRun'>;
export type SegmentRun = Run['segments'][number];
export type RunStarted = Json<operations['runExport']['responses'][202]>;
export type RunOptions = Body<'runExport'>;
export type SegmentSync = NonNullable<SegmentRun['sync']>;
export type DestinationRequests = NonNullable<SegmentRun['requests']>;
export type DestinationRequest = DestinationRequests['items'][number];
export type RequestState = DestinationRequest['state'];
export type ExportPreview = Ok<'previewExport'>;
export type SegmentPreview = ExportPreview['segments'][number];
export type SyncMode = Export['syncMode'];
export type Webhook = Created<'createWebhook'>;
export type WebhookInput = Body<'createWebhook'>;
export type WebhookChange = Body<'patchWebhook'>;
export type WebhookFormat = Webhook['format'];
export type WebhookOutcome = Webhook['outcomes'][number];
export type WebhookTestResult = Ok<'testWebhook'>;
export type Suppression = Ok<'listSuppressions'>['items'][number];
export type SuppressionsAdded = Ok<'addSuppressions'>;
export type Erasure = Json<operations['requestErasure']['responses'][202]>;
export type ErasureTarget = Erasure['destinations'][number];
export type AuditEntry = Ok<'listAudit'>['items'][number];
export type AuditQuery = NonNullable<operations['listAudit']['parameters']['query']>;
export type AuditEntity = NonNullable<AuditQuery['entity']>;
export type ExportAudience = Ok<'listExportAudiences'>['audiences'][number];
export type AudienceReading = Ok<'listAudienceHistory'>['items'][number];
export type AudienceState = AudienceReading['state'];
export type ExportHealth = Ok<'listExportHealth'>['items'][number];
export type Schedule = Ok<'getSchedule'>;
export type ScheduleInput = Body<'putSchedule'>;
export type { Created };

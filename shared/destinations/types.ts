import type { z } from 'zod';
import type { DestinationEndpoints } from '../config.js';

/**
 * The identifiers a profile may carry. Each destination takes some of them
 * (`Destination.identifiers`); an export maps each it uses to a column (`dataMatching`).
 */
export const identifierNames = ['email', 'phone', 'firstName', 'lastName', 'postalCode', 'countryCode', 'externalId', 'company'] as const;
export type IdentifierName = (typeof identifierNames)[number];

/**
 * One profile after normalization, as it travels in work files. `row` is the 1-based data
 * row in the segment file. Values are normalized, not hashed (phones in E.164, emails
 * trimmed and lower-cased); a destination hashes what it sends. `email` is absent only for
 * a destination that matches on something else too (a row sent by its phone).
 */
export interface ProfileRecord {
  row: number;
  email?: string;
  firstName?: string;
  lastName?: string;
  phone?: string;
  postalCode?: string;
  countryCode?: string;
  externalId?: string;
  /** The employer's name, trimmed (LinkedIn takes it as a hint beside the hashed email). */
  company?: string;
}

/** How a destination sends one identifier, after the app's normalization. */
export type IdentifierEncoding = 'plain' | 'sha256-hex';

/**
 * Which identifiers a destination takes and which combinations are enough to match a
 * person. A row is sent when it carries every identifier of at least one match set; the
 * other identifiers it takes are sent beside them when the row has them.
 */
export interface IdentifierSupport {
  /** Each entry is enough to match: `[['email'], ['phone']]` is email or phone. */
  matchSets: IdentifierName[][];
  /** How each identifier it takes is sent (hashing happens after normalization). */
  encoding: Partial<Record<IdentifierName, IdentifierEncoding>>;
}

export interface DestinationLimits {
  /** A segment with fewer valid members is skipped with `segment-too-small`. */
  minPerSegment?: number;
  /** A segment with more valid members fails with `segment-too-large` (or is truncated when the export opts in). */
  maxPerSegment?: number;
  /** Ceiling on the valid members of all of an export's segments together. */
  maxTotalPerExport?: number;
  /** Records in one API request (the service's own limit). */
  batchSize: number;
  /**
   * Members in one removal step, where the service removes them one call each (Autopilot):
   * progress is kept per member, so a step paced out after a few calls resumes after them
   * instead of starting its hundred calls over. Default: batchSize.
   */
  removeBatchSize?: number;
  /** Records in one work file, i.e. one upload activity; a multiple of batchSize. */
  recordsPerWorkFile: number;
}

/** A member the destination refused, reported in the run's rejected-rows report. */
export interface RecordRejection {
  row: number;
  reason: string;
  value?: string;
}

export interface UploadResult {
  accepted: number;
  rejected: RecordRejection[];
  /**
   * Each record's member id as it was sent, in the batch's order, when the client computed
   * it anyway (Microsoft Advertising's SHA-256): the delivery log then need not hash again.
   */
  memberIds?: string[];
}

export interface EnsuredAudience {
  audienceId: string;
  created: boolean;
  /** True when creating the audience already delivered `initialMembers` (AdRoll creates segments with data). */
  membersIncluded: boolean;
  /** Outcome for initialMembers when membersIncluded is true. */
  initialResult?: UploadResult;
  /**
   * Something the admin must do at the service for the audience to serve (Ortto: set up the
   * audience that filters on the segment's tag); the run record says it, the run goes on.
   */
  notice?: string;
}

export type DestinationErrorCode =
  | 'auth-failed'
  | 'terms-not-accepted'
  | 'invalid-request'
  | 'not-found'
  | 'rate-limited'
  | 'transient'
  | 'destination-error';

/** An error a connector raises; `retryable` tells the orchestration whether another attempt can help. */
export class DestinationError extends Error {
  constructor(
    readonly code: DestinationErrorCode,
    message: string,
    readonly retryable = code === 'rate-limited' || code === 'transient',
    readonly status?: number,
    /** How long the service asked to wait before another attempt (a wait too long to sleep through in one call). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DestinationError';
  }
}

/**
 * A batch the client sends as several requests stopped part-way (no turn at the rate within
 * the step's patience, a throttle, a failure): its first `done` records were dealt with
 * (`result` says which of them the service refused), the rest were not sent. A caller that
 * looks no further sees the failure (`code`, `retryable` and `retryAfterMs` are those of
 * `stoppedBy`); the sync layer counts what went and sends the rest from there, so a batch
 * longer than one activity's turns is never started over from its first record.
 */
export class BatchStopped extends DestinationError {
  constructor(
    readonly done: number,
    readonly result: UploadResult,
    readonly stoppedBy: unknown,
  ) {
    const known = stoppedBy instanceof DestinationError ? stoppedBy : undefined;
    const why = stoppedBy instanceof Error ? stoppedBy.message : String(stoppedBy);
    super(known?.code ?? 'transient', `stopped after ${done} records of the batch: ${why}`, known?.retryable ?? true, known?.status, known?.retryAfterMs);
    this.name = 'BatchStopped';
  }
}

export interface Logger {
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

/** Transport knobs; the defaults suit production, tests and the benchmark shorten or lift them. */
export interface HttpTuning {
  /** One request's time limit, body included (default 30 s). */
  timeoutMs?: number;
  /** Attempts per request, the first included (default 6). */
  maxAttempts?: number;
  /** A `Retry-After` longer than this ends the call as `rate-limited` instead of sleeping (default 2 min). */
  maxRetryWaitMs?: number;
  /** Overrides the client-side rate limit (requests per second) of the destination. */
  requestsPerSecond?: number;
}

export interface ConnectorContext<Credentials, Settings> {
  connectionId: string;
  credentials: Credentials;
  /** The export's destination settings; absent for a connection test. */
  settings?: Settings;
  endpoints: DestinationEndpoints;
  /** Persist rotated credentials (AdRoll refresh tokens are single-use). */
  saveCredentials(credentials: Credentials): Promise<void>;
  /**
   * Reads the stored credentials again. Another process may have rotated a single-use
   * refresh token since this context was built; the connector then retries with the new one.
   */
  reloadCredentials?(): Promise<Credentials | undefined>;
  http?: HttpTuning;
  log?: Logger;
}

/** The outcome of removing members, by member id (as `Destination.memberId` makes them). */
export interface RemovalResult {
  removed: number;
  failed: { memberId: string; reason: string }[];
}

export interface UploadOptions {
  /** Replace the audience's whole membership with this batch (the first batch of a full sync, where the service can). */
  replace?: boolean;
  /**
   * The removal of every member that an earlier attempt of this replace started and left
   * processing (`RequestPending`): the client checks it instead of starting another.
   */
  pendingRemoval?: PendingRequest;
}

/** A request the service accepted and processes later, by its id, since when (ISO 8601). */
export interface PendingRequest {
  requestId: string;
  since: string;
}

/**
 * Raised where a step cannot go on until the service has processed an earlier request
 * (Google's remove-all before a full sync's first ingest): nothing of the batch was sent,
 * and the orchestration checks again after `checkAfterMs` in a durable timer, never an
 * activity that sleeps.
 */
export class RequestPending extends Error {
  constructor(
    readonly pending: PendingRequest,
    readonly checkAfterMs: number,
    message: string,
  ) {
    super(message);
    this.name = 'RequestPending';
  }
}

/** What an asynchronous service did with a request it accepted (Google's `requestStatus:retrieve`). */
export interface ProcessingOutcome {
  state: 'processing' | 'succeeded' | 'partially-succeeded' | 'failed' | 'unknown';
  /** The service's own name for the state (`PARTIAL_SUCCESS`). */
  serviceState: string;
  recordCount?: number;
  /** The match-rate range as the service names it (`MATCH_RATE_RANGE_51_TO_60`). */
  matchRateRange?: string;
}

/** A member request the service accepted and processes later: the run keeps it to check its outcome. */
export interface AcceptedRequest {
  requestId: string;
  operation: 'add' | 'remove' | 'remove-all';
  /** The member ids it carried (as `Destination.memberId` makes them); none for a remove-all. */
  memberIds: string[];
}

/**
 * Where a 200 only means accepted (Google's Data Manager API): the requests this client
 * sent since the last `take`, and one status read of a request.
 */
export interface AsyncProcessing {
  takeAccepted(): AcceptedRequest[];
  status(requestId: string): Promise<ProcessingOutcome>;
}

/** What one bulk job does to the audience: add the items, remove them, or make the membership exactly them. */
export type BulkAction = 'add' | 'remove' | 'replace';

/** One member of a bulk job: the member id as the service holds it, and our reference, which the service echoes in its errors. */
export interface BulkItem {
  clientId: string;
  memberId: string;
}

export interface BulkItemError {
  clientId: string;
  reason: string;
}

/** A bulk job as the service reports it; `failed` jobs changed nothing we can count on, and `retryable` says whether a new job may succeed. */
export type BulkJobStatus =
  | { state: 'pending' }
  | { state: 'completed'; errors: BulkItemError[] }
  | { state: 'failed'; reason: string; retryable: boolean };

/**
 * Large change sets as one asynchronous job instead of many batches (Microsoft
 * Advertising's Bulk service): `start` streams the items into one upload and returns the
 * job's id; `status` is cheap and is called until the job is done. Waiting between
 * calls is the orchestration's.
 */
export interface BulkMembership {
  start(audienceId: string, action: BulkAction, items: AsyncIterable<BulkItem>): Promise<{ jobId: string; items: number }>;
  status(jobId: string): Promise<BulkJobStatus>;
}

/**
 * How far the destination says it has got with an audience: still matching (`processing`),
 * usable (`ready`), below the size it serves from (`too-small-to-serve`), refused or gone
 * (`failed`), or the service reports no state at all (`not-reported`).
 */
export type AudienceState = 'processing' | 'ready' | 'too-small-to-serve' | 'failed' | 'not-reported';

/** What the destination itself reports about one audience (`describeAudience`); nothing in it is computed by the app. */
export interface AudienceDescription {
  /** The service's own size fields under their own names (`SearchSize`, `emails`, `total_contacts`); null while it withholds one. */
  sizes: Record<string, number | null>;
  /** The size to compare with what the app holds (the largest of `sizes`); null when none is reported (yet). */
  size: number | null;
  /**
   * `members`: the size counts every member the audience holds, so it equals the ledger when
   * all is well; `matched`: only the members the service matched to its users, at most what
   * was sent.
   */
  counts: 'members' | 'matched';
  /** The service rounds or estimates its sizes, so a match rate from them is an estimate. */
  estimate: boolean;
  state: AudienceState;
  /** The service shows sizes only from this many members (Microsoft Advertising: 300). */
  shownFrom?: number;
  /** Why the state is what it is, in the service's terms. */
  detail?: string;
}

/** Where one call of a replace session stands (Meta's `usersreplace`): the session, its next request, and whether these records end it. */
export interface ReplaceSessionStep {
  sessionId: string;
  /** The sequence number of this call's first request (`batch_seq`, from 1). */
  batchSeq: number;
  /** Members the whole session sends (`estimated_num_total`). */
  total: number;
  /** These records are the session's last: its final request ends it and swaps the membership. */
  last: boolean;
}

export interface ReplaceSessionResult extends UploadResult {
  /** Records the service took, from the first (all of them unless `error`); `accepted` and `rejected` are of these. */
  done: number;
  /** The sequence number the session expects next. */
  nextBatchSeq: number;
  /** Why the call stopped after `done` records: no turn at the rate, a throttle, a refusal. */
  error?: unknown;
}

/**
 * A full sync as one session of ordered requests that the service applies at once when the
 * last arrives (Meta's `usersreplace`): the audience keeps its old members until then. A call
 * may stop part-way (it says how far it got), so the session goes on over several activities;
 * a session that cannot go on is started again, with a new id, from its first record.
 */
export interface ReplaceSession {
  send(audienceId: string, records: ProfileRecord[], step: ReplaceSessionStep): Promise<ReplaceSessionResult>;
}

export interface DestinationClient {
  /** A cheap authenticated call; throws DestinationError('auth-failed', ...) on bad credentials. */
  testConnection(): Promise<void>;
  /** Finds the audience/list named `name` or creates it. */
  ensureAudience(name: string, initialMembers: ProfileRecord[]): Promise<EnsuredAudience>;
  uploadBatch(audienceId: string, records: ProfileRecord[], options?: UploadOptions): Promise<UploadResult>;
  /** Takes members out of the audience by member id; a member who is not there counts as removed. */
  removeMembers(audienceId: string, memberIds: string[]): Promise<RemovalResult>;
  /** Every member id the audience holds, where the service can list them (a full sync drops the others). */
  listMembers?(audienceId: string): Promise<string[]>;
  /** Where the service takes large change sets as one job (see `Destination.bulkThreshold`). */
  bulk?: BulkMembership;
  /** Where a full sync goes as one replace session (`SyncSupport.fullSync: 'replace-session'`). */
  replaceSession?: ReplaceSession;
  /** What the service reports about the audience (size, processing state), where it reports anything; one cheap read. */
  describeAudience?(audienceId: string): Promise<AudienceDescription>;
  /** Where the service processes member requests after accepting them (`AsyncProcessing`). */
  processing?: AsyncProcessing;
}

/**
 * How a destination's audiences follow a segment (mirror sync):
 * - `removal`: `per-member` (the service removes single members), `replace-membership` (the
 *   service only swaps the whole membership, so every change sends all of it), `unsupported`.
 * - `fullSync`: how a full sync drops members the app did not send: `replace-first-batch`
 *   (the first batch replaces the membership, later ones add), `replace-session` (the whole
 *   membership goes as one `replaceSession`, swapped in when it ends; an audience created by
 *   the run needs none), `list-and-remove` (list the audience, remove the strangers),
 *   `replace-membership`, or `none`.
 */
export interface SyncSupport {
  removal: 'per-member' | 'replace-membership' | 'unsupported';
  fullSync: 'replace-first-batch' | 'replace-session' | 'list-and-remove' | 'replace-membership' | 'none';
}

/** A field of the profile the export maps (the value is the column name in the segment file). */
export type DataMatchingField = IdentifierName;

export interface Destination<
  C extends z.ZodType = z.ZodType,
  S extends z.ZodType = z.ZodType,
> {
  /** The key in the registry (`adroll`, `microsoft-advertising`, ...). */
  type: string;
  displayName: string;
  description: string;
  /**
   * What the admin agrees to when adding a connection (where the data goes and on whose terms);
   * the portal shows it beside the consent checkbox.
   */
  privacyStatement: string;
  /** Write-only credentials of a connection. */
  credentials: C;
  /** Per-export destination settings (advertiser id, customer/account ids). */
  settings: S;
  /** What the export must map, and what it may map besides (together: every identifier the destination takes). */
  dataMatching: { required: DataMatchingField[]; optional: DataMatchingField[] };
  /** The combinations that match a person, and how each identifier is encoded when sent. */
  identifiers: IdentifierSupport;
  limits: DestinationLimits;
  /** True when the service cannot create an empty audience (AdRoll needs 100 emails at creation). */
  audienceCreationNeedsMembers: boolean;
  /** The record the service receives for a profile (e.g. a SHA-256 hash); used by clients and shown in reports. */
  mapRecord(profile: ProfileRecord): unknown;
  /**
   * The member's key exactly as the service holds it (the membership ledger keeps these):
   * stable per person per destination (the sent email, else the sent phone, ...).
   */
  memberId(profile: ProfileRecord): string;
  /**
   * Where the member id is a function of the email alone (`memberId(p)` equals
   * `memberIdOfEmail(p.email)` for every profile with an email; the conformance suite checks
   * it): planning then reads each work file line's email instead of parsing the line.
   */
  memberIdOfEmail?(email: string): string;
  /** What the service can do to keep an audience equal to its segment, under these export settings. */
  sync(settings: Record<string, string> | undefined): SyncSupport;
  /**
   * Where the client has `bulk`: a segment's adds (or removes) of more than this many go as
   * one bulk job instead of batches; the app settings may change it. Absent: never in bulk.
   */
  bulkThreshold?(endpoints: DestinationEndpoints): number;
  connect(context: ConnectorContext<z.infer<C>, z.infer<S>>): DestinationClient;
}

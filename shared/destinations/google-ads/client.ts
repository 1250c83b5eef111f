import { z } from 'zod';
import { assertBatchSize, connectionKey } from '../common/batch.js';
import { ServiceClient } from '../common/http.js';
import { sendIsolatingRejections } from '../common/isolate-rejections.js';
import { OAuthFlow, refreshTokenCredentials } from '../common/oauth-flow.js';
import { PacedOut } from '../common/pacing.js';
import { sharedLimiter } from '../common/rate-limit.js';
import {
  DestinationError,
  RequestPending,
  type AcceptedRequest,
  type AudienceDescription,
  type ConnectorContext,
  type PendingRequest,
  type ProcessingOutcome,
  type DestinationClient,
  type EnsuredAudience,
  type ProfileRecord,
  type RecordRejection,
  type RemovalResult,
  type UploadResult,
} from '../types.js';
import {
  googleAdsLimits,
  googleAdsRequestsPerSecond,
  maxMembershipDays,
  type googleAdsCredentials,
  type googleAdsSettings,
} from './definition.js';
import { readGoogleFailure } from './errors.js';
import { entryOf, entryUserIdentifiers, googleSentIdentifiers, invalidMember, userIdentifiers, type UserIdentifier } from './identifiers.js';
import { describeUserList } from './user-list.js';

type Credentials = z.infer<typeof googleAdsCredentials>;
type Settings = z.infer<typeof googleAdsSettings>;

/** What `requestStatus:retrieve` says of one request, for the run to record. */
export interface GoogleRequestStatus {
  /** `PROCESSING` until `SUCCESS`, `PARTIAL_SUCCESS` or `FAILED`. */
  state: 'PROCESSING' | 'SUCCESS' | 'PARTIAL_SUCCESS' | 'FAILED' | 'UNKNOWN';
  recordCount?: number;
  userIdentifierCount?: number;
  uploadMatchRateRange?: string;
}

export interface GoogleAdsClient extends DestinationClient {
  /** The request ids of the ingest and remove requests this client sent, oldest first. */
  readonly requestIds: string[];
  requestStatus(requestId: string): Promise<GoogleRequestStatus>;
}

const FINAL = new Set(['SUCCESS', 'PARTIAL_SUCCESS', 'FAILED']);
const OUTCOME: Record<GoogleRequestStatus['state'], ProcessingOutcome['state']> = {
  PROCESSING: 'processing',
  SUCCESS: 'succeeded',
  PARTIAL_SUCCESS: 'partially-succeeded',
  FAILED: 'failed',
  UNKNOWN: 'unknown',
};
/**
 * A full sync's remove-all still processing is checked again after about as long as it has
 * taken so far (from 2 s to 10 min), by the orchestration; after this long it fails the
 * batch rather than keep the run open.
 */
const REMOVE_ALL_MAX_MS = 12 * 60 * 60_000;
const recheckAfterMs = (elapsedMs: number) => Math.min(10 * 60_000, Math.max(2_000, elapsedMs));

const requestIdResponse = z.object({ requestId: z.string().min(1) }).passthrough();
const userListsResponse = z
  .object({
    userLists: z.array(z.object({ name: z.string().optional(), id: z.union([z.string(), z.number()]).optional(), displayName: z.string().optional() }).passthrough()).optional(),
    nextPageToken: z.string().optional(),
  })
  .passthrough();
const userListResponse = z.object({ name: z.string().optional(), id: z.union([z.string(), z.number()]).optional() }).passthrough();
const statusResponse = z
  .object({
    requestStatusPerDestination: z
      .array(
        z
          .object({
            requestStatus: z.string().optional(),
            recordCount: z.coerce.number().optional(),
            userIdentifierCount: z.coerce.number().optional(),
            uploadMatchRateRange: z.string().optional(),
          })
          .passthrough(),
      )
      .optional(),
  })
  .passthrough();

/** `123-456-7890` or `1234567890` → `1234567890`; anything else is the admin's typo, named. */
export function customerIdDigits(value: string, field: string): string {
  const digits = value.replace(/[\s-]/g, '');
  if (!/^[0-9]{6,12}$/.test(digits)) {
    throw new DestinationError('invalid-request', `Google Ads: credentials.${field} must be a customer id (10 digits, e.g. 123-456-7890)`, false);
  }
  return digits;
}

const listIdOf = (list: { name?: string; id?: string | number }): string | undefined =>
  list.id !== undefined ? String(list.id) : list.name?.split('/').at(-1);

const CONSENT = { granted: 'CONSENT_GRANTED', denied: 'CONSENT_DENIED' } as const;

/**
 * Customer Match through Google's Data Manager API: one user list per segment (found by its
 * display name or created), members ingested and removed 10,000 a request as SHA-256 hex of
 * Google's normalization, each with the export's consent. One bad member fails a whole
 * request, so members are checked first and a refused request is bisected down to the
 * members at fault. A 200 only means accepted: each request id is kept (`requestIds`) and
 * `requestStatus` reads its outcome later.
 */
export function connectGoogleAds(context: ConnectorContext<Credentials, Settings>): GoogleAdsClient {
  const endpoints = context.endpoints.googleAds;
  if (!endpoints.clientId) throw new DestinationError('auth-failed', 'Google Ads: the app setting GOOGLE_ADS_CLIENT_ID is not set', false);
  const { credentials, settings } = context;
  const key = connectionKey('google-ads', endpoints.apiUrl, context.connectionId);
  const requestIds: string[] = [];
  let accepted: AcceptedRequest[] = [];

  const api: ServiceClient = new ServiceClient({
    service: 'Google Ads',
    baseUrl: endpoints.apiUrl,
    // The quota is the Cloud project's (the OAuth client's), shared by every connection.
    limiter: sharedLimiter(connectionKey('google-ads', endpoints.apiUrl, `project:${endpoints.clientId}`), context.http?.requestsPerSecond ?? googleAdsRequestsPerSecond),
    http: context.http,
    log: context.log,
    authorize: async () => ({ headers: { Authorization: `Bearer ${await oauth.accessToken()}` } }),
    onUnauthorized: () => oauth.unauthorized(),
    readFailure: readGoogleFailure,
  });

  const oauth = new OAuthFlow<Credentials>({
    key,
    service: 'Google Ads',
    client: api,
    tokenUrl: endpoints.tokenUrl,
    grantForm: (refreshToken) => ({
      client_id: endpoints.clientId,
      ...(endpoints.clientSecret ? { client_secret: endpoints.clientSecret } : {}),
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    }),
    ...refreshTokenCredentials(context),
  });

  const customerId = () => customerIdDigits(credentials.customerId, 'customerId');
  const userListsPath = () => `/accountTypes/GOOGLE_ADS/accounts/${customerId()}/userLists`;
  const requireSettings = (): Settings => {
    if (!settings) throw new DestinationError('invalid-request', 'Google Ads: adUserData and adPersonalization are required to send members', false);
    return settings;
  };

  const destinationsOf = (listId: string) => [
    {
      operatingAccount: { accountType: 'GOOGLE_ADS', accountId: customerId() },
      ...(credentials.loginCustomerId
        ? { loginAccount: { accountType: 'GOOGLE_ADS_MANAGER', accountId: customerIdDigits(credentials.loginCustomerId, 'loginCustomerId') } }
        : {}),
      productDestinationId: listId,
    },
  ];

  /** One ingest or remove request; keeps its request id and the member ids it carried. */
  const send = async (operation: 'ingest' | 'remove', listId: string, members: UserIdentifier[][], memberIds: string[]): Promise<string> => {
    assertBatchSize('Google Ads', members.length, googleAdsLimits.batchSize);
    const { adUserData, adPersonalization } = requireSettings();
    const consent = { adUserData: CONSENT[adUserData], adPersonalization: CONSENT[adPersonalization] };
    const { body } = await api.send({
      method: 'POST',
      path: `/audienceMembers:${operation}`,
      json: {
        destinations: destinationsOf(listId),
        audienceMembers: members.map((identifiers) => ({ consent, userData: { userIdentifiers: identifiers } })),
        encoding: 'HEX',
      },
    });
    const { requestId } = requestIdResponse.parse(body);
    requestIds.push(requestId);
    accepted.push({ requestId, operation: operation === 'ingest' ? 'add' : 'remove', memberIds });
    return requestId;
  };

  const findList = async (name: string): Promise<string | undefined> => {
    let pageToken: string | undefined;
    do {
      const { body } = await api.send({ method: 'GET', path: userListsPath(), query: { pageSize: '1000', ...(pageToken ? { pageToken } : {}) } });
      const page = userListsResponse.parse(body);
      const found = page.userLists?.find((list) => list.displayName === name);
      if (found) return listIdOf(found);
      pageToken = page.nextPageToken || undefined;
    } while (pageToken);
    return undefined;
  };

  const status = async (requestId: string): Promise<GoogleRequestStatus> => {
    const { body } = await api.send({ method: 'GET', path: '/requestStatus:retrieve', query: { requestId } });
    const perDestination = statusResponse.parse(body).requestStatusPerDestination ?? [];
    const first = perDestination[0];
    const state = first?.requestStatus;
    return {
      state: state === 'PROCESSING' || (state !== undefined && FINAL.has(state)) ? (state as GoogleRequestStatus['state']) : 'UNKNOWN',
      ...(first?.recordCount !== undefined ? { recordCount: first.recordCount } : {}),
      ...(first?.userIdentifierCount !== undefined ? { userIdentifierCount: first.userIdentifierCount } : {}),
      ...(first?.uploadMatchRateRange ? { uploadMatchRateRange: first.uploadMatchRateRange } : {}),
    };
  };

  /**
   * A full sync: every member out, and that processed, before the segment goes in (adds
   * racing a remove-all are a known trouble of the older API). The removal is started, or
   * the one an earlier attempt started is checked; while it is processing the batch raises
   * `RequestPending` and the orchestration checks again later, so no activity sleeps.
   */
  const removeAll = async (listId: string, pending: PendingRequest | undefined): Promise<void> => {
    if (!pending) {
      const { body } = await api.send({ method: 'POST', path: '/audienceMembers:removeAll', json: { destinations: destinationsOf(listId) } });
      const { requestId } = requestIdResponse.parse(body);
      requestIds.push(requestId);
      accepted.push({ requestId, operation: 'remove-all', memberIds: [] });
      pending = { requestId, since: new Date().toISOString() };
    }
    const { requestId } = pending;
    const outcome = await status(requestId).catch((error: unknown) => {
      // The removal just started, its check refused for the rate: the request id goes back to
      // the orchestration, which checks it at its turn. Lost with the refusal, every attempt
      // started another remove-all and was refused again at the check, for ever.
      if (error instanceof PacedOut) throw new RequestPending(pending!, error.retryAfterMs ?? 0, `Google Ads: removing every member of list ${listId} started (request ${requestId}); its check waits for the rate`);
      throw error;
    });
    if (outcome.state === 'SUCCESS' || outcome.state === 'PARTIAL_SUCCESS') return;
    if (outcome.state === 'FAILED') throw new DestinationError('destination-error', `Google Ads: removing every member of list ${listId} failed (request ${requestId})`, false);
    const elapsed = Date.now() - Date.parse(pending.since);
    if (elapsed > REMOVE_ALL_MAX_MS) {
      throw new DestinationError('destination-error', `Google Ads: removing every member of list ${listId} was still processing after 12 hours (request ${requestId})`, false);
    }
    throw new RequestPending(pending, recheckAfterMs(elapsed), `Google Ads: removing every member of list ${listId} is processing (request ${requestId}); members are added once it is done`);
  };

  const upload = async (listId: string, records: ProfileRecord[], replace: boolean, pending: PendingRequest | undefined): Promise<UploadResult> => {
    assertBatchSize('Google Ads', records.length, googleAdsLimits.batchSize);
    requireSettings();
    const rejected: RecordRejection[] = [];
    const valid: ProfileRecord[] = [];
    const sent = new Map<number, ReturnType<typeof googleSentIdentifiers>>();
    for (const record of records) {
      const identifiers = googleSentIdentifiers(record);
      const fault = invalidMember(record, identifiers);
      if (fault) rejected.push({ row: record.row, reason: fault, ...valueOf(record) });
      else {
        valid.push(record);
        sent.set(record.row, identifiers);
      }
    }
    if (replace) await removeAll(listId, pending);
    const outcome = await sendIsolatingRejections(valid, async (batch) => {
      await send('ingest', listId, batch.map((record) => userIdentifiers(sent.get(record.row)!)), batch.map((record) => entryOf(sent.get(record.row)!)));
    });
    // The helper names a culprit by its email; a phone-only member by its phone.
    const byRow = new Map(valid.map((record) => [record.row, record]));
    rejected.push(...outcome.rejected.map((rejection) => ({ row: rejection.row, reason: rejection.reason, ...valueOf(byRow.get(rejection.row)) })));
    return { accepted: outcome.accepted, rejected };
  };

  return {
    requestIds,
    requestStatus: status,
    processing: {
      takeAccepted() {
        const taken = accepted;
        accepted = [];
        return taken;
      },
      async status(requestId) {
        const outcome = await status(requestId);
        return {
          state: OUTCOME[outcome.state],
          serviceState: outcome.state,
          ...(outcome.recordCount !== undefined ? { recordCount: outcome.recordCount } : {}),
          ...(outcome.uploadMatchRateRange ? { matchRateRange: outcome.uploadMatchRateRange } : {}),
        };
      },
    },

    async describeAudience(listId): Promise<AudienceDescription> {
      const { body } = await api.send({ method: 'GET', path: `${userListsPath()}/${encodeURIComponent(listId)}` });
      return describeUserList(body);
    },

    async testConnection() {
      await oauth.accessToken();
      await api.send({ method: 'GET', path: userListsPath(), query: { pageSize: '1' } });
    },

    async ensureAudience(name): Promise<EnsuredAudience> {
      const existing = await findList(name);
      if (existing) return { audienceId: existing, created: false, membersIncluded: false };
      const days = Number(settings?.membershipDurationDays ?? maxMembershipDays);
      try {
        // Not idempotent: one attempt; a failure is checked by looking the list up again.
        const { body } = await api.send({
          method: 'POST',
          path: userListsPath(),
          once: true,
          json: { displayName: name, description: `Segment ${name}, exported by segment-export`, membershipDuration: `${days * 86_400}s` },
        });
        const id = listIdOf(userListResponse.parse(body));
        if (!id) throw new DestinationError('destination-error', 'Google Ads: the created user list has no id');
        return { audienceId: id, created: true, membersIncluded: false };
      } catch (error) {
        if (!(error instanceof DestinationError) || !(error.status === 409 || error.code === 'transient')) throw error;
        const raced = await findList(name);
        if (raced) return { audienceId: raced, created: false, membersIncluded: false };
        throw error;
      }
    },

    uploadBatch: (listId, records, options) => upload(listId, records, options?.replace === true, options?.pendingRemoval),

    async removeMembers(listId, memberIds): Promise<RemovalResult> {
      const failed: RemovalResult['failed'] = [];
      for (let start = 0; start < memberIds.length; start += googleAdsLimits.batchSize) {
        const chunk = memberIds.slice(start, start + googleAdsLimits.batchSize);
        // Rows stand for positions in the chunk, so the bisecting helper can name the culprits.
        const positions: ProfileRecord[] = chunk.map((_, index) => ({ row: index }));
        const outcome = await sendIsolatingRejections(positions, async (batch) => {
          await send('remove', listId, batch.map((position) => entryUserIdentifiers(chunk[position.row]!)), batch.map((position) => chunk[position.row]!));
        });
        failed.push(...outcome.rejected.map((rejection) => ({ memberId: chunk[rejection.row]!, reason: rejection.reason })));
      }
      return { removed: memberIds.length - failed.length, failed };
    },
  };
}

const valueOf = (record: ProfileRecord | undefined): { value?: string } => {
  const value = record?.email ?? record?.phone;
  return value === undefined ? {} : { value };
};

import { hash } from 'node:crypto';
import { emailOf } from '../common/identifiers.js';
import { z } from 'zod';
import { assertBatchSize, connectionKey } from '../common/batch.js';
import { ServiceClient, field, type FailureReading } from '../common/http.js';
import { OAuthFlow, refreshTokenCredentials } from '../common/oauth-flow.js';
import { sharedLimiter } from '../common/rate-limit.js';
import { describeCustomerList } from './audience-size.js';
import {
  DestinationError,
  type AudienceDescription,
  type ConnectorContext,
  type DestinationClient,
  type EnsuredAudience,
  type ProfileRecord,
  type RecordRejection,
  type UploadResult,
} from '../types.js';
import { bulkApiUrl, microsoftAdvertisingBulk } from './bulk.js';
import {
  audienceNameMaxLength,
  microsoftAdvertisingLimits,
  microsoftAdvertisingRequestsPerSecond,
  type microsoftAdvertisingCredentials,
  type microsoftAdvertisingSettings,
} from './definition.js';

type Credentials = z.infer<typeof microsoftAdvertisingCredentials>;
type Settings = z.infer<typeof microsoftAdvertisingSettings>;

/**
 * Customer Match takes SHA-256 hex of the trimmed, lower-cased address (the pipeline has
 * normalized it). One-shot `crypto.hash` (UTF-8, as `createHash().update()`): about 3.5 times
 * faster per address than a Hash object, a seventh of an unthrottled upload's CPU before.
 */
export const hashEmail = (email: string): string => hash('sha256', email.trim().toLowerCase(), 'hex');

export const msadsScope = 'https://ads.microsoft.com/msads.manage offline_access';

const ERROR_TERMS_NOT_ACCEPTED = 8003;
const ERROR_DUPLICATE_AUDIENCE_NAME = 4853;
const ERROR_CALL_RATE_EXCEEDED = 117;
/** Documented: after 117, resubmit "after waiting 60 seconds". */
const CALL_RATE_WAIT_MS = 60_000;

const batchError = z
  .object({
    Code: z.coerce.number().optional(),
    ErrorCode: z.string().nullish(),
    Message: z.string().nullish(),
    Index: z.coerce.number().nullish(),
  })
  .passthrough();
type BatchError = z.infer<typeof batchError>;
const partialErrors = z.array(batchError).nullish().transform((errors) => errors ?? []);
const idValue = z.union([z.string(), z.number()]).transform(String);

const audiencesResponse = z.object({
  Audiences: z
    .array(z.object({ Id: idValue, Name: z.string().nullish(), Type: z.string().nullish() }).passthrough().nullable())
    .nullish(),
  PartialErrors: partialErrors,
});
const addAudiencesResponse = z.object({ AudienceIds: z.array(idValue.nullable()).nullish(), PartialErrors: partialErrors });
const applyResponse = z.object({ PartialErrors: partialErrors });

/** AdApiFaultDetail / ApiFaultDetail: `{ TrackingId, Errors: [{ Code, ErrorCode, Message }] }`. */
function readFailure(_status: number, body: unknown): FailureReading {
  const errors = [field(body, 'Errors'), field(body, 'OperationErrors'), field(body, 'BatchErrors')].find(Array.isArray) as
    | Array<Record<string, unknown>>
    | undefined;
  if (!errors || errors.length === 0) return { message: typeof body === 'string' ? body.slice(0, 200) : JSON.stringify(body).slice(0, 200) };
  const throttled = errors.some((error) => Number(error.Code) === ERROR_CALL_RATE_EXCEEDED);
  const terms = errors.some((error) => Number(error.Code) === ERROR_TERMS_NOT_ACCEPTED);
  return {
    message: errors.map((error) => `${error.Code} ${error.ErrorCode ?? ''}: ${error.Message ?? ''}`.trim()).join('; '),
    ...(throttled ? { code: 'rate-limited' as const, retryAfterMs: CALL_RATE_WAIT_MS } : {}),
    ...(terms ? { code: 'terms-not-accepted' as const } : {}),
  };
}

const describe = (error: BatchError) => `${error.Code ?? ''} ${error.ErrorCode ?? ''}: ${error.Message ?? ''}`.trim();

/**
 * Customer Match over the Campaign Management REST API (v13): one CustomerList audience per
 * segment, found by name or created, and SHA-256 email hashes applied 1,000 at a time.
 * Failures inside a 200 (PartialErrors) are never ignored: batch-wide ones raise, per-item
 * ones become rejected rows.
 */
export function connectMicrosoftAdvertising(context: ConnectorContext<Credentials, Settings>): DestinationClient {
  const endpoints = context.endpoints.microsoftAdvertising;
  if (!endpoints.developerToken) {
    throw new DestinationError('auth-failed', 'Microsoft Advertising: the app setting MSADS_DEVELOPER_TOKEN is not set', false);
  }
  if (!endpoints.clientId) {
    throw new DestinationError('auth-failed', 'Microsoft Advertising: the app setting MSADS_CLIENT_ID is not set', false);
  }
  const key = connectionKey('microsoft-advertising', endpoints.apiUrl, context.connectionId);
  const settings = context.settings;

  const api: ServiceClient = new ServiceClient({
    service: 'Microsoft Advertising',
    baseUrl: endpoints.apiUrl,
    limiter: sharedLimiter(key, context.http?.requestsPerSecond ?? microsoftAdvertisingRequestsPerSecond),
    http: context.http,
    log: context.log,
    authorize: async () => ({
      headers: {
        Authorization: `Bearer ${await oauth.accessToken()}`,
        DeveloperToken: endpoints.developerToken,
        ...(settings ? { CustomerId: settings.customerId, CustomerAccountId: settings.accountId } : {}),
      },
    }),
    onUnauthorized: () => oauth.unauthorized(),
    readFailure,
  });

  const oauth = new OAuthFlow<Credentials>({
    key,
    service: 'Microsoft Advertising',
    client: api,
    tokenUrl: endpoints.tokenUrl,
    grantForm: (refreshToken) => ({
      client_id: endpoints.clientId,
      ...(endpoints.clientSecret ? { client_secret: endpoints.clientSecret } : {}),
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      scope: msadsScope,
    }),
    ...refreshTokenCredentials(context),
  });

  const requireSettings = (): Settings => {
    if (!settings) {
      throw new DestinationError('invalid-request', 'Microsoft Advertising: customerId and accountId are required to manage audiences', false);
    }
    return settings;
  };

  const findAudience = async (name: string): Promise<string | undefined> => {
    requireSettings();
    // AudienceIds null: every customer and account scoped audience of the account.
    const { body } = await api.send({
      method: 'POST',
      path: '/CampaignManagement/v13/Audiences/QueryByIds',
      json: { AudienceIds: null, Type: 'CustomerList', ReturnAdditionalFields: null },
    });
    const parsed = audiencesResponse.parse(body);
    raiseBatchWide(parsed.PartialErrors, 'GetAudiencesByIds');
    return parsed.Audiences?.find((audience) => audience?.Name === name)?.Id;
  };

  /** One ApplyCustomerListUserData call; answers the indexes of the items it refused, with why. */
  const apply = async (audienceId: string, hashes: string[], action: 'Add' | 'Remove' | 'Replace'): Promise<Map<number, string>> => {
    assertBatchSize('Microsoft Advertising', hashes.length, microsoftAdvertisingLimits.batchSize);
    const refused = new Map<number, string>();
    if (hashes.length === 0) return refused;
    const accept = settings?.acceptCustomerMatchTerms;
    const { body } = await api.send({
      method: 'POST',
      path: '/CampaignManagement/v13/CustomerListUserData/Apply',
      json: {
        CustomerListUserData: {
          ...(accept ? { AcceptCustomerMatchTerm: accept === 'true' } : {}),
          ActionType: action,
          AudienceId: audienceId,
          CustomerListItemSubType: 'Email',
          CustomerListItems: hashes,
        },
      },
    });
    const errors = applyResponse.parse(body).PartialErrors;
    raiseBatchWide(errors, 'ApplyCustomerListUserData', hashes.length);
    for (const error of errors) if (!refused.has(error.Index!)) refused.set(error.Index!, `destination-rejected: ${describe(error)}`);
    return refused;
  };

  const upload = async (audienceId: string, records: ProfileRecord[], replace: boolean): Promise<UploadResult> => {
    const hashes = records.map((record) => hashEmail(emailOf(record)));
    const refused = await apply(audienceId, hashes, replace ? 'Replace' : 'Add');
    const rejected: RecordRejection[] = [...refused].map(([index, reason]) => ({ row: records[index]!.row, reason, value: hashes[index] }));
    return { accepted: records.length - rejected.length, rejected, memberIds: hashes };
  };

  return {
    async testConnection() {
      // GetUser needs only the token and the developer token: it proves both without an account.
      await api.send({
        method: 'POST',
        path: '/CustomerManagement/v13/User/Query',
        url: `${customerManagementUrl(endpoints.apiUrl)}/CustomerManagement/v13/User/Query`,
        json: { UserId: null },
      });
    },

    async ensureAudience(name): Promise<EnsuredAudience> {
      const { accountId } = requireSettings();
      if (name.length > audienceNameMaxLength) {
        throw new DestinationError('invalid-request', `Microsoft Advertising: audience names are at most ${audienceNameMaxLength} characters`, false);
      }
      const existing = await findAudience(name);
      if (existing) return { audienceId: existing, created: false, membersIncluded: false };

      // AddAudiences is not idempotent, hence the lookup above and the race check below.
      const { body } = await api.send({
        method: 'POST',
        path: '/CampaignManagement/v13/Audiences',
        json: {
          Audiences: [
            {
              Type: 'CustomerList',
              Name: name,
              Description: `Segment ${name}, exported by segment-export`,
              Scope: 'Account',
              ParentId: accountId,
            },
          ],
        },
      });
      const parsed = addAudiencesResponse.parse(body);
      const id = parsed.AudienceIds?.[0];
      if (id) return { audienceId: id, created: true, membersIncluded: false };
      if (parsed.PartialErrors.some((error) => error.Code === ERROR_DUPLICATE_AUDIENCE_NAME)) {
        const raced = await findAudience(name);
        if (raced) return { audienceId: raced, created: false, membersIncluded: false };
      }
      raiseBatchWide(parsed.PartialErrors.map((error) => ({ ...error, Index: null })), 'AddAudiences');
      throw new DestinationError('destination-error', 'Microsoft Advertising AddAudiences returned no audience id and no error');
    },

    uploadBatch: (audienceId, records, options) => upload(audienceId, records, options?.replace === true),
    bulk: microsoftAdvertisingBulk({
      api,
      baseUrl: bulkApiUrl(endpoints.apiUrl, endpoints.bulkApiUrl),
      accountId: () => requireSettings().accountId,
      ...(settings?.acceptCustomerMatchTerms ? { acceptTerms: settings.acceptCustomerMatchTerms === 'true' } : {}),
    }),
    async removeMembers(audienceId, memberIds) {
      const refused = await apply(audienceId, memberIds, 'Remove');
      return { removed: memberIds.length - refused.size, failed: [...refused].map(([index, reason]) => ({ memberId: memberIds[index]!, reason })) };
    },
    async describeAudience(audienceId): Promise<AudienceDescription> {
      requireSettings();
      const { body } = await api.send({
        method: 'POST',
        path: '/CampaignManagement/v13/Audiences/QueryByIds',
        json: { AudienceIds: [audienceId], Type: 'CustomerList', ReturnAdditionalFields: null },
      });
      const parsed = audiencesResponse.parse(body);
      raiseBatchWide(parsed.PartialErrors, 'GetAudiencesByIds', 1);
      const audience = parsed.Audiences?.[0];
      if (!audience) throw new DestinationError('not-found', `Microsoft Advertising: audience ${audienceId} was not found`, false, 404);
      return describeCustomerList(audience);
    },
  };
}

/**
 * Errors that are not about one item (no Index, or an Index outside the request) concern
 * the whole call: 8003 means the Customer Match terms are not accepted, anything else is
 * reported as it is. Nothing in PartialErrors is ever dropped.
 */
function raiseBatchWide(errors: BatchError[], operation: string, items = 0): void {
  const batchWide = errors.filter((error) => error.Index === null || error.Index === undefined || error.Index < 0 || error.Index >= items);
  if (batchWide.length === 0) return;
  const message = `Microsoft Advertising ${operation}: ${batchWide.map(describe).join('; ')}`;
  if (batchWide.some((error) => error.Code === ERROR_TERMS_NOT_ACCEPTED)) {
    throw new DestinationError(
      'terms-not-accepted',
      `${message}. Accept the Customer Match terms in Microsoft Advertising (or set acceptCustomerMatchTerms)`,
      false,
    );
  }
  if (batchWide.some((error) => error.Code === ERROR_CALL_RATE_EXCEEDED)) throw new DestinationError('rate-limited', message, true);
  throw new DestinationError('destination-error', message, false);
}

/**
 * The Customer Management service lives on its own host (clientcenter.api...). It has no app
 * setting of its own: derive it from the Campaign Management URL, and use the same origin
 * when that is not a Microsoft host (the simulator serves every service on one port).
 */
export function customerManagementUrl(campaignApiUrl: string): string {
  const url = new URL(campaignApiUrl);
  if (url.hostname.startsWith('campaign.api.')) url.hostname = url.hostname.replace(/^campaign\.api\./, 'clientcenter.api.');
  return url.origin;
}

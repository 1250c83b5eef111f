import { randomBytes, randomUUID } from 'node:crypto';
import { devCredentials } from '../credentials.js';
import { baseHandle, type SimAudience, type SimulatorHandle } from '../common/handle.js';
import { sharedControl } from '../common/controls.js';
import { SimServer, asRecord, json, type ServiceBehaviour, type SimRequest, type SimResponse } from '../common/server.js';
import { authorizationValue, issueToken, verifyToken } from '../common/tokens.js';
import { bulkService, type BulkLimits } from './bulk.js';

/**
 * Campaign Management throttles per customer in a sliding 60 s window without publishing the
 * number; the simulator enforces 5 calls a second with a burst of 5 (see docs/destinations.md).
 */
export const msadsRateLimit = { requestsPerSecond: 5, burst: 5 };
export const msadsMaxCustomerListItems = 1_000;
export const msadsMaxAudiencesPerCall = 100;
export const msadsAudienceNameMaxLength = 128;
export const msadsTokenPath = '/common/oauth2/v2.0/token';
const ACCESS_TOKEN_LIFETIME_S = 3600;
const SCOPE = 'https://ads.microsoft.com/msads.manage';

interface Audience {
  Id: string;
  Name: string;
  Description?: string;
  ParentId: string;
  Scope: string;
  members: Set<string>;
  /** When the membership last changed: sizes are withheld for `sizeReporting.delayMs` after it. */
  changedAt?: number;
}

/**
 * How the simulator reports a customer list's size: nil for `delayMs` after each change (the
 * service takes up to 48 hours), nil below 300 matched members (as the service), and
 * otherwise the members whose hash falls under `matchRate` (deterministic per member, so
 * per audience). Defaults: at once, everyone matched.
 */
export interface SizeReporting {
  delayMs: number;
  matchRate: number;
}
const SIZE_SHOWN_FROM = 300;
const defaultSizeReporting = (): SizeReporting => ({ delayMs: 0, matchRate: 1 });
/** A member matches when the first 32 bits of its hash, as a share of 2^32, fall under the rate. */
const matches = (hash: string, rate: number) => parseInt(hash.slice(0, 8), 16) / 0x1_0000_0000 < rate;

export interface MicrosoftAdvertisingSimulator extends SimulatorHandle {
  /** Token endpoint URL (MSADS_TOKEN_URL). */
  readonly tokenUrl: string;
  /** Whether the dev customer has accepted the Customer Match terms (default true). */
  termsAccepted: boolean;
  expireAccessTokens(): void;
  /** From now on, refuse these items one by one (PartialErrors with their Index), as for a malformed hash. */
  refuseItems(items: string[]): void;
  /** The Bulk service's limits and processing time (reset() restores the defaults). */
  readonly bulkLimits: BulkLimits;
  /** The next `count` bulk upload URL requests answer 4204 (the bulk quota is spent). */
  refuseBulkUploads(count: number): void;
  /** Bulk jobs and their statuses, oldest first. */
  bulkJobs(): { id: string; status: string }[];
  /** How sizes are reported (processing delay, match rate); reset() restores the defaults. */
  readonly sizeReporting: SizeReporting;
}

let trackingSeq = 0;
const trackingId = () => `sim-${++trackingSeq}-${randomUUID().slice(0, 8)}`;

/** AdApiFaultDetail: generic failures such as authentication (REST answers 401 with it). */
const adApiFault = (status: number, code: number, errorCode: string, message: string): SimResponse =>
  json(status, { TrackingId: trackingId(), Type: 'AdApiFaultDetail', Errors: [{ Code: code, Detail: null, ErrorCode: errorCode, Message: message }] });
/** ApiFaultDetail: the request itself is wrong (shape, limits). */
const apiFault = (code: number, errorCode: string, message: string): SimResponse =>
  json(400, {
    TrackingId: trackingId(),
    Type: 'ApiFaultDetail',
    BatchErrors: [],
    OperationErrors: [{ Code: code, Details: null, ErrorCode: errorCode, Message: message }],
  });
const batchError = (index: number | null, code: number, errorCode: string, message: string) => ({
  Code: code,
  Details: null,
  ErrorCode: errorCode,
  FieldPath: null,
  ForwardCompatibilityMap: null,
  Index: index,
  Message: message,
  Type: 'BatchError',
});
const oauthError = (status: number, error: string, description: string): SimResponse =>
  json(status, { error, error_description: description, error_codes: [70000], timestamp: new Date().toISOString(), trace_id: randomUUID() });

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Microsoft Advertising as the connector uses it, on one port: the identity platform's token
 * endpoint (refresh-token grant), Customer Management GetUser, and Campaign Management REST
 * v13 GetAudiencesByIds / AddAudiences / ApplyCustomerListUserData with their headers,
 * limits, AdApiFaultDetail faults and PartialErrors.
 */
export function microsoftAdvertisingBehaviour() {
  const creds = devCredentials.microsoftAdvertising;
  const state = {
    audiences: new Map<string, Audience>(),
    accessTokens: new Set<string>(),
    termsAccepted: true,
    nextId: 7_100_000_000,
    refused: new Set<string>(),
    sizeReporting: defaultSizeReporting(),
  };

  /** Headers every Campaign Management call needs; undefined when they are fine. */
  const checkAccountHeaders = (request: SimRequest): SimResponse | undefined => {
    const customerId = request.headers.customerid;
    const accountId = request.headers.customeraccountid;
    if (!customerId || !accountId) {
      return apiFault(116, 'RequestMissingHeaders', 'One or more required header elements are missing from the request: CustomerId, CustomerAccountId.');
    }
    if (customerId !== creds.customerId || accountId !== creds.accountId) {
      return adApiFault(403, 106, 'UserIsNotAuthorized', 'The user is not authorized to perform this action.');
    }
    return undefined;
  };

  const bulk = bulkService({
    accountId: creds.accountId,
    // A bulk job reaching an audience changes it: its sizes are withheld again.
    audience: (id) => {
      const audience = state.audiences.get(id);
      if (audience) audience.changedAt = Date.now();
      return audience;
    },
    terms: {
      get accepted() {
        return state.termsAccepted;
      },
      set accepted(accepted: boolean) {
        state.termsAccepted = accepted;
      },
    },
    refused: state.refused,
    checkAccountHeaders,
    apiFault,
  });

  const token = (request: SimRequest): SimResponse => {
    const form = asRecord(request.body) ?? {};
    if (form.client_id !== creds.clientId) return oauthError(400, 'unauthorized_client', `AADSTS700016: Application with identifier '${String(form.client_id)}' was not found.`);
    if (form.client_secret !== undefined && form.client_secret !== creds.clientSecret) {
      return oauthError(401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.');
    }
    if (form.grant_type !== 'refresh_token') return oauthError(400, 'unsupported_grant_type', 'AADSTS70003: only refresh_token is simulated.');
    if (typeof form.scope !== 'string' || !form.scope.includes(SCOPE)) {
      return oauthError(400, 'invalid_scope', `AADSTS70011: the scope must include ${SCOPE}.`);
    }
    const presented = typeof form.refresh_token === 'string' ? form.refresh_token : '';
    const signed = verifyToken(presented, 'msads-refresh');
    if (presented !== creds.refreshToken && (!signed || signed.sub !== creds.clientId)) {
      return oauthError(400, 'invalid_grant', 'AADSTS70000: The provided value for the refresh_token is not valid.');
    }
    const accessToken = `EwB${randomBytes(32).toString('base64url')}`;
    state.accessTokens.add(accessToken);
    return json(200, {
      token_type: 'Bearer',
      scope: `${SCOPE} offline_access`,
      expires_in: ACCESS_TOKEN_LIFETIME_S,
      ext_expires_in: ACCESS_TOKEN_LIFETIME_S,
      access_token: accessToken,
      // Microsoft returns a new refresh token with every grant; earlier ones stay valid.
      refresh_token: issueToken('msads-refresh', creds.clientId),
    });
  };

  const accountAudiences = () => [...state.audiences.values()].filter((audience) => audience.ParentId === creds.accountId);

  const matchedSize = (audience: Audience): number | null => {
    const { delayMs, matchRate } = state.sizeReporting;
    if (audience.changedAt !== undefined && Date.now() - audience.changedAt < delayMs) return null;
    let matched = 0;
    for (const hash of audience.members) if (matches(hash, matchRate)) matched++;
    return matched >= SIZE_SHOWN_FROM ? matched : null;
  };

  const describe = (audience: Audience) => ({
    AudienceNetworkSize: matchedSize(audience),
    Description: audience.Description ?? null,
    ForwardCompatibilityMap: null,
    Id: audience.Id,
    MembershipDuration: null,
    Name: audience.Name,
    ParentId: audience.ParentId,
    Scope: audience.Scope,
    SearchSize: matchedSize(audience),
    SupportedCampaignTypes: ['Search', 'Shopping', 'Audience'],
    Type: 'CustomerList',
  });

  const getAudiencesByIds = (request: SimRequest): SimResponse => {
    const body = asRecord(request.body) ?? {};
    const ids = body.AudienceIds;
    if (typeof body.Type !== 'string' || !body.Type.split(/[\s,]+/).includes('CustomerList')) {
      return json(200, { Audiences: [], PartialErrors: [] });
    }
    if (ids === null || ids === undefined || (Array.isArray(ids) && ids.length === 0)) {
      return json(200, { Audiences: accountAudiences().map(describe), PartialErrors: [] });
    }
    if (!Array.isArray(ids) || ids.length > 100) return apiFault(4852, 'AudienceIdsArrayExceedsLimit', 'Audience ids array exceeds the limit size.');
    const audiences = ids.map((id) => state.audiences.get(String(id)));
    return json(200, {
      Audiences: audiences.map((audience) => (audience ? describe(audience) : null)),
      PartialErrors: audiences.flatMap((audience, index) => (audience ? [] : [batchError(index, 1030, 'AudienceIdDoNotExist', 'Audience Id does not exist.')])),
    });
  };

  const addAudiences = (request: SimRequest): SimResponse => {
    const list = asRecord(request.body)?.Audiences;
    if (!Array.isArray(list) || list.length === 0) return apiFault(1001, 'NullArrayArgument', 'Audiences: the list is required.');
    if (list.length > msadsMaxAudiencesPerCall) return apiFault(1002, 'ArrayExceedsLimit', `Audiences: at most ${msadsMaxAudiencesPerCall} per call.`);
    const ids: (string | null)[] = [];
    const errors: ReturnType<typeof batchError>[] = [];
    for (const [index, item] of list.entries()) {
      const audience = asRecord(item) ?? {};
      const name = audience.Name;
      const fail = (code: number, errorCode: string, message: string) => {
        ids.push(null);
        errors.push(batchError(index, code, errorCode, message));
      };
      if (audience.Type !== 'CustomerList') fail(1004, 'InvalidAudienceType', 'Only CustomerList audiences are simulated.');
      else if (!state.termsAccepted) fail(8003, 'CustomerListTermsAndConditionsNotAccepted', 'The Customer Match Terms And Conditions are not yet Accepted in the Microsoft Advertising web UI.');
      else if (typeof name !== 'string' || name.trim() === '' || name.length > msadsAudienceNameMaxLength) {
        fail(4842, 'AudienceNameInvalid', `Audience name is required and at most ${msadsAudienceNameMaxLength} characters.`);
      } else if (String(audience.ParentId) !== creds.accountId) fail(4845, 'InvalidAudienceParentId', 'The audience ParentId must be the account in CustomerAccountId.');
      else if (accountAudiences().some((existing) => existing.Name === name)) fail(4853, 'DuplicateAudienceName', 'Audience name is duplicate.');
      else {
        const created: Audience = {
          Id: String(state.nextId++),
          Name: name,
          Description: typeof audience.Description === 'string' ? audience.Description : undefined,
          ParentId: creds.accountId,
          Scope: typeof audience.Scope === 'string' ? audience.Scope : 'Account',
          members: new Set(),
        };
        state.audiences.set(created.Id, created);
        ids.push(created.Id);
      }
    }
    return json(200, { AudienceIds: ids, PartialErrors: errors });
  };

  const applyCustomerListUserData = (request: SimRequest): SimResponse => {
    const data = asRecord(asRecord(request.body)?.CustomerListUserData);
    if (!data) return apiFault(1001, 'NullArgument', 'CustomerListUserData is required.');
    const action = data.ActionType;
    if (action !== 'Add' && action !== 'Remove' && action !== 'Replace') {
      return apiFault(4854, 'CustomerListActionTypeNotSupported', 'The Customer List Action Type can only be Add, Remove or Replace.');
    }
    if (data.CustomerListItemSubType !== 'Email') return apiFault(8002, 'CustomerListItemSubTypeNotSupported', 'The Customer List Item sub type is not supported.');
    const items = data.CustomerListItems;
    if (!Array.isArray(items) || items.length === 0) return apiFault(1001, 'NullArrayArgument', 'CustomerListItems is required.');
    if (items.length > msadsMaxCustomerListItems) {
      return apiFault(1002, 'ArrayExceedsLimit', `CustomerListItems: at most ${msadsMaxCustomerListItems} items per call, got ${items.length}.`);
    }
    if (data.AcceptCustomerMatchTerm === true) state.termsAccepted = true;
    if (data.AcceptCustomerMatchTerm === false || !state.termsAccepted) {
      return json(200, {
        PartialErrors: [batchError(null, 8003, 'CustomerListTermsAndConditionsNotAccepted', 'The Customer Match Terms And Conditions are not yet Accepted.')],
      });
    }
    const audience = state.audiences.get(String(data.AudienceId));
    if (!audience || audience.ParentId !== creds.accountId) {
      return json(200, { PartialErrors: [batchError(null, 1030, 'AudienceIdDoNotExist', 'Audience Id does not exist.')] });
    }
    const errors: ReturnType<typeof batchError>[] = [];
    const valid: string[] = [];
    for (const [index, item] of items.entries()) {
      if (typeof item === 'string' && state.refused.has(item)) errors.push(batchError(index, 8007, 'CustomerListItemInvalid', 'The customer list item is not valid.'));
      else if (typeof item === 'string' && SHA256_HEX.test(item)) valid.push(item);
      else if (typeof item === 'string' && item.includes('@')) errors.push(batchError(index, 8004, 'EmailMustBeHashed', "Email address can't be in plain text and must be hashed."));
      else errors.push(batchError(index, 8007, 'CustomerListItemInvalid', 'The customer list item is not a SHA-256 hash.'));
    }
    if (action === 'Replace') audience.members = new Set(valid);
    else for (const hash of valid) action === 'Add' ? audience.members.add(hash) : audience.members.delete(hash);
    audience.changedAt = Date.now();
    return json(200, { PartialErrors: errors });
  };

  const items = (request: SimRequest) => {
    const list = asRecord(asRecord(request.body)?.CustomerListUserData)?.CustomerListItems;
    return Array.isArray(list) ? list.length : undefined;
  };

  const behaviour: ServiceBehaviour = {
    name: 'microsoft-advertising',
    rateLimit: msadsRateLimit,
    authenticate(request) {
      const bearer = authorizationValue(request.headers.authorization, 'Bearer');
      if (!bearer || !state.accessTokens.has(bearer)) {
        return bearer?.startsWith('EwB')
          ? adApiFault(401, 109, 'AuthenticationTokenExpired', 'Authentication token expired. Please renew it or obtain a new token.')
          : adApiFault(401, 105, 'InvalidCredentials', 'Authentication failed. Either supplied credentials are invalid or the account is inactive');
      }
      if (request.headers.developertoken !== creds.developerToken) {
        return adApiFault(401, 105, 'InvalidCredentials', 'Authentication failed. The developer token is not valid for this environment.');
      }
      return undefined;
    },
    tooManyRequests: (retryAfterSeconds) => ({
      ...adApiFault(429, 117, 'CallRateExceeded', 'You have exceeded the number of calls that you are allowed to make in a minute. Please reduce the number of calls that you make per minute.'),
      headers: retryAfterSeconds === undefined ? undefined : { 'retry-after': String(retryAfterSeconds) },
    }),
    badRequest: (message) => apiFault(100, 'InvalidRequest', message),
    serverError: () => adApiFault(500, 0, 'InternalError', 'An internal error has occurred.'),
    notFound: (request) => json(404, { Message: `No HTTP resource was found that matches the request URI ${request.path}.` }),
    routes: [
      { method: 'POST', path: new RegExp(`^${msadsTokenPath.replaceAll('.', '\\.')}$`), public: true, handle: token },
      {
        method: 'POST',
        path: /^\/CustomerManagement\/v13\/User\/Query$/,
        handle: () =>
          json(200, {
            User: { Id: '3000001', UserName: 'dev.user@example.com', CustomerId: creds.customerId, Name: { FirstName: 'Dev', LastName: 'User' } },
            CustomerRoles: [{ CustomerId: creds.customerId, AccountIds: [creds.accountId], RoleId: 41, LinkedAccountIds: null }],
          }),
      },
      {
        method: 'POST',
        path: /^\/CampaignManagement\/v13\/Audiences\/QueryByIds$/,
        handle: (request) => checkAccountHeaders(request) ?? getAudiencesByIds(request),
      },
      {
        method: 'POST',
        path: /^\/CampaignManagement\/v13\/Audiences$/,
        handle: (request) => checkAccountHeaders(request) ?? addAudiences(request),
      },
      {
        method: 'POST',
        path: /^\/CampaignManagement\/v13\/CustomerListUserData\/Apply$/,
        batchSize: items,
        handle: (request) => checkAccountHeaders(request) ?? applyCustomerListUserData(request),
      },
      ...bulk.routes,
    ],
    snapshot: () => ({
      termsAccepted: state.termsAccepted,
      bulkJobs: bulk.snapshot(),
      audiences: [...state.audiences.values()].map((audience) => ({ id: audience.Id, name: audience.Name, members: audience.members.size })),
    }),
    admin(request) {
      const match = /^\/__sim\/audiences\/(.+)$/.exec(request.path);
      if (request.method === 'GET' && match) {
        const audience = findAudience(decodeURIComponent(match[1]!));
        return audience ? json(200, audience) : json(404, { error: 'no such audience' });
      }
      if (request.method === 'POST' && request.path === '/__sim/terms') {
        const accepted = asRecord(request.body)?.accepted;
        if (typeof accepted !== 'boolean') return json(400, { error: 'accepted: true or false' });
        state.termsAccepted = accepted;
        return json(204);
      }
      const shared = sharedControl(request, state);
      if (shared) return shared;
      // Bulk limits for a separate app process: `{ "processingMs", "maxRows", "maxFileBytes", "quotaRefusals" }`, each optional.
      if (request.method === 'POST' && request.path === '/__sim/bulk') {
        const body = asRecord(request.body) ?? {};
        const numbers = ['processingMs', 'maxRows', 'maxFileBytes', 'quotaRefusals'] as const;
        if (!numbers.every((name) => body[name] === undefined || (typeof body[name] === 'number' && body[name] >= 0))) {
          return json(400, { error: `${numbers.join(', ')}: numbers, 0 or more` });
        }
        for (const name of numbers) {
          const value = body[name] as number | undefined;
          if (value === undefined) continue;
          if (name === 'quotaRefusals') bulk.state.quotaRefusals = value;
          else bulk.state.limits[name] = value;
        }
        return json(204);
      }
      // Size reporting for a separate app process: `{ "delayMs", "matchRate" }`, each optional.
      if (request.method === 'POST' && request.path === '/__sim/size-reporting') {
        const body = asRecord(request.body) ?? {};
        const { delayMs, matchRate } = body;
        if (delayMs !== undefined && !(typeof delayMs === 'number' && delayMs >= 0)) return json(400, { error: 'delayMs: a number, 0 or more' });
        if (matchRate !== undefined && !(typeof matchRate === 'number' && matchRate >= 0 && matchRate <= 1)) return json(400, { error: 'matchRate: a number from 0 to 1' });
        if (delayMs !== undefined) state.sizeReporting.delayMs = delayMs;
        if (matchRate !== undefined) state.sizeReporting.matchRate = matchRate;
        return json(204);
      }
      return undefined;
    },
    reset() {
      state.sizeReporting = defaultSizeReporting();
      bulk.reset();
      state.audiences.clear();
      state.accessTokens.clear();
      state.termsAccepted = true;
      state.refused.clear();
    },
  };

  const toAudience = (audience: Audience): SimAudience => ({ id: audience.Id, name: audience.Name, members: [...audience.members] });
  const findAudience = (name: string) => {
    const audience = [...state.audiences.values()].find((candidate) => candidate.Name === name);
    return audience ? toAudience(audience) : undefined;
  };

  const byName = (name: string) => [...state.audiences.values()].find((candidate) => candidate.Name === name);
  return {
    behaviour,
    state,
    bulk,
    audiences: () => [...state.audiences.values()].map(toAudience),
    audience: findAudience,
    deleteAudience: (name: string) => {
      const audience = byName(name);
      return audience ? state.audiences.delete(audience.Id) : false;
    },
    addMembers: (name: string, members: string[]) => {
      for (const member of members) byName(name)?.members.add(member);
    },
  };
}

export async function startMicrosoftAdvertisingSimulator(
  options: { host?: string; port?: number; rateLimits?: boolean } = {},
): Promise<MicrosoftAdvertisingSimulator> {
  const sim = microsoftAdvertisingBehaviour();
  const server = new SimServer(sim.behaviour, { rateLimits: options.rateLimits });
  const url = await server.start(options.host, options.port);
  return {
    ...baseHandle('microsoft-advertising', server, url),
    tokenUrl: `${url}${msadsTokenPath}`,
    get termsAccepted() {
      return sim.state.termsAccepted;
    },
    set termsAccepted(accepted: boolean) {
      sim.state.termsAccepted = accepted;
    },
    audiences: sim.audiences,
    audience: sim.audience,
    deleteAudience: sim.deleteAudience,
    addMembers: sim.addMembers,
    expireAccessTokens: () => sim.state.accessTokens.clear(),
    refuseItems: (items) => items.forEach((item) => sim.state.refused.add(item)),
    get bulkLimits() {
      return sim.bulk.state.limits;
    },
    refuseBulkUploads: (count) => {
      sim.bulk.state.quotaRefusals = count;
    },
    bulkJobs: sim.bulk.snapshot,
    get sizeReporting() {
      return sim.state.sizeReporting;
    },
  };
}

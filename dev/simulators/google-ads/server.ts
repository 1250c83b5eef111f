import { randomBytes, randomUUID } from 'node:crypto';
import { devCredentials } from '../credentials.js';
import { audienceAccess, baseHandle, type SimAudience, type SimulatorHandle } from '../common/handle.js';
import { sharedControl } from '../common/controls.js';
import { SimServer, asRecord, json, type ServiceBehaviour, type SimRequest, type SimResponse } from '../common/server.js';
import { authorizationValue } from '../common/tokens.js';

/**
 * Google's Data Manager API as the connector uses it (docs/destinations.md, "Google Ads"):
 * the OAuth token endpoint, user lists of the dev customer, `audienceMembers:ingest`,
 * `:remove` and `:removeAll` with their limits and fail-fast validation (one bad member
 * fails the whole request, 400 INVALID_ARGUMENT naming it), request ids whose status moves
 * from PROCESSING to a final state after a configurable delay, and 429 RESOURCE_EXHAUSTED
 * over 300 requests a minute with a google.rpc RetryInfo (no Retry-After header).
 *
 * Invented where the sources we have are silent, and said so: the user list fields
 * (`displayName`, `id`, `membershipDuration` as a Duration string), the shape of
 * `requestStatus:retrieve` (`requestStatusPerDestination[]` with `requestStatus`,
 * `recordCount`, `userIdentifierCount`, `uploadMatchRateRange`), the match-rate range names
 * between the two documented ends, and the token endpoint's error bodies (OAuth 2.0's).
 */
export const googleAdsRateLimit = { requestsPerSecond: 5, burst: 5 };
export const googleAdsMaxMembers = 10_000;
export const googleAdsMaxIdentifiers = 10;
export const googleAdsMaxDestinations = 10;
export const googleAdsTokenPath = '/token';
const SCOPE = 'https://www.googleapis.com/auth/datamanager';
const CONSENT = new Set(['CONSENT_GRANTED', 'CONSENT_DENIED']);
const HEX_64 = /^[0-9a-f]{64}$/;

/** A member as the service holds it: the hashed identifiers as they arrived. */
export interface GoogleSimMember {
  emailAddress?: string;
  phoneNumber?: string;
  address?: { givenName: string; familyName: string; regionCode: string; postalCode: string };
}

interface UserList {
  id: string;
  displayName: string;
  description?: string;
  membershipDuration?: string;
  /** By entry (`email=<hex>&phone=<hex>...`, the connector's ledger form). */
  members: Map<string, GoogleSimMember>;
  /** A remove-all is processing until then: members ingested meanwhile are lost with the rest (the race users report). */
  clearingUntil?: number;
}

interface SimRequestStatus {
  id: string;
  destination: string;
  readyAt: number;
  final: 'SUCCESS' | 'PARTIAL_SUCCESS' | 'FAILED';
  recordCount: number;
  userIdentifierCount: number;
  uploadMatchRateRange: string;
}

export interface GoogleAdsSimulator extends SimulatorHandle {
  readonly tokenUrl: string;
  /** `GOOGLE_ADS_API_URL`: the base with its `/v1`. */
  readonly apiUrl: string;
  /** Members of a list as they arrived (what `GET /__sim/audiences/<name>` answers). */
  listMembers(name: string): GoogleSimMember[] | undefined;
  /** From now on, a request carrying one of these members (by entry or any hashed identifier) is refused whole. */
  refuseItems(items: string[]): void;
  /** How long a request reads PROCESSING (default 0: final at the first poll). */
  processingDelayMs: number;
  /** The next `count` ingest or remove requests end FAILED, and change nothing. */
  failNextRequests(count: number): void;
  /** The next `count` requests end PARTIAL_SUCCESS (their members are taken). */
  partlySucceedNextRequests(count: number): void;
  requestStatuses(): { id: string; status: string }[];
  expireAccessTokens(): void;
}

const rpcError = (code: number, status: string, message: string, details: unknown[] = []): SimResponse =>
  json(code, { error: { code, message, status, details } });
const invalid = (field: string, description: string): SimResponse =>
  rpcError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.', [
    { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field, description }] },
  ]);

/** The connector's ledger form of a member: its identifiers in the app's identifier order. */
export function simEntry(member: GoogleSimMember): string {
  const parts: [string, string | undefined][] = [
    ['email', member.emailAddress],
    ['phone', member.phoneNumber],
    ['firstName', member.address?.givenName],
    ['lastName', member.address?.familyName],
    ['postalCode', member.address?.postalCode],
    ['countryCode', member.address?.regionCode],
  ];
  return parts
    .filter((part): part is [string, string] => part[1] !== undefined)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');
}

/** Ranges named as the documented ends are (`LESS_THAN_20` ... `91_TO_100`); those between are our reading. */
function matchRateRange(rate: number): string {
  if (rate < 0.2) return 'MATCH_RATE_RANGE_LESS_THAN_20';
  const decile = Math.min(9, Math.floor(rate * 10));
  return decile === 2 ? 'MATCH_RATE_RANGE_20_TO_30' : `MATCH_RATE_RANGE_${decile * 10 + 1}_TO_${decile * 10 + 10}`;
}

/** Deterministic "match": members whose first hashed identifier starts with 0-b (three in four). */
export const matchedCount = (members: GoogleSimMember[]) =>
  members.filter((member) => /^[0-9a-b]/.test(member.emailAddress ?? member.phoneNumber ?? member.address?.givenName ?? '')).length;

export function googleAdsBehaviour() {
  const creds = devCredentials.googleAds;
  const state = {
    lists: new Map<string, UserList>(),
    accessTokens: new Set<string>(),
    refused: new Set<string>(),
    statuses: new Map<string, SimRequestStatus>(),
    processingDelayMs: 0,
    failNext: 0,
    partialNext: 0,
    nextId: 9_100_000_000,
  };

  const token = (request: SimRequest): SimResponse => {
    const form = asRecord(request.body) ?? {};
    if (form.client_id !== creds.clientId || form.client_secret !== creds.clientSecret) {
      return json(401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' });
    }
    if (form.grant_type !== 'refresh_token') return json(400, { error: 'unsupported_grant_type', error_description: 'Only refresh_token is simulated.' });
    const presented = typeof form.refresh_token === 'string' ? form.refresh_token : '';
    // Google's refresh tokens are not rotated: the development one is the only grant.
    if (presented !== creds.refreshToken) {
      return json(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    }
    const accessToken = `ya29.${randomBytes(32).toString('base64url')}`;
    state.accessTokens.add(accessToken);
    // Google does not rotate refresh tokens: no refresh_token in the answer.
    return json(200, { access_token: accessToken, expires_in: 3599, scope: SCOPE, token_type: 'Bearer' });
  };

  const account = (accountId: string): SimResponse | undefined =>
    accountId === creds.customerId ? undefined : rpcError(403, 'PERMISSION_DENIED', `The caller does not have permission on account ${accountId}.`);

  const describeList = (list: UserList) => ({
    name: `accountTypes/GOOGLE_ADS/accounts/${creds.customerId}/userLists/${list.id}`,
    id: list.id,
    displayName: list.displayName,
    ...(list.description ? { description: list.description } : {}),
    ...(list.membershipDuration ? { membershipDuration: list.membershipDuration } : {}),
    // Estimates of matched Google users, not members sent: the deterministic match below.
    sizeInfo: { searchNetworkMembersCount: String(matchedCount([...list.members.values()])), displayNetworkMembersCount: String(matchedCount([...list.members.values()])) },
    membershipStatus: 'OPEN',
  });

  const getUserList = (request: SimRequest): SimResponse => {
    const refused = account(request.params[0]!);
    if (refused) return refused;
    const list = state.lists.get(decodeURIComponent(request.params[1]!));
    return list ? json(200, describeList(list)) : rpcError(404, 'NOT_FOUND', `User list ${request.params[1]} not found.`);
  };

  const listUserLists = (request: SimRequest): SimResponse => {
    const refused = account(request.params[0]!);
    if (refused) return refused;
    const pageSize = Math.min(1000, Math.max(1, Number(request.query.get('pageSize') ?? 100) || 100));
    const all = [...state.lists.values()];
    const start = Number(request.query.get('pageToken') ?? 0) || 0;
    const page = all.slice(start, start + pageSize);
    return json(200, { userLists: page.map(describeList), ...(start + pageSize < all.length ? { nextPageToken: String(start + pageSize) } : {}) });
  };

  const createUserList = (request: SimRequest): SimResponse => {
    const refused = account(request.params[0]!);
    if (refused) return refused;
    const body = asRecord(request.body) ?? {};
    const name = body.displayName;
    if (typeof name !== 'string' || name.trim() === '') return invalid('displayName', 'Required.');
    if ([...state.lists.values()].some((list) => list.displayName === name)) {
      return rpcError(409, 'ALREADY_EXISTS', `A user list named '${name}' already exists.`);
    }
    const duration = body.membershipDuration;
    if (duration !== undefined) {
      const seconds = typeof duration === 'string' ? /^([0-9]+)s$/.exec(duration)?.[1] : undefined;
      if (!seconds || Number(seconds) % 86_400 !== 0 || Number(seconds) > 540 * 86_400 || Number(seconds) === 0) {
        return invalid('membershipDuration', 'A whole number of days, at most 540, in seconds ("86400s").');
      }
    }
    const list: UserList = {
      id: String(state.nextId++),
      displayName: name,
      ...(typeof body.description === 'string' ? { description: body.description } : {}),
      ...(typeof duration === 'string' ? { membershipDuration: duration } : {}),
      members: new Map(),
    };
    state.lists.set(list.id, list);
    return json(200, describeList(list));
  };

  /** The request's one destination list, or the error the service gives. */
  const destinationList = (body: Record<string, unknown>): { list: UserList } | { error: SimResponse } => {
    const destinations = body.destinations;
    if (!Array.isArray(destinations) || destinations.length === 0) return { error: invalid('destinations', 'At least one destination is required.') };
    if (destinations.length > googleAdsMaxDestinations) return { error: invalid('destinations', `At most ${googleAdsMaxDestinations} destinations.`) };
    if (destinations.length > 1) return { error: invalid('destinations', 'The simulator takes one destination a request.') };
    const destination = asRecord(destinations[0]) ?? {};
    const operating = asRecord(destination.operatingAccount) ?? {};
    if (operating.accountType !== 'GOOGLE_ADS') return { error: invalid('destinations[0].operatingAccount.accountType', 'Must be GOOGLE_ADS.') };
    const login = asRecord(destination.loginAccount);
    if (login && (login.accountType !== 'GOOGLE_ADS_MANAGER' || login.accountId !== creds.loginCustomerId)) {
      return { error: rpcError(403, 'PERMISSION_DENIED', 'The login account cannot reach the operating account.') };
    }
    const refused = account(String(operating.accountId));
    if (refused) return { error: refused };
    const list = state.lists.get(String(destination.productDestinationId));
    if (!list) return { error: rpcError(404, 'NOT_FOUND', `User list ${String(destination.productDestinationId)} not found.`) };
    return { list };
  };

  /** Every member read and checked; the first fault fails the request (fail-fast, no partial success). */
  const readMembers = (body: Record<string, unknown>): { members: GoogleSimMember[]; identifiers: number } | { error: SimResponse } => {
    if (body.encoding !== 'HEX') return { error: invalid('encoding', 'HEX expected (the simulator checks hex digests).') };
    const list = body.audienceMembers;
    if (!Array.isArray(list) || list.length === 0) return { error: invalid('audienceMembers', 'At least one audience member is required.') };
    if (list.length > googleAdsMaxMembers) return { error: invalid('audienceMembers', `At most ${googleAdsMaxMembers} audience members a request, got ${list.length}.`) };
    const members: GoogleSimMember[] = [];
    let identifiers = 0;
    for (const [index, raw] of list.entries()) {
      const at = `audienceMembers[${index}]`;
      const item = asRecord(raw) ?? {};
      const consent = asRecord(item.consent);
      if (!consent || !CONSENT.has(String(consent.adUserData)) || !CONSENT.has(String(consent.adPersonalization))) {
        return { error: invalid(`${at}.consent`, 'adUserData and adPersonalization: CONSENT_GRANTED or CONSENT_DENIED.') };
      }
      const ids = asRecord(item.userData)?.userIdentifiers;
      if (!Array.isArray(ids) || ids.length === 0) return { error: invalid(`${at}.userData.userIdentifiers`, 'At least one user identifier.') };
      if (ids.length > googleAdsMaxIdentifiers) return { error: invalid(`${at}.userData.userIdentifiers`, `At most ${googleAdsMaxIdentifiers} identifiers a member.`) };
      const member: GoogleSimMember = {};
      for (const [k, rawId] of ids.entries()) {
        const id = asRecord(rawId) ?? {};
        const where = `${at}.userData.userIdentifiers[${k}]`;
        const keys = Object.keys(id);
        if (keys.length !== 1) return { error: invalid(where, 'Exactly one of emailAddress, phoneNumber, address.') };
        if (typeof id.emailAddress === 'string') {
          if (!HEX_64.test(id.emailAddress)) return { error: invalid(`${where}.emailAddress`, 'Not a hex-encoded SHA-256 digest.') };
          member.emailAddress = id.emailAddress;
        } else if (typeof id.phoneNumber === 'string') {
          if (!HEX_64.test(id.phoneNumber)) return { error: invalid(`${where}.phoneNumber`, 'Not a hex-encoded SHA-256 digest.') };
          member.phoneNumber = id.phoneNumber;
        } else if (asRecord(id.address)) {
          const address = asRecord(id.address)!;
          const { givenName, familyName, regionCode, postalCode } = address;
          if (typeof givenName !== 'string' || !HEX_64.test(givenName)) return { error: invalid(`${where}.address.givenName`, 'Not a hex-encoded SHA-256 digest.') };
          if (typeof familyName !== 'string' || !HEX_64.test(familyName)) return { error: invalid(`${where}.address.familyName`, 'Not a hex-encoded SHA-256 digest.') };
          if (typeof regionCode !== 'string' || !/^[A-Z]{2}$/.test(regionCode)) return { error: invalid(`${where}.address.regionCode`, 'An ISO 3166-1 alpha-2 code, not hashed.') };
          if (typeof postalCode !== 'string' || postalCode.trim() === '' || HEX_64.test(postalCode)) {
            return { error: invalid(`${where}.address.postalCode`, 'The postal code as written, not hashed.') };
          }
          member.address = { givenName, familyName, regionCode, postalCode };
        } else return { error: invalid(where, 'Exactly one of emailAddress, phoneNumber, address.') };
        identifiers++;
      }
      const entry = simEntry(member);
      if (state.refused.has(entry) || (member.emailAddress && state.refused.has(member.emailAddress)) || (member.phoneNumber && state.refused.has(member.phoneNumber))) {
        return { error: invalid(`${at}.userData`, 'The user data is not valid.') };
      }
      members.push(member);
    }
    return { members, identifiers };
  };

  const accept = (list: UserList, recordCount: number, identifiers: number, matched: number, apply: () => void): SimResponse => {
    const id = randomUUID();
    const fail = state.failNext > 0;
    const partial = !fail && state.partialNext > 0;
    if (fail) state.failNext--;
    else apply();
    if (partial) state.partialNext--;
    state.statuses.set(id, {
      id,
      destination: list.id,
      readyAt: Date.now() + state.processingDelayMs,
      final: fail ? 'FAILED' : partial ? 'PARTIAL_SUCCESS' : 'SUCCESS',
      recordCount,
      userIdentifierCount: identifiers,
      uploadMatchRateRange: recordCount === 0 ? 'MATCH_RATE_RANGE_NOT_ELIGIBLE' : matchRateRange(matched / recordCount),
    });
    return json(200, { requestId: id });
  };


  const membersRoute = (operation: 'ingest' | 'remove') => (request: SimRequest): SimResponse => {
    const body = asRecord(request.body);
    if (!body) return invalid('', 'A JSON body is required.');
    const target = destinationList(body);
    if ('error' in target) return target.error;
    const read = readMembers(body);
    if ('error' in read) return read.error;
    const { list } = target;
    if (body.validateOnly === true) return json(200, { requestId: randomUUID() });
    return accept(list, read.members.length, read.identifiers, matchedCount(read.members), () => {
      if (operation === 'ingest' && (list.clearingUntil ?? 0) > Date.now()) return;
      for (const member of read.members) {
        if (operation === 'ingest') list.members.set(simEntry(member), member);
        else removeMatching(list, member);
      }
    });
  };

  /** A removal takes out the member it names and any holding the same email or phone hash. */
  const removeMatching = (list: UserList, gone: GoogleSimMember) => {
    list.members.delete(simEntry(gone));
    for (const [entry, member] of list.members) {
      if ((gone.emailAddress && member.emailAddress === gone.emailAddress) || (gone.phoneNumber && member.phoneNumber === gone.phoneNumber)) list.members.delete(entry);
    }
  };

  const removeAll = (request: SimRequest): SimResponse => {
    const target = destinationList(asRecord(request.body) ?? {});
    if ('error' in target) return target.error;
    const count = target.list.members.size;
    return accept(target.list, count, 0, 0, () => {
      target.list.members.clear();
      target.list.clearingUntil = Date.now() + state.processingDelayMs;
    });
  };

  const retrieve = (request: SimRequest): SimResponse => {
    const id = request.query.get('requestId');
    if (!id) return invalid('requestId', 'Required.');
    const status = state.statuses.get(id);
    if (!status) return rpcError(404, 'NOT_FOUND', `Request ${id} not found.`);
    const done = Date.now() >= status.readyAt;
    return json(200, {
      requestStatusPerDestination: [
        {
          destination: { operatingAccount: { accountType: 'GOOGLE_ADS', accountId: creds.customerId }, productDestinationId: status.destination },
          requestStatus: done ? status.final : 'PROCESSING',
          ...(done && status.final !== 'FAILED'
            ? { recordCount: status.recordCount, userIdentifierCount: status.userIdentifierCount, uploadMatchRateRange: status.uploadMatchRateRange }
            : {}),
          ...(done && status.final === 'FAILED' ? { errorInfo: { errorCounts: [{ recordCount: status.recordCount, reason: 'INTERNAL_ERROR' }] } } : {}),
        },
      ],
    });
  };

  const members = (request: SimRequest) => {
    const list = asRecord(request.body)?.audienceMembers;
    return Array.isArray(list) ? list.length : undefined;
  };

  const byName = (name: string) => [...state.lists.values()].find((list) => list.displayName === name);

  const behaviour: ServiceBehaviour = {
    name: 'google-ads',
    rateLimit: googleAdsRateLimit,
    authenticate(request) {
      const bearer = authorizationValue(request.headers.authorization, 'Bearer');
      if (!bearer || !state.accessTokens.has(bearer)) {
        return rpcError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
      }
      return undefined;
    },
    tooManyRequests: (retryAfterSeconds) =>
      rpcError(
        429,
        'RESOURCE_EXHAUSTED',
        'Quota exceeded for quota metric requests per minute.',
        retryAfterSeconds === undefined ? [] : [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfterSeconds}s` }],
      ),
    badRequest: (message) => invalid('', message),
    serverError: () => rpcError(500, 'INTERNAL', 'Internal error encountered.'),
    notFound: (request) => rpcError(404, 'NOT_FOUND', `No route ${request.method} ${request.path}.`),
    routes: [
      { method: 'POST', path: /^\/token$/, public: true, handle: token },
      { method: 'GET', path: /^\/v1\/accountTypes\/GOOGLE_ADS\/accounts\/([^/]+)\/userLists$/, handle: listUserLists },
      { method: 'POST', path: /^\/v1\/accountTypes\/GOOGLE_ADS\/accounts\/([^/]+)\/userLists$/, handle: createUserList },
      { method: 'GET', path: /^\/v1\/accountTypes\/GOOGLE_ADS\/accounts\/([^/]+)\/userLists\/([^/]+)$/, handle: getUserList },
      { method: 'POST', path: /^\/v1\/audienceMembers:ingest$/, batchSize: members, handle: membersRoute('ingest') },
      { method: 'POST', path: /^\/v1\/audienceMembers:remove$/, batchSize: members, handle: membersRoute('remove') },
      { method: 'POST', path: /^\/v1\/audienceMembers:removeAll$/, handle: removeAll },
      { method: 'GET', path: /^\/v1\/requestStatus:retrieve$/, handle: retrieve },
    ],
    snapshot: () => ({
      processingDelayMs: state.processingDelayMs,
      audiences: [...state.lists.values()].map((list) => ({ id: list.id, name: list.displayName, members: list.members.size })),
      requests: [...state.statuses.values()].map((status) => ({ id: status.id, final: status.final })),
    }),
    admin(request) {
      const match = /^\/__sim\/audiences\/(.+)$/.exec(request.path);
      if (request.method === 'GET' && match) {
        const list = byName(decodeURIComponent(match[1]!));
        return list ? json(200, { id: list.id, name: list.displayName, members: [...list.members.values()] }) : json(404, { error: 'no such audience' });
      }
      const shared = sharedControl(request, state);
      if (shared) return shared;
      // `{ "delayMs"?: number, "failNext"?: number, "partialNext"?: number }`: how long requests read PROCESSING; how many next requests end FAILED (changing nothing) or PARTIAL_SUCCESS.
      if (request.method === 'POST' && request.path === '/__sim/processing') {
        const body = asRecord(request.body) ?? {};
        for (const name of ['delayMs', 'failNext', 'partialNext'] as const) {
          if (body[name] !== undefined && !(typeof body[name] === 'number' && body[name] >= 0)) return json(400, { error: `${name}: a number, 0 or more` });
        }
        if (typeof body.delayMs === 'number') state.processingDelayMs = body.delayMs;
        if (typeof body.failNext === 'number') state.failNext = body.failNext;
        if (typeof body.partialNext === 'number') state.partialNext = body.partialNext;
        return json(204);
      }
      return undefined;
    },
    reset() {
      state.lists.clear();
      state.accessTokens.clear();
      state.refused.clear();
      state.statuses.clear();
      state.processingDelayMs = 0;
      state.failNext = 0;
      state.partialNext = 0;
    },
  };

  const access = audienceAccess(state.lists, { name: (list) => list.displayName, members: (list) => list.members });
  return {
    behaviour,
    state,
    ...access,
    /** Members by entry (`email=<hex>&...`), as another tool would have added them. */
    addMembers: (name: string, entries: string[]) => {
      const list = byName(name);
      if (!list) return;
      for (const entry of entries) list.members.set(entry, memberOfEntry(entry));
    },
  };
}

function memberOfEntry(entry: string): GoogleSimMember {
  const parts = Object.fromEntries(entry.split('&').map((part) => part.split('=').map(decodeURIComponent) as [string, string]));
  return {
    ...(parts.email ? { emailAddress: parts.email } : {}),
    ...(parts.phone ? { phoneNumber: parts.phone } : {}),
    ...(parts.firstName && parts.lastName && parts.postalCode && parts.countryCode
      ? { address: { givenName: parts.firstName, familyName: parts.lastName, regionCode: parts.countryCode, postalCode: parts.postalCode } }
      : {}),
  };
}

export async function startGoogleAdsSimulator(options: { host?: string; port?: number; rateLimits?: boolean } = {}): Promise<GoogleAdsSimulator> {
  const sim = googleAdsBehaviour();
  const server = new SimServer(sim.behaviour, { rateLimits: options.rateLimits });
  const url = await server.start(options.host, options.port);
  return {
    ...baseHandle('google-ads', server, url),
    tokenUrl: `${url}${googleAdsTokenPath}`,
    apiUrl: `${url}/v1`,
    audiences: sim.audiences,
    audience: sim.audience,
    listMembers: sim.listMembers,
    deleteAudience: sim.deleteAudience,
    addMembers: sim.addMembers,
    refuseItems: (items) => items.forEach((item) => sim.state.refused.add(item)),
    get processingDelayMs() {
      return sim.state.processingDelayMs;
    },
    set processingDelayMs(delayMs: number) {
      sim.state.processingDelayMs = delayMs;
    },
    failNextRequests: (count) => {
      sim.state.failNext = count;
    },
    partlySucceedNextRequests: (count) => {
      sim.state.partialNext = count;
    },
    requestStatuses: () =>
      [...sim.state.statuses.values()].map((status) => ({ id: status.id, status: Date.now() >= status.readyAt ? status.final : 'PROCESSING' })),
    expireAccessTokens: () => sim.state.accessTokens.clear(),
  };
}

import { randomBytes } from 'node:crypto';
import { devCredentials } from '../credentials.js';
import { sharedControl } from '../common/controls.js';
import { audienceAccess, baseHandle, type SimulatorHandle } from '../common/handle.js';
import { SimServer, asRecord, json, type ServiceBehaviour, type SimRequest, type SimResponse } from '../common/server.js';
import { authorizationValue } from '../common/tokens.js';

/**
 * LinkedIn's Marketing API as the connector uses it (docs/destinations.md, "LinkedIn Matched
 * Audiences"): the OAuth token endpoint, DMP segments of the dev ad account (found by account
 * and source segment id, created with `x-restli-id`), `BATCH_CREATE` of users with a status
 * per element, the segment's status moving from BUILDING (or UPDATING after a change) to
 * READY after `statusDelayMs`, and an `audienceSize` of the members a deterministic match
 * rate matches. Every API call must carry `LinkedIn-Version` and
 * `X-Restli-Protocol-Version: 2.0.0`. 429 over 10 requests a second (600 a minute per member).
 *
 * Invented where the sources we have are silent, and said so: the 5,000 elements a request
 * (LinkedIn documents none), the `Retry-After` on its 429 and the body's wording, 426 for a
 * missing or malformed LinkedIn-Version, 409 for a second segment with the same source
 * segment id, the element error shape (`{status, error: {status, message}}`), and the
 * token endpoint's error bodies (OAuth 2.0's).
 */
export const linkedinRateLimit = { requestsPerSecond: 10, burst: 10 };
export const linkedinMaxElements = 5_000;
export const linkedinTokenPath = '/oauth/v2/accessToken';
const HEX_64 = /^[0-9a-f]{64}$/;
const ACTIONS = new Set(['ADD', 'REMOVE']);

/** A user as the segment holds it, as it arrived (what `GET /__sim/audiences/{name}` lists). */
export interface LinkedinSimMember {
  SHA256_EMAIL: string;
  firstName?: string;
  lastName?: string;
  company?: string;
  country?: string;
}

interface DmpSegment {
  id: string;
  name: string;
  account: string;
  sourceSegmentId?: string;
  sourcePlatform: string;
  /** By hashed email. */
  members: Map<string, LinkedinSimMember>;
  /** The segment reads BUILDING (or UPDATING, once it was READY) until then. */
  readyAt: number;
  wasReady: boolean;
}

export interface LinkedinSimulator extends SimulatorHandle {
  readonly tokenUrl: string;
  /** `LINKEDIN_API_URL`: the base with its `/rest`. */
  readonly apiUrl: string;
  /** Users of a segment as they arrived. */
  listMembers(name: string): LinkedinSimMember[] | undefined;
  /** From now on, an element carrying one of these hashed emails answers 400 (the rest of its request goes through). */
  refuseItems(items: string[]): void;
  /** How long a segment reads BUILDING or UPDATING after it is created or changed (default 0). */
  statusDelayMs: number;
  /** Share of users LinkedIn matches to a member (default 1): a user counts when the first 32 bits of its hash fall under it. */
  matchRate: number;
  expireAccessTokens(): void;
}

const restliError = (status: number, code: string, message: string, headers?: Record<string, string>): SimResponse =>
  json(status, { status, serviceErrorCode: status * 100, code, message }, headers);

/** Whether LinkedIn "matches" this user: deterministic, by its hash. */
const matches = (hash: string, rate: number) => parseInt(hash.slice(0, 8), 16) / 2 ** 32 < rate;

export function linkedinBehaviour() {
  const creds = devCredentials.linkedin;
  const account = `urn:li:sponsoredAccount:${creds.adAccountId}`;
  const state = {
    segments: new Map<string, DmpSegment>(),
    accessTokens: new Set<string>(),
    refused: new Set<string>(),
    statusDelayMs: 0,
    matchRate: 1,
    nextId: 7_000_000,
  };

  const changed = (segment: DmpSegment) => {
    const now = Date.now();
    if (now >= segment.readyAt) segment.wasReady = true;
    segment.readyAt = now + state.statusDelayMs;
  };
  const statusOf = (segment: DmpSegment) => (Date.now() >= segment.readyAt ? 'READY' : segment.wasReady ? 'UPDATING' : 'BUILDING');
  const matchedOf = (segment: DmpSegment) => [...segment.members.keys()].filter((hash) => matches(hash, state.matchRate)).length;

  const describe = (segment: DmpSegment) => {
    const status = statusOf(segment);
    const matched = matchedOf(segment);
    return {
      id: Number(segment.id),
      name: segment.name,
      account: segment.account,
      ...(segment.sourceSegmentId !== undefined ? { sourceSegmentId: segment.sourceSegmentId } : {}),
      sourcePlatform: segment.sourcePlatform,
      type: 'USER',
      accessPolicy: 'PRIVATE',
      destinations: [{ destination: 'LINKEDIN', status: status === 'READY' ? 'READY' : 'BUILDING' }],
      status,
      // No size while the segment is first built; afterwards the last match.
      ...(status === 'BUILDING' ? {} : { audienceSize: matched, matchedCount: matched, inputCount: segment.members.size }),
    };
  };

  const token = (request: SimRequest): SimResponse => {
    const form = asRecord(request.body) ?? {};
    if (form.client_id !== creds.clientId || form.client_secret !== creds.clientSecret) {
      return json(401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    }
    if (form.grant_type !== 'refresh_token') return json(400, { error: 'unsupported_grant_type', error_description: 'Only refresh_token is simulated' });
    if (form.refresh_token !== creds.refreshToken) {
      return json(400, { error: 'invalid_request', error_description: 'The provided authorization grant or refresh token is invalid, expired or revoked' });
    }
    const accessToken = `AQ${randomBytes(32).toString('base64url')}`;
    state.accessTokens.add(accessToken);
    // LinkedIn's programmatic refresh tokens keep their lifetime: the same one comes back.
    return json(200, { access_token: accessToken, expires_in: 5_184_000, refresh_token: creds.refreshToken, refresh_token_expires_in: 31_536_000, scope: 'rw_dmp_segments' });
  };

  const segmentOf = (request: SimRequest): DmpSegment | SimResponse => {
    const segment = state.segments.get(request.params[0]!);
    return segment ?? restliError(404, 'NOT_FOUND', `DmpSegment ${request.params[0]} does not exist`);
  };

  const find = (request: SimRequest): SimResponse => {
    if (request.query.get('q') !== 'account') return restliError(400, 'ILLEGAL_ARGUMENT', 'q=account is the finder');
    if (request.query.get('account') !== account) return restliError(403, 'ACCESS_DENIED', `Not enough permissions to access DMP segments of ${request.query.get('account')}`);
    const sourceSegmentId = request.query.get('sourceSegmentId');
    const sourcePlatform = request.query.get('sourcePlatform');
    const all = [...state.segments.values()].filter(
      (segment) =>
        segment.account === account &&
        (sourceSegmentId === null || segment.sourceSegmentId === sourceSegmentId) &&
        (sourcePlatform === null || segment.sourcePlatform === sourcePlatform),
    );
    const start = Math.max(0, Number(request.query.get('start') ?? 0) || 0);
    const count = Math.min(100, Math.max(1, Number(request.query.get('count') ?? 10) || 10));
    return json(200, { elements: all.slice(start, start + count).map(describe), paging: { start, count, total: all.length } });
  };

  const create = (request: SimRequest): SimResponse => {
    const body = asRecord(request.body) ?? {};
    const missing = ['name', 'sourcePlatform', 'account', 'accessPolicy', 'type'].find((field) => typeof body[field] !== 'string' || body[field] === '');
    if (missing) return restliError(400, 'FIELD_MISSING', `/${missing} is required`);
    if (body.account !== account) return restliError(403, 'ACCESS_DENIED', `Not enough permissions to create DMP segments in ${String(body.account)}`);
    if (body.type !== 'USER') return restliError(400, 'ILLEGAL_ARGUMENT', `/type: the simulator keeps USER segments, got ${String(body.type)}`);
    if (body.accessPolicy !== 'PRIVATE' && body.accessPolicy !== 'PUBLIC') return restliError(400, 'ILLEGAL_ARGUMENT', '/accessPolicy: PRIVATE or PUBLIC');
    const destinations = body.destinations;
    if (!Array.isArray(destinations) || !destinations.some((item) => asRecord(item)?.destination === 'LINKEDIN')) {
      return restliError(400, 'ILLEGAL_ARGUMENT', '/destinations: [{"destination":"LINKEDIN"}] is required');
    }
    const sourceSegmentId = typeof body.sourceSegmentId === 'string' ? body.sourceSegmentId : undefined;
    if (sourceSegmentId !== undefined && [...state.segments.values()].some((s) => s.account === account && s.sourceSegmentId === sourceSegmentId)) {
      return restliError(409, 'DUPLICATE', `A DMP segment with sourceSegmentId ${sourceSegmentId} exists in this account`);
    }
    const segment: DmpSegment = {
      id: String(state.nextId++),
      name: body.name as string,
      account,
      ...(sourceSegmentId !== undefined ? { sourceSegmentId } : {}),
      sourcePlatform: body.sourcePlatform as string,
      members: new Map(),
      readyAt: Date.now() + state.statusDelayMs,
      wasReady: false,
    };
    state.segments.set(segment.id, segment);
    return json(201, undefined, { 'x-restli-id': segment.id, location: `/dmpSegments/${segment.id}` });
  };

  /** One element: its status, and the change it makes when it is sound. */
  const readElement = (raw: unknown): { status: number; message?: string; apply?: (segment: DmpSegment) => void } => {
    const element = asRecord(raw);
    if (!element || !ACTIONS.has(String(element.action))) return { status: 400, message: '/action: ADD or REMOVE' };
    const ids = element.userIds;
    if (!Array.isArray(ids) || ids.length === 0) return { status: 400, message: '/userIds: at least one user id' };
    const email = ids.map(asRecord).find((id) => id?.idType === 'SHA256_EMAIL');
    const hash = email?.idValue;
    if (typeof hash !== 'string' || !HEX_64.test(hash)) return { status: 400, message: '/userIds: a SHA256_EMAIL of 64 lower-case hex digits' };
    if (state.refused.has(hash)) return { status: 400, message: 'The user id could not be processed' };
    if (element.action === 'REMOVE') return { status: 201, apply: (segment) => segment.members.delete(hash) };
    const hints = Object.fromEntries(
      (['firstName', 'lastName', 'company', 'country'] as const).filter((name) => typeof element[name] === 'string' && element[name] !== '').map((name) => [name, element[name] as string]),
    );
    return { status: 201, apply: (segment) => segment.members.set(hash, { SHA256_EMAIL: hash, ...hints }) };
  };

  const users = (request: SimRequest): SimResponse => {
    if (String(request.headers['x-restli-method'] ?? '').toUpperCase() !== 'BATCH_CREATE') {
      return restliError(400, 'ILLEGAL_ARGUMENT', 'X-RestLi-Method: BATCH_CREATE is required to add or remove users');
    }
    const found = segmentOf(request);
    if (!('members' in found)) return found;
    const elements = asRecord(request.body)?.elements;
    if (!Array.isArray(elements) || elements.length === 0) return restliError(400, 'FIELD_MISSING', '/elements: at least one element');
    if (elements.length > linkedinMaxElements) {
      return restliError(400, 'ILLEGAL_ARGUMENT', `/elements: at most ${linkedinMaxElements} elements a request, got ${elements.length}`);
    }
    const answers = elements.map(readElement);
    for (const answer of answers) answer.apply?.(found);
    if (answers.some((answer) => answer.apply)) changed(found);
    return json(200, {
      elements: answers.map((answer) => (answer.message ? { status: answer.status, error: { status: answer.status, message: answer.message } } : { status: answer.status })),
    });
  };

  const get = (request: SimRequest): SimResponse => {
    const segment = segmentOf(request);
    return 'members' in segment ? json(200, describe(segment)) : segment;
  };

  const byName = (name: string) => [...state.segments.values()].reverse().find((segment) => segment.name === name);

  const behaviour: ServiceBehaviour = {
    name: 'linkedin',
    rateLimit: linkedinRateLimit,
    authenticate(request) {
      const bearer = authorizationValue(request.headers.authorization, 'Bearer');
      if (!bearer || !state.accessTokens.has(bearer)) return restliError(401, 'INVALID_ACCESS_TOKEN', 'Invalid access token');
      if (request.headers['x-restli-protocol-version'] !== '2.0.0') {
        return restliError(400, 'ILLEGAL_ARGUMENT', 'X-Restli-Protocol-Version: 2.0.0 is required');
      }
      if (!/^20[0-9]{2}(0[1-9]|1[0-2])$/.test(String(request.headers['linkedin-version'] ?? ''))) {
        return restliError(426, 'NONEXISTENT_VERSION', `Requested version ${String(request.headers['linkedin-version'] ?? '(none)')} is not active`);
      }
      return undefined;
    },
    tooManyRequests: (retryAfterSeconds) =>
      retryAfterSeconds === undefined
        ? restliError(429, 'TOO_MANY_REQUESTS', 'Resource level throttle APPLICATION DAY limit for calls to this resource is reached.')
        : restliError(429, 'TOO_MANY_REQUESTS', 'Resource level throttle MEMBER MINUTE limit for calls to this resource is reached.', { 'retry-after': String(retryAfterSeconds) }),
    badRequest: (message) => restliError(400, 'ILLEGAL_ARGUMENT', message),
    serverError: () => restliError(500, 'INTERNAL_SERVER_ERROR', 'Internal Server Error'),
    notFound: (request) => restliError(404, 'NOT_FOUND', `No route ${request.method} ${request.path}`),
    routes: [
      { method: 'POST', path: /^\/oauth\/v2\/accessToken$/, public: true, handle: token },
      { method: 'GET', path: /^\/rest\/dmpSegments$/, handle: find },
      { method: 'POST', path: /^\/rest\/dmpSegments$/, handle: create },
      { method: 'GET', path: /^\/rest\/dmpSegments\/([^/]+)$/, handle: get },
      {
        method: 'POST',
        path: /^\/rest\/dmpSegments\/([^/]+)\/users$/,
        batchSize: (request) => {
          const elements = asRecord(request.body)?.elements;
          return Array.isArray(elements) ? elements.length : undefined;
        },
        handle: users,
      },
    ],
    snapshot: () => ({
      statusDelayMs: state.statusDelayMs,
      matchRate: state.matchRate,
      audiences: [...state.segments.values()].map((segment) => ({ id: segment.id, name: segment.name, status: statusOf(segment), members: segment.members.size })),
    }),
    admin(request) {
      const match = /^\/__sim\/audiences\/(.+)$/.exec(request.path);
      if (request.method === 'GET' && match) {
        const segment = byName(decodeURIComponent(match[1]!));
        return segment
          ? json(200, { id: segment.id, name: segment.name, status: statusOf(segment), members: [...segment.members.values()] })
          : json(404, { error: 'no such audience' });
      }
      const shared = sharedControl(request, state);
      if (shared) return shared;
      // `{ "delayMs"?: number, "matchRate"?: number }`: how long a segment reads BUILDING/UPDATING; the share LinkedIn matches.
      if (request.method === 'POST' && request.path === '/__sim/segment-status') {
        const body = asRecord(request.body) ?? {};
        if (body.delayMs !== undefined && !(typeof body.delayMs === 'number' && body.delayMs >= 0)) return json(400, { error: 'delayMs: a number, 0 or more' });
        if (body.matchRate !== undefined && !(typeof body.matchRate === 'number' && body.matchRate >= 0 && body.matchRate <= 1)) {
          return json(400, { error: 'matchRate: a number from 0 to 1' });
        }
        if (typeof body.delayMs === 'number') state.statusDelayMs = body.delayMs;
        if (typeof body.matchRate === 'number') state.matchRate = body.matchRate;
        return json(204);
      }
      return undefined;
    },
    reset() {
      state.segments.clear();
      state.accessTokens.clear();
      state.refused.clear();
      state.statusDelayMs = 0;
      state.matchRate = 1;
    },
  };

  const access = audienceAccess(state.segments, { name: (segment) => segment.name, members: (segment) => segment.members });
  return {
    behaviour,
    state,
    ...access,
    /** Members by hashed email, as another tool would have added them. */
    addMembers: (name: string, hashes: string[]) => {
      const segment = byName(name);
      if (!segment) return;
      for (const hash of hashes) segment.members.set(hash, { SHA256_EMAIL: hash });
      changed(segment);
    },
  };
}

export async function startLinkedinSimulator(options: { host?: string; port?: number; rateLimits?: boolean } = {}): Promise<LinkedinSimulator> {
  const sim = linkedinBehaviour();
  const server = new SimServer(sim.behaviour, { rateLimits: options.rateLimits });
  const url = await server.start(options.host, options.port);
  return {
    ...baseHandle('linkedin', server, url),
    tokenUrl: `${url}${linkedinTokenPath}`,
    apiUrl: `${url}/rest`,
    audiences: sim.audiences,
    audience: sim.audience,
    listMembers: sim.listMembers,
    deleteAudience: sim.deleteAudience,
    addMembers: sim.addMembers,
    refuseItems: (items) => items.forEach((item) => sim.state.refused.add(item)),
    get statusDelayMs() {
      return sim.state.statusDelayMs;
    },
    set statusDelayMs(delayMs: number) {
      sim.state.statusDelayMs = delayMs;
    },
    get matchRate() {
      return sim.state.matchRate;
    },
    set matchRate(rate: number) {
      sim.state.matchRate = rate;
    },
    expireAccessTokens: () => sim.state.accessTokens.clear(),
  };
}

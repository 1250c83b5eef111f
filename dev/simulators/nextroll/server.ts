import { randomBytes } from 'node:crypto';
import { devCredentials } from '../credentials.js';
import { baseHandle, type SimAudience, type SimulatorHandle } from '../common/handle.js';
import { sharedControl } from '../common/controls.js';
import { SimServer, asRecord, isPlausibleEmail, json, type ServiceBehaviour, type SimRequest, type SimResponse } from '../common/server.js';
import { authorizationValue, issueToken, verifyToken } from '../common/tokens.js';

export type NextRollBrand = 'adroll' | 'rollworks';
export type SegmentUpdates = 'append' | 'replace';

/**
 * No per-second rate is published (only a daily quota, 100 requests per service by
 * default); 2 a second with a burst of 2 keeps tests honest without slowing them.
 */
export const nextRollRateLimit = { requestsPerSecond: 2, burst: 2 };
/** Not documented; the simulator takes what the connector sends at most (one whole segment). */
export const nextRollMaxRecordsPerRequest = 250_000;
export const nextRollMinEmailsToCreate = 100;
const ACCESS_TOKEN_LIFETIME_MS = 24 * 3600 * 1000;

interface Segment {
  segment_id: string;
  advertiser_id: string;
  name: string;
  type: 'crm';
  duration: number;
  members: Set<string>;
}

export interface NextRollSimulator extends SimulatorHandle {
  readonly brand: NextRollBrand;
  /** What `POST /audience/v1/segments/{id}` does: add to the members, or swap them. */
  segmentUpdates: SegmentUpdates;
  /** Access tokens issued so far stop working (as after their 24 h); refresh tokens still do. */
  expireAccessTokens(): void;
  /** Refresh tokens used so far (single-use). */
  usedRefreshTokens(): number;
}

interface NextRollOptions {
  brand: NextRollBrand;
  segmentUpdates?: SegmentUpdates;
}

const errors = (status: number, ...list: Array<{ message: string; field?: string; code?: string }>): SimResponse =>
  json(status, { errors: list });
const oauthError = (status: number, error: string, description: string): SimResponse =>
  json(status, { error, error_description: description });

/**
 * The NextRoll Audience API as AdRoll and RollWorks serve it: OAuth 2.0 with 24-hour access
 * tokens and single-use refresh tokens (or a personal access token), the application's
 * client id as `apikey` on every request, CRM segments created with at least 100 emails and
 * updated by POST in append or replace mode.
 */
export function nextRollBehaviour(options: NextRollOptions) {
  const creds = devCredentials[options.brand];
  const state = {
    segmentUpdates: options.segmentUpdates ?? ('append' as SegmentUpdates),
    segments: new Map<string, Segment>(),
    accessTokens: new Set<string>(),
    usedRefreshTokens: new Set<string>(),
  };
  const refreshKind = `${options.brand}-refresh`;

  const newSegmentId = () => randomBytes(11).toString('hex').toUpperCase();

  const readEmails = (data: unknown): { emails: string[] } | { error: SimResponse } => {
    if (!Array.isArray(data)) return { error: errors(400, { message: 'a list of user records is required', field: 'data' }) };
    if (data.length > nextRollMaxRecordsPerRequest) {
      return { error: errors(413, { message: `at most ${nextRollMaxRecordsPerRequest} records per request`, field: 'data' }) };
    }
    const emails: string[] = [];
    for (const [index, record] of data.entries()) {
      const email = asRecord(record)?.email;
      if (!isPlausibleEmail(email)) return { error: errors(400, { message: 'Email RFC 5322 standard expected', field: `data.${index}.email` }) };
      emails.push(email.toLowerCase());
    }
    return { emails };
  };

  const summary = (segment: Segment) => ({
    segment_id: segment.segment_id,
    name: segment.name,
    type: segment.type,
    emails: segment.members.size,
  });

  const token = (request: SimRequest): SimResponse => {
    const form = asRecord(request.body) ?? {};
    if (form.client_id !== creds.clientId || form.client_secret !== creds.clientSecret) {
      return oauthError(401, 'invalid_client', 'unknown client or wrong client secret');
    }
    if (form.grant_type !== 'refresh_token') return oauthError(400, 'unsupported_grant_type', 'only refresh_token is simulated');
    const presented = typeof form.refresh_token === 'string' ? form.refresh_token : '';
    const seed = presented === creds.refreshToken;
    const signed = verifyToken(presented, refreshKind);
    if (!seed && (!signed || signed.sub !== creds.clientId)) return oauthError(400, 'invalid_grant', 'refresh token is invalid or expired');
    if (!seed && state.usedRefreshTokens.has(presented)) return oauthError(400, 'invalid_grant', 'refresh token was already used');
    if (!seed) state.usedRefreshTokens.add(presented);
    const accessToken = randomBytes(24).toString('hex');
    state.accessTokens.add(accessToken);
    return json(200, {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: ACCESS_TOKEN_LIFETIME_MS / 1000,
      refresh_token: issueToken(refreshKind, creds.clientId),
      scope: 'all',
    });
  };

  const behaviour: ServiceBehaviour = {
    name: options.brand,
    rateLimit: nextRollRateLimit,
    authenticate(request) {
      const apikey = request.query.get('apikey');
      if (!apikey) return errors(401, { message: 'No API key found in request', code: 'apiproxy:3' });
      if (apikey !== creds.clientId) return errors(401, { message: 'Invalid API key', code: 'apiproxy:4' });
      const authorization = request.headers.authorization;
      const bearer = authorizationValue(authorization, 'Bearer');
      const pat = authorizationValue(authorization, 'Token');
      if (bearer ? state.accessTokens.has(bearer) : pat === creds.personalAccessToken) return undefined;
      return errors(401, { message: 'Invalid or expired access token', code: 'auth:401' });
    },
    tooManyRequests: (retryAfterSeconds) =>
      retryAfterSeconds === undefined
        ? errors(429, { message: 'Quota exceeded for this application', code: 'apiproxy:quota' })
        : { ...errors(429, { message: 'Too many requests', code: 'apiproxy:rate' }), headers: { 'retry-after': String(retryAfterSeconds) } },
    badRequest: (message) => errors(400, { message }),
    serverError: () => errors(500, { message: 'Internal server error' }),
    notFound: (request) => errors(404, { message: `No route ${request.method} ${request.path}` }),
    routes: [
      { method: 'POST', path: /^\/auth\/token$/, public: true, handle: token },
      {
        method: 'GET',
        path: /^\/audience\/v1\/advertisers$/,
        handle: () => json(200, { data: [{ advertiser_id: creds.advertiserId }] }),
      },
      {
        method: 'GET',
        path: /^\/audience\/v1\/segments$/,
        handle(request) {
          const advertiser = request.query.get('advertiser_id');
          if (!advertiser) return errors(400, { message: 'required', field: 'advertiser_id' });
          if (advertiser !== creds.advertiserId) return errors(403, { message: 'advertiser not accessible', field: 'advertiser_id' });
          const type = request.query.get('type');
          const list = [...state.segments.values()].filter((segment) => segment.advertiser_id === advertiser && (!type || segment.type === type));
          return json(200, { segments: list.map(summary) });
        },
      },
      {
        method: 'POST',
        path: /^\/audience\/v1\/segments$/,
        batchSize: (request) => {
          const data = asRecord(request.body)?.data;
          return Array.isArray(data) ? data.length : undefined;
        },
        handle(request) {
          const body = asRecord(request.body);
          if (!body) return errors(400, { message: 'a JSON object is required' });
          if (body.advertiser_id !== creds.advertiserId) return errors(400, { message: 'unknown advertiser', field: 'advertiser_id' });
          if (typeof body.name !== 'string' || body.name.trim() === '') return errors(400, { message: 'required', field: 'name' });
          if (body.type !== 'crm') return errors(400, { message: 'only crm segments are simulated', field: 'type' });
          const duration = body.duration;
          if (typeof duration !== 'number' || !Number.isInteger(duration) || duration < 1 || duration > 540) {
            return errors(400, { message: 'number of days from 1 to 540', field: 'duration' });
          }
          const read = readEmails(body.data);
          if ('error' in read) return read.error;
          const unique = new Set(read.emails);
          if (unique.size < nextRollMinEmailsToCreate) {
            return errors(400, { message: `List must contain at least ${nextRollMinEmailsToCreate} unique emails`, field: 'data' });
          }
          const segment: Segment = {
            segment_id: newSegmentId(),
            advertiser_id: creds.advertiserId,
            name: body.name,
            type: 'crm',
            duration,
            members: unique,
          };
          state.segments.set(segment.segment_id, segment);
          return json(200, { result: 'success', segment: summary(segment) });
        },
      },
      {
        method: 'GET',
        path: /^\/audience\/v1\/segments\/([^/]+)$/,
        handle(request) {
          const segment = state.segments.get(request.params[0]!);
          return segment ? json(200, { result: 'success', segment: summary(segment) }) : errors(404, { message: 'segment not found' });
        },
      },
      {
        method: 'POST',
        path: /^\/audience\/v1\/segments\/([^/]+)$/,
        batchSize: (request) => {
          const data = asRecord(request.body)?.data;
          return Array.isArray(data) ? data.length : undefined;
        },
        handle(request) {
          const segment = state.segments.get(request.params[0]!);
          if (!segment) return errors(404, { message: 'segment not found' });
          const read = readEmails(asRecord(request.body)?.data);
          if ('error' in read) return read.error;
          if (state.segmentUpdates === 'replace') {
            const unique = new Set(read.emails);
            if (unique.size < nextRollMinEmailsToCreate) {
              return errors(400, { message: `List must contain at least ${nextRollMinEmailsToCreate} unique emails`, field: 'data' });
            }
            segment.members = unique;
          } else {
            for (const email of read.emails) segment.members.add(email);
          }
          return json(200, { result: 'success', segment: summary(segment) });
        },
      },
    ],
    snapshot: () => ({
      segmentUpdates: state.segmentUpdates,
      segments: [...state.segments.values()].map(summary),
    }),
    admin(request) {
      const match = /^\/__sim\/audiences\/(.+)$/.exec(request.path);
      if (request.method === 'GET' && match) {
        const audience = findAudience(decodeURIComponent(match[1]!));
        return audience ? json(200, audience) : errors(404, { message: 'no such segment' });
      }
      if (request.method === 'POST' && request.path === '/__sim/segment-updates') {
        const mode = asRecord(request.body)?.mode;
        if (mode !== 'append' && mode !== 'replace') return errors(400, { message: 'mode: append or replace' });
        state.segmentUpdates = mode;
        return json(204);
      }
      return sharedControl(request, { accessTokens: state.accessTokens });
    },
    reset() {
      state.segments.clear();
      state.accessTokens.clear();
      state.usedRefreshTokens.clear();
      state.segmentUpdates = options.segmentUpdates ?? 'append';
    },
  };

  const toAudience = (segment: Segment): SimAudience => ({ id: segment.segment_id, name: segment.name, members: [...segment.members] });
  const findAudience = (name: string) => {
    const segment = [...state.segments.values()].find((candidate) => candidate.name === name);
    return segment ? toAudience(segment) : undefined;
  };

  const byName = (name: string) => [...state.segments.values()].find((candidate) => candidate.name === name);
  return {
    behaviour,
    state,
    audiences: () => [...state.segments.values()].map(toAudience),
    audience: findAudience,
    deleteAudience: (name: string) => {
      const segment = byName(name);
      return segment ? state.segments.delete(segment.segment_id) : false;
    },
    addMembers: (name: string, members: string[]) => {
      for (const member of members) byName(name)?.members.add(member);
    },
  };
}

export async function startNextRollSimulator(
  options: NextRollOptions & { host?: string; port?: number; rateLimits?: boolean; quota?: number },
): Promise<NextRollSimulator> {
  const sim = nextRollBehaviour(options);
  const server = new SimServer(sim.behaviour, { rateLimits: options.rateLimits, quota: options.quota });
  const url = await server.start(options.host, options.port);
  return {
    ...baseHandle(options.brand, server, url),
    brand: options.brand,
    get segmentUpdates() {
      return sim.state.segmentUpdates;
    },
    set segmentUpdates(mode: SegmentUpdates) {
      sim.state.segmentUpdates = mode;
    },
    audiences: sim.audiences,
    audience: sim.audience,
    deleteAudience: sim.deleteAudience,
    addMembers: sim.addMembers,
    expireAccessTokens: () => sim.state.accessTokens.clear(),
    usedRefreshTokens: () => sim.state.usedRefreshTokens.size,
  };
}

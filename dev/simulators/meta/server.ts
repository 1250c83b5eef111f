import { randomBytes } from 'node:crypto';
import { entryIdentifiers, type SentIdentifiers } from '../../../shared/destinations/common/identifiers.js';
import { entryOfSent, identifierOfKey, metaSchemaKeys, type MetaSchemaKey } from '../../../shared/destinations/meta/identifiers.js';
import { devCredentials } from '../credentials.js';
import { baseHandle, type SimAudience, type SimulatorHandle } from '../common/handle.js';
import { SimServer, asRecord, json, type ServiceBehaviour, type SimRequest, type SimResponse } from '../common/server.js';

/**
 * Meta publishes no per-second rate (its limits are usage scores); 5 a second, burst 5, is
 * this simulator's own number, matching what the connector keeps to.
 */
export const metaRateLimit = { requestsPerSecond: 5, burst: 5 };
export const metaMaxRowsPerRequest = 10_000;
/** "About 90 minutes" by the team's sources, not confirmed by Meta's reference. */
export const metaReplaceSessionTimeoutMs = 90 * 60_000;
const customerFileSources = new Set(['USER_PROVIDED_ONLY', 'PARTNER_PROVIDED_ONLY', 'BOTH_USER_AND_PARTNER_PROVIDED']);
const schemaKeys = new Set<string>(Object.values(metaSchemaKeys));
const HASH = /^[0-9a-f]{64}$/;
const PAGE_SIZE = 25;

/** A member as held: its values by schema key (only the non-empty ones). */
type Row = Partial<Record<MetaSchemaKey, string>>;

interface CustomAudience {
  id: string;
  name: string;
  customerFileSource: string;
  /** By person key (see `personKey`). */
  members: Map<string, Row>;
  flagged: boolean;
  /** When the membership last changed, and the size it had settled at before (what the counts say while Meta is matching). */
  changedAt: number;
  settledSize?: number;
}

interface ReplaceSession {
  audienceId: string;
  nextSeq: number;
  startedAt: number;
  members: Map<string, Row>;
}

export interface MetaSimulator extends SimulatorHandle {
  /** What the audience holds, by schema key, as `GET /__sim/audiences/{name}` lists it. */
  rows(name: string): Row[] | undefined;
  /** Custom Audience terms accepted for the ad account (default true). */
  termsAccepted: boolean;
  /** Removals are refused ("Audience size too low") while an audience holds fewer than this (default 0: never). */
  minimumSizeForRemoval: number;
  /** The replace session's time limit (default 90 minutes). */
  replaceSessionTimeoutMs: number;
  /**
   * For this long after a change the audience is being matched (operation_status 441) and
   * its approximate counts are those from before the change (-1 for a new one); default 0.
   */
  reportDelayMs: number;
  /** `invalid_entry_samples` names at most this many entries a request; the rest are only counted (default 100). */
  maxSamples: number;
  /** Flags the audience (operation_status 471): every change is refused with code 100, subcode 1713230. */
  flag(name: string, flagged?: boolean): void;
  /** The next `count` members requests (`/users`, `/usersreplace`) are throttled with this Graph code (17, 613, 80004), without taking effect. */
  throttle(code: number, count: number): void;
  /** Makes the service count these members (ledger entries, or single hashes) as invalid entries. */
  refuseItems(items: string[]): void;
}

const fbtrace = () => randomBytes(8).toString('base64url');
const graphError = (status: number, code: number, message: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>): SimResponse =>
  json(status, { error: { message, type: code === 190 ? 'OAuthException' : 'GraphMethodException', code, ...extra, fbtrace_id: fbtrace() } }, headers);
const invalidParameter = (message: string) => graphError(400, 100, `(#100) ${message}`);

/**
 * A person is who the row's strongest identifier says: its email, else its phone, else its
 * EXTERN_ID, else its name, postal code and country together. Meta matches rows to people
 * in ways it does not publish; this is the simulator's stand-in, so a person added again
 * with a new phone is still one member and a removal by the email removes them.
 */
function personKey(row: Row): string | undefined {
  if (row.EMAIL) return `EMAIL:${row.EMAIL}`;
  if (row.PHONE) return `PHONE:${row.PHONE}`;
  if (row.EXTERN_ID) return `EXTERN_ID:${row.EXTERN_ID}`;
  if (row.FN && row.LN && row.ZIP && row.COUNTRY) return `NAME:${row.FN}|${row.LN}|${row.ZIP}|${row.COUNTRY}`;
  return undefined;
}

const sentOf = (row: Row): SentIdentifiers =>
  Object.fromEntries(Object.entries(row).map(([key, value]) => [identifierOfKey[key as MetaSchemaKey], value]));

/**
 * Meta's Marketing API custom-audience routes (`/v<NN>/…`): bearer token (or
 * `access_token`), customer-list audiences of an ad account, members by the multi-key
 * schema with at most 10,000 rows, `usersreplace` sessions in order with a time limit,
 * Graph error bodies (`{ error: { message, type, code, error_subcode, fbtrace_id } }`) and
 * approximate counts. Invented where Meta publishes nothing: the HTTP status of its errors
 * (400), code 200 for terms not accepted, code 100 for "Audience size too low", the shape
 * of `invalid_entry_samples` (value → reason), a throttled answer's
 * `estimated_time_to_regain_access` of 0 (this bucket refills within the minute).
 */
export function metaBehaviour(options: { accessToken?: string; adAccountId?: string } = {}) {
  const accessToken = options.accessToken ?? devCredentials.meta.accessToken;
  const adAccountId = options.adAccountId ?? devCredentials.meta.adAccountId;
  const audiences = new Map<string, CustomAudience>();
  const sessions = new Map<string, ReplaceSession>();
  const refused = new Set<string>();
  const throttled = { code: 17, remaining: 0 };
  let seq = 0;
  const state = { termsAccepted: true, minimumSizeForRemoval: 0, replaceSessionTimeoutMs: metaReplaceSessionTimeoutMs, reportDelayMs: 0, maxSamples: 100 };

  const byName = (name: string) => [...audiences.values()].find((audience) => audience.name === name);
  const accountOr400 = (request: SimRequest) =>
    request.params[0] === adAccountId ? undefined : invalidParameter(`Unsupported request. Object with ID '${request.params[0]}' does not exist or cannot be reached with this token.`);

  const settled = (audience: CustomAudience) => Date.now() - audience.changedAt >= state.reportDelayMs;
  /** Called before the membership changes: the size it had settled at is what the counts say until the change settles. */
  const changing = (audience: CustomAudience) => {
    if (settled(audience)) audience.settledSize = audience.members.size;
    audience.changedAt = Date.now();
  };
  const approximate = (audience: CustomAudience) => {
    const n = settled(audience) ? audience.members.size : audience.settledSize;
    if (n === undefined) return { approximate_count_lower_bound: -1, approximate_count_upper_bound: -1 };
    return { approximate_count_lower_bound: Math.floor(n * 0.95), approximate_count_upper_bound: Math.ceil(n * 1.05) };
  };
  const operationStatus = (audience: CustomAudience) => {
    if (audience.flagged) return { code: 471, description: 'This audience was flagged.' };
    if (!settled(audience)) return { code: 441, description: "We're finding people who are part of this audience." };
    return { code: 200, description: 'Normal' };
  };
  const describe = (audience: CustomAudience) => ({
    id: audience.id,
    name: audience.name,
    subtype: 'CUSTOM',
    customer_file_source: audience.customerFileSource,
    ...approximate(audience),
    operation_status: operationStatus(audience),
    delivery_status: { code: audience.members.size >= 100 ? 200 : 300, description: audience.members.size >= 100 ? 'Ready' : 'Too small' },
  });

  /** Reads `payload`; a malformed one is a 400 for the whole request, a bad row an invalid entry. */
  const readPayload = (body: unknown): { rows: (Row | undefined)[]; samples: Record<string, string> } | SimResponse => {
    const payload = asRecord(asRecord(body)?.payload);
    if (!payload) return invalidParameter('The parameter payload is required');
    const schema = payload.schema;
    if (!Array.isArray(schema) || schema.length === 0) return invalidParameter('payload.schema: a non-empty list of keys is required');
    for (const key of schema) if (typeof key !== 'string' || !schemaKeys.has(key)) return invalidParameter(`payload.schema: unknown key ${String(key)}`);
    if (new Set(schema).size !== schema.length) return invalidParameter('payload.schema: a key is listed twice');
    const data = payload.data;
    if (!Array.isArray(data) || data.length === 0) return invalidParameter('payload.data: a non-empty list of rows is required');
    if (data.length > metaMaxRowsPerRequest) return invalidParameter(`payload.data: at most ${metaMaxRowsPerRequest} rows a request, got ${data.length}`);
    const samples: Record<string, string> = {};
    const sample = (value: string, reason: string) => {
      if (Object.keys(samples).length < state.maxSamples) samples[value] = reason;
    };
    const rows = data.map((item, index) => {
      if (!Array.isArray(item) || item.length !== schema.length) return undefined;
      const row: Row = {};
      for (const [k, key] of (schema as MetaSchemaKey[]).entries()) {
        const value = item[k];
        if (typeof value !== 'string') return undefined;
        if (value === '') continue;
        if (key !== 'EXTERN_ID' && !HASH.test(value)) {
          sample(value, `row ${index}: ${key} is not a SHA-256 hex hash`);
          return undefined;
        }
        if (refused.has(value)) {
          sample(value, `row ${index}: ${key} refused`);
          return undefined;
        }
        row[key] = value;
      }
      return personKey(row) ? row : undefined;
    });
    return { rows, samples };
  };

  const answer = (audience: CustomAudience, rows: (Row | undefined)[], samples: Record<string, string>, sessionId?: string) =>
    json(200, {
      audience_id: audience.id,
      session_id: sessionId ?? String(seq),
      num_received: rows.length,
      num_invalid_entries: rows.filter((row) => !row).length,
      invalid_entry_samples: samples,
    });

  /** The audience a members route names, or the error that stops the request. */
  const target = (request: SimRequest): CustomAudience | SimResponse => {
    if (throttled.remaining > 0) {
      throttled.remaining--;
      const message = throttled.code === 613 ? 'Calls to this api have exceeded the rate limit.' : 'User request limit reached';
      return graphError(400, throttled.code, `(#${throttled.code}) ${message}`);
    }
    const audience = audiences.get(request.params[0]!);
    if (!audience) return invalidParameter(`Unsupported request. Object with ID '${request.params[0]}' does not exist.`);
    if (audience.flagged) {
      return graphError(400, 100, 'This audience was flagged and cannot be updated until it is reviewed (operation_status 471).', { error_subcode: 1713230 });
    }
    return audience;
  };

  const membersBatchSize = (request: SimRequest) => {
    const data = asRecord(asRecord(request.body)?.payload)?.data;
    return Array.isArray(data) ? data.length : undefined;
  };

  const behaviour: ServiceBehaviour = {
    name: 'meta',
    rateLimit: metaRateLimit,
    authenticate(request) {
      const header = request.headers.authorization;
      const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : (request.query.get('access_token') ?? undefined);
      if (!token) return graphError(400, 2500, 'An active access token must be used to query information about the current user.');
      if (token !== accessToken) return graphError(400, 190, 'Invalid OAuth access token - Cannot parse access token');
      return undefined;
    },
    tooManyRequests: () =>
      graphError(400, 17, 'User request limit reached', {}, {
        'x-business-use-case-usage': JSON.stringify({
          [adAccountId.slice(4)]: [{ type: 'ads_management', call_count: 100, total_cputime: 10, total_time: 10, estimated_time_to_regain_access: 0 }],
        }),
      }),
    badRequest: (message) => invalidParameter(message),
    serverError: () => graphError(500, 1, 'An unknown error occurred'),
    notFound: (request) => invalidParameter(`Unknown path components: ${request.path}`),
    routes: [
      { method: 'GET', path: /^\/v\d+\.\d+\/me$/, handle: () => json(200, { id: '100000000000001', name: 'Segment export system user' }) },
      {
        method: 'GET',
        path: /^\/v\d+\.\d+\/(act_\d+)$/,
        handle: (request) => accountOr400(request) ?? json(200, { id: adAccountId, account_id: adAccountId.slice(4) }),
      },
      {
        method: 'GET',
        path: /^\/v\d+\.\d+\/(act_\d+)\/customaudiences$/,
        handle(request) {
          const refusal = accountOr400(request);
          if (refusal) return refusal;
          const all = [...audiences.values()];
          const limit = Math.min(Number(request.query.get('limit') ?? PAGE_SIZE) || PAGE_SIZE, PAGE_SIZE);
          const start = Number(request.query.get('after') ?? 0) || 0;
          const page = all.slice(start, start + limit).map(describe);
          const more = start + limit < all.length;
          return json(200, {
            data: page,
            paging: { cursors: { before: String(start), after: String(start + page.length) }, ...(more ? { next: `${request.path}?after=${start + page.length}` } : {}) },
          });
        },
      },
      {
        method: 'POST',
        path: /^\/v\d+\.\d+\/(act_\d+)\/customaudiences$/,
        handle(request) {
          const refusal = accountOr400(request);
          if (refusal) return refusal;
          if (!state.termsAccepted) return graphError(400, 200, 'Permissions error: you must accept the Custom Audience terms before creating a custom audience.');
          const body = asRecord(request.body) ?? {};
          if (typeof body.name !== 'string' || body.name.trim() === '') return invalidParameter('The parameter name is required');
          if (body.subtype !== 'CUSTOM') return invalidParameter('subtype: only CUSTOM is supported for customer lists');
          if (typeof body.customer_file_source !== 'string' || !customerFileSources.has(body.customer_file_source)) {
            return invalidParameter('customer_file_source must be one of USER_PROVIDED_ONLY, PARTNER_PROVIDED_ONLY, BOTH_USER_AND_PARTNER_PROVIDED');
          }
          const id = String(23_850_000_000_000_000n + BigInt(++seq));
          audiences.set(id, { id, name: body.name, customerFileSource: body.customer_file_source, members: new Map(), flagged: false, changedAt: Date.now() });
          return json(200, { id });
        },
      },
      {
        method: 'GET',
        path: /^\/v\d+\.\d+\/(\d+)$/,
        handle(request) {
          const audience = audiences.get(request.params[0]!);
          return audience ? json(200, describe(audience)) : invalidParameter(`Object with ID '${request.params[0]}' does not exist.`);
        },
      },
      {
        method: 'POST',
        path: /^\/v\d+\.\d+\/(\d+)\/users$/,
        batchSize: membersBatchSize,
        handle(request) {
          const audience = target(request);
          if ('status' in audience) return audience;
          const read = readPayload(request.body);
          if ('status' in read) return read;
          changing(audience);
          for (const row of read.rows) if (row) audience.members.set(personKey(row)!, row);
          return answer(audience, read.rows, read.samples);
        },
      },
      {
        method: 'DELETE',
        path: /^\/v\d+\.\d+\/(\d+)\/users$/,
        batchSize: membersBatchSize,
        handle(request) {
          const audience = target(request);
          if ('status' in audience) return audience;
          const read = readPayload(request.body);
          if ('status' in read) return read;
          if (audience.members.size < state.minimumSizeForRemoval) return invalidParameter('Audience size too low: members cannot be removed from this audience yet.');
          changing(audience);
          for (const row of read.rows) if (row) audience.members.delete(personKey(row)!);
          return answer(audience, read.rows, read.samples);
        },
      },
      {
        method: 'POST',
        path: /^\/v\d+\.\d+\/(\d+)\/usersreplace$/,
        batchSize: membersBatchSize,
        handle(request) {
          const audience = target(request);
          if ('status' in audience) return audience;
          const session = asRecord(asRecord(request.body)?.session);
          const sessionId = session?.session_id;
          const batchSeq = session?.batch_seq;
          if (!session || (typeof sessionId !== 'number' && typeof sessionId !== 'string') || typeof batchSeq !== 'number' || typeof session.last_batch_flag !== 'boolean') {
            return invalidParameter('session: session_id, batch_seq and last_batch_flag are required');
          }
          if (typeof session.estimated_num_total !== 'number') return invalidParameter('session.estimated_num_total is required');
          const read = readPayload(request.body);
          if ('status' in read) return read;
          const key = `${audience.id}/${sessionId}`;
          const now = Date.now();
          let open = sessions.get(key);
          if (open && now - open.startedAt > state.replaceSessionTimeoutMs) {
            sessions.delete(key);
            return invalidParameter(`The replace session ${sessionId} has timed out; start a new session from batch_seq 1.`);
          }
          // Batch 1 (re)starts the session; any other must be the next in order.
          if (batchSeq === 1) open = { audienceId: audience.id, nextSeq: 1, startedAt: now, members: new Map() };
          if (!open) return invalidParameter(`The replace session ${sessionId} does not exist; start it with batch_seq 1.`);
          if (batchSeq !== open.nextSeq) return invalidParameter(`batch_seq ${batchSeq} is out of order: the session expects ${open.nextSeq}.`);
          for (const row of read.rows) if (row) open.members.set(personKey(row)!, row);
          open.nextSeq++;
          sessions.set(key, open);
          if (session.last_batch_flag) {
            // The swap happens at the end: until then the audience keeps its old members.
            changing(audience);
            audience.members = open.members;
            sessions.delete(key);
          }
          return answer(audience, read.rows, read.samples, String(sessionId));
        },
      },
    ],
    snapshot: () => ({
      audiences: [...audiences.values()].map((audience) => ({ ...describe(audience), members: audience.members.size })),
      openReplaceSessions: sessions.size,
      ...state,
    }),
    admin(request) {
      const match = /^\/__sim\/audiences\/(.+)$/.exec(request.path);
      if (request.method === 'GET' && match) {
        const audience = byName(decodeURIComponent(match[1]!));
        return audience ? json(200, { id: audience.id, name: audience.name, ...approximate(audience), members: [...audience.members.values()] }) : json(404, { error: 'no such audience' });
      }
      if (request.method === 'POST' && request.path === '/__sim/terms') {
        const accepted = asRecord(request.body)?.accepted;
        if (typeof accepted !== 'boolean') return json(400, { error: 'accepted: true or false' });
        state.termsAccepted = accepted;
        return json(204);
      }
      if (request.method === 'POST' && request.path === '/__sim/report-delay') {
        const ms = asRecord(request.body)?.ms;
        if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0) return json(400, { error: 'ms: a whole number of milliseconds, 0 or more' });
        state.reportDelayMs = ms;
        return json(204);
      }
      const flag = /^\/__sim\/flag\/(.+)$/.exec(request.path);
      if (request.method === 'POST' && flag) {
        const audience = byName(decodeURIComponent(flag[1]!));
        if (!audience) return json(404, { error: 'no such audience' });
        audience.flagged = asRecord(request.body)?.flagged !== false;
        return json(204);
      }
      return undefined;
    },
    reset() {
      audiences.clear();
      sessions.clear();
      refused.clear();
      throttled.remaining = 0;
      Object.assign(state, { termsAccepted: true, minimumSizeForRemoval: 0, replaceSessionTimeoutMs: metaReplaceSessionTimeoutMs, reportDelayMs: 0, maxSamples: 100 });
    },
  };

  const toAudience = (audience: CustomAudience): SimAudience => ({
    id: audience.id,
    name: audience.name,
    members: [...audience.members.values()].map((row) => entryOfSent(sentOf(row))),
  });

  return {
    behaviour,
    state,
    audiences: () => [...audiences.values()].map(toAudience),
    audience: (name: string) => {
      const audience = byName(name);
      return audience ? toAudience(audience) : undefined;
    },
    rows: (name: string) => {
      const audience = byName(name);
      return audience ? [...audience.members.values()] : undefined;
    },
    deleteAudience: (name: string) => {
      const audience = byName(name);
      return audience ? audiences.delete(audience.id) : false;
    },
    addMembers: (name: string, entries: string[]) => {
      const audience = byName(name);
      if (!audience) return;
      for (const entry of entries) {
        const sent = entryIdentifiers(entry);
        const row: Row = Object.fromEntries(Object.entries(sent).map(([id, value]) => [metaSchemaKeys[id as keyof typeof metaSchemaKeys], value]));
        const key = personKey(row);
        if (key) audience.members.set(key, row);
      }
    },
    flag: (name: string, flagged = true) => {
      const audience = byName(name);
      if (audience) audience.flagged = flagged;
    },
    throttle: (code: number, count: number) => {
      Object.assign(throttled, { code, remaining: count });
    },
    refuseItems: (items: string[]) => {
      // A ledger entry stands for its primary value (the person's email, else phone...), a bare hash for itself.
      for (const item of items) refused.add(item.includes('=') ? Object.values(entryIdentifiers(item))[0]! : item);
    },
  };
}

export async function startMetaSimulator(options: { host?: string; port?: number; rateLimits?: boolean } = {}): Promise<MetaSimulator> {
  const sim = metaBehaviour();
  const server = new SimServer(sim.behaviour, { rateLimits: options.rateLimits });
  const url = await server.start(options.host, options.port);
  return {
    ...baseHandle('meta', server, url),
    audiences: sim.audiences,
    audience: sim.audience,
    rows: sim.rows,
    deleteAudience: sim.deleteAudience,
    addMembers: sim.addMembers,
    flag: sim.flag,
    refuseItems: sim.refuseItems,
    throttle: sim.throttle,
    get termsAccepted() {
      return sim.state.termsAccepted;
    },
    set termsAccepted(accepted: boolean) {
      sim.state.termsAccepted = accepted;
    },
    get minimumSizeForRemoval() {
      return sim.state.minimumSizeForRemoval;
    },
    set minimumSizeForRemoval(size: number) {
      sim.state.minimumSizeForRemoval = size;
    },
    get maxSamples() {
      return sim.state.maxSamples;
    },
    set maxSamples(n: number) {
      sim.state.maxSamples = n;
    },
    get reportDelayMs() {
      return sim.state.reportDelayMs;
    },
    set reportDelayMs(ms: number) {
      sim.state.reportDelayMs = ms;
    },
    get replaceSessionTimeoutMs() {
      return sim.state.replaceSessionTimeoutMs;
    },
    set replaceSessionTimeoutMs(ms: number) {
      sim.state.replaceSessionTimeoutMs = ms;
    },
  };
}

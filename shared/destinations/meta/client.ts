import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { assertBatchSize, connectionKey } from '../common/batch.js';
import { ServiceClient } from '../common/http.js';
import { entryIdentifiers, type SentIdentifiers } from '../common/identifiers.js';
import { sharedLimiter } from '../common/rate-limit.js';
import {
  BatchStopped,
  DestinationError,
  type ConnectorContext,
  type DestinationClient,
  type EnsuredAudience,
  type AudienceDescription,
  type ProfileRecord,
  type RecordRejection,
  type ReplaceSessionResult,
  type ReplaceSessionStep,
  type UploadResult,
} from '../types.js';
import { defaultGraphApiVersion, metaLimits, metaMaxPayloadBytes, metaRequestsPerSecond, type metaCredentials, type metaSettings } from './definition.js';
import { audienceStateFields, describeCustomAudience } from './audience-state.js';
import { readMetaFailure } from './errors.js';
import { metaSent, rowOf, schemaKeysOf, schemaOf } from './identifiers.js';

const audiencesPage = z.object({
  data: z.array(z.object({ id: z.string(), name: z.string() }).passthrough()),
  paging: z.object({ cursors: z.object({ after: z.string().optional() }).partial().optional(), next: z.string().optional() }).partial().optional(),
});
const created = z.object({ id: z.string() });
const membersResponse = z.object({
  num_received: z.number(),
  num_invalid_entries: z.number(),
  // A sample of the entries refused, by value (a hash, or an EXTERN_ID) with the reason.
  invalid_entry_samples: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
});

/** One members request: the rows of some of a batch's records. */
interface Part {
  rows: { row: number; sent: SentIdentifiers }[];
}

/**
 * Requests one batch (one `uploadBatch`, one call of a replace session) may spend finding the
 * invalid entries the answers' samples do not name (`isolate`), whatever its number of requests.
 */
const ISOLATION_REQUESTS = 40;
const UNNAMED = 'invalid entry (counted by Meta, not named in its samples)';
const UNISOLATED = (invalid: number, rows: number) => `one of ${invalid} invalid entries among ${rows} rows that Meta did not name (not isolated)`;
/** A session id: Meta takes a number. */
export const newSessionId = () => String(randomInt(1, 2 ** 48));
/** A create whose answer was lost may have gone through: look up by name before creating again. */
const CREATE_ATTEMPTS = 3;

/**
 * Meta Marketing API (graph.facebook.com/<version>): a customer-list custom audience per
 * segment; members added with `POST /{audience_id}/users`, removed with `DELETE`, as rows of
 * the multi-key schema (hashed by Meta's rules, EXTERN_ID plain); a full sync goes as one
 * `usersreplace` session (`replaceSession`, driven by the sync layer across activities).
 */
export function connectMeta(context: ConnectorContext<z.infer<typeof metaCredentials>, z.infer<typeof metaSettings>>): DestinationClient {
  const version = context.settings?.graphApiVersion ?? defaultGraphApiVersion;
  const baseUrl = `${context.endpoints.meta.apiUrl.replace(/\/+$/, '')}/${version}`;
  const api = new ServiceClient({
    service: 'Meta',
    baseUrl,
    limiter: sharedLimiter(connectionKey('meta', baseUrl, context.connectionId), context.http?.requestsPerSecond ?? metaRequestsPerSecond),
    http: context.http,
    log: context.log,
    authorize: async () => ({ headers: { authorization: `Bearer ${context.credentials.accessToken}` } }),
    // A system-user token does not refresh: refused once is refused.
    onUnauthorized: async () => false,
    readFailure: readMetaFailure,
  });

  const adAccount = () => {
    const id = context.settings?.adAccountId;
    if (!id) throw new DestinationError('invalid-request', 'Meta: the export names no ad account (adAccountId)', false);
    return id;
  };

  const findAudience = async (name: string): Promise<string | undefined> => {
    for (let after: string | undefined = undefined, first = true; first || after; first = false) {
      const { body } = await api.send({
        method: 'GET',
        path: `/${adAccount()}/customaudiences`,
        query: { fields: 'id,name', limit: '500', ...(after ? { after } : {}) },
      });
      const page = audiencesPage.parse(body);
      const found = page.data.find((audience) => audience.name === name);
      if (found) return found.id;
      after = page.paging?.next ? page.paging.cursors?.after : undefined;
    }
    return undefined;
  };

  const createAudience = async (name: string): Promise<EnsuredAudience> => {
    const source = context.settings?.customerFileSource;
    if (!source) throw new DestinationError('invalid-request', 'Meta: the export names no customer file source (customerFileSource)', false);
    for (let attempt = 1; ; attempt++) {
      try {
        const { body } = await api.send({
          method: 'POST',
          path: `/${adAccount()}/customaudiences`,
          json: { name, subtype: 'CUSTOM', customer_file_source: source, description: 'Kept in step with a segment export.' },
          once: true,
        });
        return { audienceId: created.parse(body).id, created: true, membersIncluded: false };
      } catch (error) {
        if (!(error instanceof DestinationError) || !error.retryable || attempt >= CREATE_ATTEMPTS) throw error;
        const found = await findAudience(name);
        if (found) return { audienceId: found, created: false, membersIncluded: false };
      }
    }
  };

  /** Splits rows into requests whose JSON body stays under the payload bound. */
  const partsOf = (rows: Part['rows']): Part[] => {
    const schema = schemaOf(rows.map((row) => row.sent));
    const overhead = JSON.stringify({ payload: { schema: schemaKeysOf(schema), data: [] } }).length + 200;
    const parts: Part[] = [];
    let current: Part = { rows: [] };
    let bytes = overhead;
    for (const row of rows) {
      const size = JSON.stringify(rowOf(schema, row.sent)).length + 1;
      if (current.rows.length > 0 && bytes + size > metaMaxPayloadBytes) {
        parts.push(current);
        current = { rows: [] };
        bytes = overhead;
      }
      current.rows.push(row);
      bytes += size;
    }
    if (current.rows.length > 0) parts.push(current);
    return parts;
  };

  const payloadOf = (part: Part) => {
    const schema = schemaOf(part.rows.map((row) => row.sent));
    return { schema: schemaKeysOf(schema), data: part.rows.map((row) => rowOf(schema, row.sent)) };
  };

  /** What one members request's answer says: the rows its samples name, and how many it counted invalid. */
  const readCounts = (what: string, part: Part, body: unknown): { named: RecordRejection[]; invalid: number } => {
    const counts = membersResponse.parse(body);
    if (counts.num_received !== part.rows.length) {
      throw new DestinationError('destination-error', `Meta ${what}: received ${counts.num_received} of ${part.rows.length} rows`);
    }
    const samples = sampleReasons(counts.invalid_entry_samples);
    const named: RecordRejection[] = [];
    for (const row of part.rows) {
      const hit = Object.values(row.sent).find((value) => samples.has(value));
      if (hit !== undefined) named.push({ row: row.row, reason: `destination-rejected: ${samples.get(hit) || 'invalid entry'}` });
    }
    return { named, invalid: Math.max(counts.num_invalid_entries, named.length) };
  };

  const sendPart = async (method: 'POST' | 'DELETE', audienceId: string, part: Part) => {
    const { body } = await api.send({ method, path: `/${encodeURIComponent(audienceId)}/users`, json: { payload: payloadOf(part) } });
    return readCounts(`${method} /users`, part, body);
  };

  /**
   * `invalid_entry_samples` is a sample: past it, Meta counts invalid entries it does not
   * name. Those rows are found by adding halves of the unnamed rows again (an add of a
   * member the audience holds changes nothing) and following the counts down to single
   * rows; the half not sent has the rest of the count, so only one half a level is sent.
   * Past the batch's budget of requests, or once a request of the search fails (no turn at the
   * rate within the activity's patience, a throttle), the rows still in doubt are all reported
   * as refused and the search ends: it never throws, so a batch is never sent again for it. The
   * ledger then claims fewer members than the audience holds, never more.
   */
  const isolate = async (audienceId: string, rows: Part['rows'], invalid: number, budget: { requests: number }): Promise<RecordRejection[]> => {
    if (invalid <= 0 || rows.length === 0) return [];
    if (invalid >= rows.length) return rows.map((row) => ({ row: row.row, reason: `destination-rejected: ${UNNAMED}` }));
    const unisolated = () => rows.map((row) => ({ row: row.row, reason: `destination-rejected: ${UNISOLATED(invalid, rows.length)}` }));
    if (budget.requests <= 0) return unisolated();
    budget.requests--;
    const half = { rows: rows.slice(0, Math.ceil(rows.length / 2)) };
    const rest = rows.slice(half.rows.length);
    let counts;
    try {
      counts = await sendPart('POST', audienceId, half);
    } catch (error) {
      context.log?.warn(`Meta: the search for invalid entries stopped (${error instanceof Error ? error.message : String(error)}); the rows in doubt are reported refused`);
      budget.requests = 0;
      return unisolated();
    }
    const named = new Set(counts.named.map((rejection) => rejection.row));
    return [
      ...counts.named,
      ...(await isolate(audienceId, half.rows.filter((row) => !named.has(row.row)), counts.invalid - counts.named.length, budget)),
      ...(await isolate(audienceId, rest, invalid - counts.invalid, budget)),
    ];
  };

  /** The rows of a part Meta refused: those its samples name, and those found among the rest (`isolate`). */
  const refusedIn = async (audienceId: string, part: Part, counts: { named: RecordRejection[]; invalid: number }, budget: { requests: number }): Promise<RecordRejection[]> => {
    const unnamed = counts.invalid - counts.named.length;
    if (unnamed <= 0) return counts.named;
    const named = new Set(counts.named.map((rejection) => rejection.row));
    context.log?.warn(`Meta: ${unnamed} invalid entries the answer's samples do not name; finding them by sending halves again`);
    return [...counts.named, ...(await isolate(audienceId, part.rows.filter((row) => !named.has(row.row)), unnamed, budget))];
  };

  /**
   * Requests of a `usersreplace` session, in order (`batch_seq` on from `step.batchSeq`),
   * the last flagged when `step.last`: Meta swaps the membership when that one arrives, so
   * the audience keeps its members meanwhile. Stops at the first failure and says how far it
   * got; the sync layer goes on from there or starts a new session.
   */
  const sendSession = async (audienceId: string, records: ProfileRecord[], step: ReplaceSessionStep): Promise<ReplaceSessionResult> => {
    const parts = partsOf(records.map((record) => ({ row: record.row, sent: metaSent(record) })));
    const rejected: RecordRejection[] = [];
    const budget = { requests: ISOLATION_REQUESTS };
    let done = 0;
    let seq = step.batchSeq;
    for (const [index, part] of parts.entries()) {
      let counts;
      try {
        const { body } = await api.send({
          method: 'POST',
          path: `/${encodeURIComponent(audienceId)}/usersreplace`,
          json: {
            session: { session_id: Number(step.sessionId), batch_seq: seq, last_batch_flag: step.last && index === parts.length - 1, estimated_num_total: step.total },
            payload: payloadOf(part),
          },
        });
        counts = readCounts('POST /usersreplace', part, body);
      } catch (error) {
        return { accepted: done - rejected.length, rejected, done, nextBatchSeq: seq, error };
      }
      seq++;
      done += part.rows.length;
      try {
        rejected.push(...(await refusedIn(audienceId, part, counts, budget)));
      } catch (error) {
        // The session took the part; what could not be told apart is reported as refused.
        const named = new Set(counts.named.map((rejection) => rejection.row));
        context.log?.warn(`Meta: invalid entries not isolated (${error instanceof Error ? error.message : String(error)})`);
        rejected.push(...counts.named, ...part.rows.filter((row) => !named.has(row.row)).map((row) => ({ row: row.row, reason: `destination-rejected: ${UNISOLATED(counts.invalid - counts.named.length, part.rows.length - counts.named.length)}` })));
      }
    }
    return { accepted: done - rejected.length, rejected, done, nextBatchSeq: seq };
  };

  return {
    async testConnection() {
      // With an export: the ad account itself (the token must reach it); without: the token's user.
      await api.send({ method: 'GET', path: context.settings?.adAccountId ? `/${context.settings.adAccountId}` : '/me', query: { fields: 'id' } });
    },

    async ensureAudience(name): Promise<EnsuredAudience> {
      const existing = await findAudience(name);
      if (existing) return { audienceId: existing, created: false, membersIncluded: false };
      return createAudience(name);
    },

    async uploadBatch(audienceId, records: ProfileRecord[], options): Promise<UploadResult> {
      assertBatchSize('Meta', records.length, metaLimits.batchSize);
      if (options?.replace) {
        // A replace of this batch alone: a session of its own.
        const result = await sendSession(audienceId, records, { sessionId: newSessionId(), batchSeq: 1, total: records.length, last: true });
        if (result.error !== undefined) throw result.error;
        return { accepted: result.accepted, rejected: result.rejected };
      }
      // A batch of many keys goes as many requests, more than an activity may have turns for:
      // stopped part-way, it says how far it got (`BatchStopped`) and goes on from there.
      const rejected: RecordRejection[] = [];
      const budget = { requests: ISOLATION_REQUESTS };
      let done = 0;
      for (const part of partsOf(records.map((record) => ({ row: record.row, sent: metaSent(record) })))) {
        let counts;
        try {
          counts = await sendPart('POST', audienceId, part);
        } catch (error) {
          if (done === 0) throw error;
          throw new BatchStopped(done, { accepted: done - rejected.length, rejected }, error);
        }
        done += part.rows.length;
        rejected.push(...(await refusedIn(audienceId, part, counts, budget)));
      }
      return { accepted: records.length - rejected.length, rejected };
    },

    replaceSession: { send: sendSession },

    async describeAudience(audienceId): Promise<AudienceDescription> {
      const { body } = await api.send({ method: 'GET', path: `/${encodeURIComponent(audienceId)}`, query: { fields: audienceStateFields } });
      return describeCustomAudience(body);
    },

    async removeMembers(audienceId, memberIds) {
      // Each entry names every identifier the add sent; the removal sends exactly those.
      // A flagged audience, or one too small to remove from, raises: the removals stay owed.
      // Stopped part-way (more requests than an activity has turns for), it says how far it got.
      let done = 0;
      for (let start = 0; start < memberIds.length; start += metaLimits.batchSize) {
        const rows = memberIds.slice(start, start + metaLimits.batchSize).map((id, k) => ({ row: start + k + 1, sent: entryIdentifiers(id) }));
        // An entry Meta finds invalid was never a member: it counts as removed.
        for (const part of partsOf(rows)) {
          try {
            await sendPart('DELETE', audienceId, part);
          } catch (error) {
            if (done === 0) throw error;
            throw new BatchStopped(done, { accepted: done, rejected: [] }, error);
          }
          done += part.rows.length;
        }
      }
      return { removed: memberIds.length, failed: [] };
    },
  };
}

/** `invalid_entry_samples` as value → reason, whether the service sends an object or a list. */
function sampleReasons(samples: Record<string, unknown> | unknown[] | undefined): Map<string, string> {
  const reasons = new Map<string, string>();
  if (Array.isArray(samples)) for (const value of samples) reasons.set(String(value), '');
  else if (samples) for (const [value, reason] of Object.entries(samples)) reasons.set(value, typeof reason === 'string' ? reason : '');
  return reasons;
}

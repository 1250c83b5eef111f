import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { assertBatchSize, connectionKey } from '../common/batch.js';
import { ServiceClient } from '../common/http.js';
import { entryIdentifiers, type SentIdentifiers } from '../common/identifiers.js';
import { sharedLimiter } from '../common/rate-limit.js';
import {
  DestinationError,
  type ConnectorContext,
  type DestinationClient,
  type EnsuredAudience,
  type ProfileRecord,
  type RecordRejection,
  type UploadResult,
} from '../types.js';
import { defaultGraphApiVersion, metaLimits, metaMaxPayloadBytes, metaRequestsPerSecond, type metaCredentials, type metaSettings } from './definition.js';
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

/** A replace session that failed part-way is started again from its first batch this many times in all. */
const REPLACE_SESSION_STARTS = 3;
/** A create whose answer was lost may have gone through: look up by name before creating again. */
const CREATE_ATTEMPTS = 3;

/**
 * Meta Marketing API (graph.facebook.com/<version>): a customer-list custom audience per
 * segment; members added with `POST /{audience_id}/users`, removed with `DELETE`, as rows of
 * the multi-key schema (hashed by Meta's rules, EXTERN_ID plain); a full sync's first batch
 * replaces the membership through a `usersreplace` session.
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

  /** Reads the counts Meta answers; invalid entries are the rows whose values its samples name. */
  const readCounts = (what: string, part: Part, body: unknown): { accepted: number; rejected: RecordRejection[] } => {
    const counts = membersResponse.parse(body);
    if (counts.num_received !== part.rows.length) {
      throw new DestinationError('destination-error', `Meta ${what}: received ${counts.num_received} of ${part.rows.length} rows`);
    }
    const samples = sampleReasons(counts.invalid_entry_samples);
    const rejected: RecordRejection[] = [];
    for (const row of part.rows) {
      const hit = Object.values(row.sent).find((value) => samples.has(value));
      if (hit !== undefined) rejected.push({ row: row.row, reason: `destination-rejected: ${samples.get(hit) || 'invalid entry'}` });
    }
    const unnamed = counts.num_invalid_entries - rejected.length;
    if (unnamed > 0) {
      context.log?.warn(`Meta ${what}: ${unnamed} invalid entries the answer's samples do not name; they are counted as not accepted`);
    }
    return { accepted: counts.num_received - counts.num_invalid_entries, rejected };
  };

  const sendMembers = async (method: 'POST' | 'DELETE', audienceId: string, part: Part) => {
    const { body } = await api.send({ method, path: `/${encodeURIComponent(audienceId)}/users`, json: { payload: payloadOf(part) } });
    return readCounts(`${method} /users`, part, body);
  };

  /**
   * One `usersreplace` session: every part in order (`batch_seq` from 1), the last flagged.
   * Meta swaps the membership when the last batch arrives, so the audience is never empty
   * meanwhile. A part that fails after its retries leaves the session unfinished: it is
   * started again, with a new id, from its first batch.
   */
  const replaceMembers = async (audienceId: string, parts: Part[], total: number): Promise<{ accepted: number; rejected: RecordRejection[] }> => {
    for (let start = 1; ; start++) {
      const sessionId = randomInt(1, 2 ** 48);
      try {
        let accepted = 0;
        const rejected: RecordRejection[] = [];
        for (const [index, part] of parts.entries()) {
          const { body } = await api.send({
            method: 'POST',
            path: `/${encodeURIComponent(audienceId)}/usersreplace`,
            json: {
              session: { session_id: sessionId, batch_seq: index + 1, last_batch_flag: index === parts.length - 1, estimated_num_total: total },
              payload: payloadOf(part),
            },
          });
          const counts = readCounts('POST /usersreplace', part, body);
          accepted += counts.accepted;
          rejected.push(...counts.rejected);
        }
        return { accepted, rejected };
      } catch (error) {
        if (!(error instanceof DestinationError) || !error.retryable || start >= REPLACE_SESSION_STARTS) throw error;
        context.log?.warn(`Meta usersreplace session ${sessionId} failed part-way (${error.message}); starting again from its first batch`);
      }
    }
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
      const parts = partsOf(records.map((record) => ({ row: record.row, sent: metaSent(record) })));
      if (options?.replace) {
        const result = await replaceMembers(audienceId, parts, records.length);
        return { accepted: result.accepted, rejected: result.rejected };
      }
      let accepted = 0;
      const rejected: RecordRejection[] = [];
      for (const part of parts) {
        const counts = await sendMembers('POST', audienceId, part);
        accepted += counts.accepted;
        rejected.push(...counts.rejected);
      }
      return { accepted, rejected };
    },

    async removeMembers(audienceId, memberIds) {
      // Each entry names every identifier the add sent; the removal sends exactly those.
      // A flagged audience, or one too small to remove from, raises: the removals stay owed.
      for (let start = 0; start < memberIds.length; start += metaLimits.batchSize) {
        const rows = memberIds.slice(start, start + metaLimits.batchSize).map((id, k) => ({ row: start + k + 1, sent: entryIdentifiers(id) }));
        for (const part of partsOf(rows)) await sendMembers('DELETE', audienceId, part);
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

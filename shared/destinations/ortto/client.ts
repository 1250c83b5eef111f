import { z } from 'zod';
import { assertBatchSize, connectionKey } from '../common/batch.js';
import { ServiceClient, field, type FailureReading } from '../common/http.js';
import { sendIsolatingRejections } from '../common/isolate-rejections.js';
import { sharedLimiter } from '../common/rate-limit.js';
import {
  DestinationError,
  type AudienceDescription,
  type ConnectorContext,
  type DestinationClient,
  type EnsuredAudience,
  type ProfileRecord,
  type UploadResult,
} from '../types.js';
import type { DestinationEndpoints } from '../../config.js';
import { orttoLimits, orttoRegionHosts, orttoRequestsPerSecond, type OrttoRegion, type orttoCredentials, type orttoSettings } from './definition.js';
import { orttoFields, orttoPersonFields, tagFilter, type OrttoPersonFields } from './person.js';

const audience = z.object({ id: z.string(), name: z.string(), filter: z.unknown().optional() }).passthrough();
/** Documented as a list; an object holding `audiences` is read too. */
const audiencesResponse = z.union([z.array(audience), z.object({ audiences: z.array(audience).nullish() }).transform((body) => body.audiences ?? [])]);
const tag = z.object({ name: z.string(), count: z.number().int().nonnegative().nullish() }).passthrough();
const tagsResponse = z.union([z.array(tag), z.object({ tags: z.array(tag).nullish() }).transform((body) => body.tags ?? [])]);
const peopleResponse = z.object({
  contacts: z.array(z.object({ fields: z.record(z.string(), z.unknown()).nullish() }).passthrough()).nullish(),
  next_offset: z.number().int().nullish(),
  has_more: z.boolean().nullish(),
});

/** Audiences per `POST /v1/audiences/get` page: Ortto's default and maximum. */
const AUDIENCES_PAGE = 40;
/** People per `POST /v1/person/get` page: Ortto's maximum. */
const PEOPLE_PAGE = 500;

/**
 * Errors: the rate limit answers `{"error":{"code":"rate-limit","message":"rate limit","try-in-seconds":10}}`
 * (no `Retry-After`); other errors are read from `error.message` or a plain `message`.
 */
export function readOrttoFailure(status: number, body: unknown): FailureReading {
  const error = field(body, 'error');
  const text = field(error, 'message') ?? field(body, 'message') ?? (typeof error === 'string' ? error : undefined);
  const message = typeof text === 'string' ? text : typeof body === 'string' ? body.slice(0, 200) : `HTTP ${status}`;
  const wait = field(error, 'try-in-seconds');
  const tryIn = typeof wait === 'number' && Number.isFinite(wait) && wait >= 0 ? wait * 1000 : undefined;
  if (status === 429 || field(error, 'code') === 'rate-limit') return { message, code: 'rate-limited', ...(tryIn !== undefined ? { retryAfterMs: tryIn } : {}) };
  return { message };
}

/** The API base URL of a connection: the app setting when set (the simulator, locally), overriding every region; else the region's host. */
export function orttoBaseUrl(endpoints: DestinationEndpoints, region: OrttoRegion | undefined): string {
  return endpoints.ortto.apiUrl ?? orttoRegionHosts[region ?? 'ap3'];
}

/** What the admin sets once in Ortto so the segment's people appear as an audience there. */
export function audienceSetup(name: string): string {
  return `create it once in Ortto: Audiences → New audience named "${name}", filter Tags is "${name}"; the app keeps the tag on exactly the segment's people`;
}

/**
 * Ortto (api.ap3api.com/v1, or the region's host): audiences follow filters, so the segment's
 * members carry a tag named after the segment, and an Ortto audience filtered on that tag
 * shows them. People are upserted by email with `POST /person/merge` (≤ 100, asynchronous)
 * with the tag; leavers get it in `unset_tags`. The audience id the app keeps is the tag.
 */
export function connectOrtto(context: ConnectorContext<z.infer<typeof orttoCredentials>, z.infer<typeof orttoSettings>>): DestinationClient {
  const baseUrl = orttoBaseUrl(context.endpoints, context.credentials.region);
  const api = new ServiceClient({
    service: 'Ortto',
    baseUrl,
    limiter: sharedLimiter(connectionKey('ortto', baseUrl, context.connectionId), context.http?.requestsPerSecond ?? orttoRequestsPerSecond),
    http: context.http,
    log: context.log,
    authorize: async () => ({ headers: { 'x-api-key': context.credentials.apiKey } }),
    // A static key: a 401 means the key is wrong, no refresh can help.
    onUnauthorized: async () => false,
    readFailure: readOrttoFailure,
  });

  const merge = async (people: { fields: OrttoPersonFields; tags?: string[]; unset_tags?: string[] }[]): Promise<void> => {
    await api.send({
      method: 'POST',
      path: '/person/merge',
      // Asynchronous: Ortto queues the people and answers at once (its advice for volume; synchronous
      // merges by a key hit a concurrency limit). merge_strategy 2 overwrites the mapped fields; find_strategy 0: any key.
      json: { people, async: true, merge_by: [orttoFields.email], merge_strategy: 2, find_strategy: 0 },
    });
  };

  const findAudience = async (name: string) => {
    for (let offset = 0; ; offset += AUDIENCES_PAGE) {
      const { body } = await api.send({
        method: 'POST',
        path: '/audiences/get',
        json: { search_term: name, with_filter: true, limit: AUDIENCES_PAGE, offset },
      });
      const page = audiencesResponse.parse(body);
      const found = page.find((candidate) => candidate.name === name);
      if (found || page.length < AUDIENCES_PAGE) return found;
    }
  };

  return {
    async testConnection() {
      await api.send({ method: 'POST', path: '/audiences/get', json: { limit: 1, offset: 0 } });
    },

    async ensureAudience(name): Promise<EnsuredAudience> {
      // The tag needs no creating: Ortto creates it with its first person. The audience has no
      // create route in Ortto's API, so when it is missing the run record says how to set it up.
      const found = await findAudience(name);
      const notice = !found
        ? `Ortto has no audience named "${name}" yet: ${audienceSetup(name)}`
        : !JSON.stringify(found.filter ?? '').includes(JSON.stringify(name))
          ? `the Ortto audience "${name}" does not filter on the tag "${name}": set its filter to Tags is "${name}" so it shows the segment's people`
          : undefined;
      return { audienceId: name, created: false, membersIncluded: false, ...(notice ? { notice } : {}) };
    },

    async uploadBatch(tagName, records): Promise<UploadResult> {
      assertBatchSize('Ortto', records.length, orttoLimits.batchSize);
      // One malformed person refuses the request: halve until it stands alone, send the rest.
      return sendIsolatingRejections(records, (batch: ProfileRecord[]) =>
        merge(batch.map((profile) => ({ fields: orttoPersonFields(profile), tags: [tagName] }))),
      );
    },

    async removeMembers(tagName, emails) {
      // Leavers keep their Ortto record and lose the segment's tag, so the audience drops them.
      const failed: { memberId: string; reason: string }[] = [];
      for (let start = 0; start < emails.length; start += orttoLimits.batchSize) {
        const batch = emails.slice(start, start + orttoLimits.batchSize);
        try {
          await merge(batch.map((email) => ({ fields: { [orttoFields.email]: email }, unset_tags: [tagName] })));
        } catch (error) {
          if (!(error instanceof DestinationError) || error.retryable) throw error;
          for (const email of batch) failed.push({ memberId: email, reason: `${error.code}: ${error.message}` });
        }
      }
      return { removed: emails.length - failed.length, failed };
    },

    async listMembers(tagName) {
      // Everyone holding the tag, 500 a page: a full sync takes the tag from those the app did not send.
      const emails: string[] = [];
      for (let offset = 0; ; ) {
        const { body } = await api.send({
          method: 'POST',
          path: '/person/get',
          json: { limit: PEOPLE_PAGE, offset, fields: [orttoFields.email], filter: tagFilter(tagName) },
        });
        const page = peopleResponse.parse(body);
        for (const contact of page.contacts ?? []) {
          const email = contact.fields?.[orttoFields.email];
          if (typeof email === 'string') emails.push(email.trim().toLowerCase());
        }
        if (!page.has_more || page.next_offset === undefined || page.next_offset === null || page.next_offset <= offset) return emails;
        offset = page.next_offset;
      }
    },

    async describeAudience(tagName): Promise<AudienceDescription> {
      // The tag's `count` is the people holding it: what the audience filtered on it shows.
      const { body } = await api.send({ method: 'POST', path: '/tags/get', json: { q: tagName } });
      const found = tagsResponse.parse(body).find((candidate) => candidate.name === tagName);
      if (!found) throw new DestinationError('not-found', `Ortto holds no tag "${tagName}"`, false, 404);
      const count = found.count ?? null;
      return {
        sizes: { count },
        size: count,
        counts: 'members',
        estimate: false,
        state: 'not-reported',
        ...(count === null ? { detail: 'the tag carried no count' } : {}),
      };
    },
  };
}

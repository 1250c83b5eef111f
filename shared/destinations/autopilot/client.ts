import { z } from 'zod';
import { assertBatchSize, connectionKey } from '../common/batch.js';
import { ServiceClient, field, type FailureReading } from '../common/http.js';
import { sendIsolatingRejections } from '../common/isolate-rejections.js';
import { sharedLimiter } from '../common/rate-limit.js';
import { emailOf } from '../common/identifiers.js';
import {
  DestinationError,
  type AudienceDescription,
  type ConnectorContext,
  type DestinationClient,
  type EnsuredAudience,
  type ProfileRecord,
  type UploadResult,
} from '../types.js';
import { autopilotLimits, autopilotRequestsPerSecond, type autopilotCredentials, type autopilotSettings } from './definition.js';

const listsResponse = z.object({ lists: z.array(z.object({ list_id: z.string(), title: z.string() })) });
const createListResponse = z.object({ list_id: z.string() });
const listContactsResponse = z.object({
  contacts: z.array(z.object({ Email: z.string() }).passthrough()),
  bookmark: z.string().nullish(),
  total_contacts: z.number().int().nonnegative().nullish(),
});

/** Autopilot's fields for a profile: upserted by Email; names only when mapped. */
export function autopilotContact(profile: ProfileRecord): Record<string, string> {
  return {
    Email: emailOf(profile),
    ...(profile.firstName ? { FirstName: profile.firstName } : {}),
    ...(profile.lastName ? { LastName: profile.lastName } : {}),
  };
}

/** Errors come as `{ "error": "Bad Request", "message": "..." }`. */
function readFailure(_status: number, body: unknown): FailureReading {
  const message = field(body, 'message');
  const error = field(body, 'error');
  return { message: typeof message === 'string' ? message : typeof error === 'string' ? error : String(body).slice(0, 200) };
}

/**
 * Autopilot Journeys (api2.autopilothq.com/v1): contact lists stand for audiences; members go
 * in with `POST /contacts` (≤ 100, each carrying `_autopilot_list`), an idempotent upsert, so
 * a retried batch never duplicates anyone.
 */
export function connectAutopilot(
  context: ConnectorContext<z.infer<typeof autopilotCredentials>, z.infer<typeof autopilotSettings>>,
): DestinationClient {
  const baseUrl = context.endpoints.autopilot.apiUrl;
  const api = new ServiceClient({
    service: 'Autopilot',
    baseUrl,
    limiter: sharedLimiter(
      connectionKey('autopilot', baseUrl, context.connectionId),
      context.http?.requestsPerSecond ?? autopilotRequestsPerSecond,
    ),
    http: context.http,
    log: context.log,
    authorize: async () => ({ headers: { autopilotapikey: context.credentials.apiKey } }),
    // A static key: a 401 means the key is wrong, no refresh can help.
    onUnauthorized: async () => false,
    readFailure,
  });

  const findList = async (name: string): Promise<string | undefined> => {
    const { body } = await api.send({ method: 'GET', path: '/lists' });
    const lists = listsResponse.parse(body).lists;
    return lists.find((list) => list.title === name)?.list_id;
  };

  const addContacts = async (listId: string, batch: ProfileRecord[]): Promise<void> => {
    const { body } = await api.send({
      method: 'POST',
      path: '/contacts',
      json: { contacts: batch.map((profile) => ({ ...autopilotContact(profile), _autopilot_list: listId })) },
    });
    const ids = field(body, 'contact_ids');
    if (!Array.isArray(ids) || ids.length !== batch.length) {
      throw new DestinationError(
        'destination-error',
        `Autopilot POST /contacts: answered ${Array.isArray(ids) ? ids.length : 'no'} contact ids for ${batch.length} contacts`,
      );
    }
  };

  return {
    async testConnection() {
      await api.send({ method: 'GET', path: '/lists' });
    },

    async ensureAudience(name): Promise<EnsuredAudience> {
      const existing = await findList(name);
      if (existing) return { audienceId: existing, created: false, membersIncluded: false };
      try {
        const { body } = await api.send({ method: 'POST', path: '/list', json: { name } });
        return { audienceId: createListResponse.parse(body).list_id, created: true, membersIncluded: false };
      } catch (error) {
        // 409: created meanwhile by a parallel run (or a retried create that had gone through).
        if (error instanceof DestinationError && error.status === 409) {
          const raced = await findList(name);
          if (raced) return { audienceId: raced, created: false, membersIncluded: false };
        }
        throw error;
      }
    },

    async uploadBatch(listId, records): Promise<UploadResult> {
      assertBatchSize('Autopilot', records.length, autopilotLimits.batchSize);
      return sendIsolatingRejections(records, (batch) => addContacts(listId, batch));
    },

    async removeMembers(listId, emails) {
      // No bulk removal: one call per contact, paced by the shared limiter. A failure of one
      // contact is that contact's; the others still go.
      const failed: { memberId: string; reason: string }[] = [];
      await Promise.all(
        emails.map(async (email) => {
          try {
            await api.send({ method: 'DELETE', path: `/list/${encodeURIComponent(listId)}/contact/${encodeURIComponent(email)}` });
          } catch (error) {
            // Not on the list (or not a contact at all): the goal is reached.
            if (error instanceof DestinationError && error.code === 'not-found') return;
            if (error instanceof DestinationError && !error.retryable) failed.push({ memberId: email, reason: `${error.code}: ${error.message}` });
            else throw error;
          }
        }),
      );
      return { removed: emails.length - failed.length, failed };
    },

    async listMembers(listId) {
      // 100 a page, each page naming the bookmark of the next.
      const emails: string[] = [];
      for (let bookmark: string | undefined = ''; bookmark !== undefined; ) {
        const { body } = await api.send({
          method: 'GET',
          path: `/list/${encodeURIComponent(listId)}/contacts${bookmark ? `/${encodeURIComponent(bookmark)}` : ''}`,
        });
        const page = listContactsResponse.parse(body);
        for (const contact of page.contacts) emails.push(contact.Email.trim().toLowerCase());
        bookmark = page.bookmark ?? undefined;
      }
      return emails;
    },

    async describeAudience(listId): Promise<AudienceDescription> {
      // The first page of the list names how many contacts it holds; no processing state exists.
      const { body } = await api.send({ method: 'GET', path: `/list/${encodeURIComponent(listId)}/contacts` });
      const total = listContactsResponse.parse(body).total_contacts ?? null;
      return {
        sizes: { total_contacts: total },
        size: total,
        counts: 'members',
        estimate: false,
        state: 'not-reported',
        ...(total === null ? { detail: 'the list page carried no total_contacts' } : {}),
      };
    },
  };
}

import { randomUUID } from 'node:crypto';
import { devCredentials } from '../credentials.js';
import { baseHandle, type SimAudience, type SimulatorHandle } from '../common/handle.js';
import { SimServer, asRecord, isPlausibleEmail, json, type ServiceBehaviour, type SimRequest, type SimResponse } from '../common/server.js';

/** Published: 5 requests per second. */
export const autopilotRateLimit = { requestsPerSecond: 5, burst: 5 };
export const autopilotMaxContactsPerRequest = 100;
const PAGE_SIZE = 100;

export interface AutopilotContact {
  contact_id: string;
  Email: string;
  FirstName?: string;
  LastName?: string;
  lists: Set<string>;
}

interface ContactList {
  list_id: string;
  title: string;
  members: Set<string>;
}

export interface AutopilotSimulator extends SimulatorHandle {
  /** A contact by email (case-insensitive), with the names it holds. */
  contact(email: string): { Email: string; FirstName?: string; LastName?: string; lists: string[] } | undefined;
}

const error = (status: number, name: string, message: string): SimResponse => json(status, { error: name, message });
const badRequest = (message: string) => error(400, 'Bad Request', message);

/**
 * Autopilot Journeys v1 (`/v1`): API-key header, contact lists, bulk contact upsert of at
 * most 100 with `_autopilot_list`, 5 requests per second. Contacts are upserted by Email;
 * an existing contact keeps its FirstName and LastName, as the service documents.
 */
export function autopilotBehaviour(apiKey: string = devCredentials.autopilot.apiKey) {
  const lists = new Map<string, ContactList>();
  const contacts = new Map<string, AutopilotContact>();

  const listOr404 = (id: string) => lists.get(id);

  const upsert = (input: Record<string, unknown>): AutopilotContact => {
    const email = String(input.Email);
    const key = email.toLowerCase();
    let contact = contacts.get(key);
    if (!contact) {
      contact = { contact_id: `person_${randomUUID().toUpperCase()}`, Email: email, lists: new Set() };
      contacts.set(key, contact);
    }
    if (!contact.FirstName && typeof input.FirstName === 'string' && input.FirstName) contact.FirstName = input.FirstName;
    if (!contact.LastName && typeof input.LastName === 'string' && input.LastName) contact.LastName = input.LastName;
    return contact;
  };

  const addToList = (list: ContactList, contact: AutopilotContact) => {
    list.members.add(contact.Email.toLowerCase());
    contact.lists.add(list.list_id);
  };

  const postContacts = (request: SimRequest): SimResponse => {
    const batch = asRecord(request.body)?.contacts;
    if (!Array.isArray(batch) || batch.length === 0) return badRequest('contacts: a non-empty array of contacts is required.');
    if (batch.length > autopilotMaxContactsPerRequest) {
      return badRequest(`contacts: at most ${autopilotMaxContactsPerRequest} contacts per request, got ${batch.length}.`);
    }
    // Validate everything first: a refused request changes nothing.
    for (const [index, item] of batch.entries()) {
      const contact = asRecord(item);
      if (!contact) return badRequest(`contacts[${index}]: must be an object.`);
      if (!isPlausibleEmail(contact.Email)) return badRequest(`contacts[${index}].Email: not a valid email address.`);
      const list = contact._autopilot_list;
      if (list !== undefined && (typeof list !== 'string' || !lists.has(list))) {
        return error(404, 'Not Found', `contacts[${index}]._autopilot_list: list ${String(list)} could not be found.`);
      }
    }
    const ids = batch.map((item) => {
      const input = asRecord(item)!;
      const contact = upsert(input);
      if (typeof input._autopilot_list === 'string') addToList(lists.get(input._autopilot_list)!, contact);
      return contact.contact_id;
    });
    return json(200, { contact_ids: ids });
  };

  const behaviour: ServiceBehaviour = {
    name: 'autopilot',
    rateLimit: autopilotRateLimit,
    authenticate(request) {
      const key = request.headers.autopilotapikey;
      if (key === undefined || key === '') return badRequest('No autopilotapikey header provided.');
      if (key !== apiKey) return error(401, 'Unauthorized', 'Provided autopilotapikey not valid.');
      return undefined;
    },
    tooManyRequests: (retryAfterSeconds) =>
      json(
        429,
        { error: 'Too Many Requests', message: `You have exceeded your request rate of ${autopilotRateLimit.requestsPerSecond} r/s.` },
        retryAfterSeconds === undefined ? undefined : { 'retry-after': String(retryAfterSeconds) },
      ),
    badRequest,
    serverError: () => error(500, 'Internal Server Error', 'Something went wrong.'),
    notFound: (request) => error(404, 'Not Found', `No route ${request.method} ${request.path}.`),
    routes: [
      {
        method: 'GET',
        path: /^\/v1\/lists$/,
        handle: () => json(200, { lists: [...lists.values()].map(({ list_id, title }) => ({ list_id, title })) }),
      },
      {
        method: 'POST',
        path: /^\/v1\/list$/,
        handle(request) {
          const name = asRecord(request.body)?.name;
          if (typeof name !== 'string' || name.trim() === '') return badRequest('name: a list name is required.');
          if ([...lists.values()].some((list) => list.title === name)) return error(409, 'Conflict', 'A list with this name already exists.');
          const list: ContactList = { list_id: `contactlist_${randomUUID().replaceAll('-', '')}`, title: name, members: new Set() };
          lists.set(list.list_id, list);
          return json(200, { list_id: list.list_id });
        },
      },
      {
        method: 'POST',
        path: /^\/v1\/contacts$/,
        batchSize: (request) => {
          const batch = asRecord(request.body)?.contacts;
          return Array.isArray(batch) ? batch.length : undefined;
        },
        handle: postContacts,
      },
      {
        method: 'POST',
        path: /^\/v1\/list\/([^/]+)\/contact\/([^/]+)$/,
        handle(request) {
          const list = listOr404(request.params[0]!);
          const contact = contacts.get(request.params[1]!.toLowerCase());
          if (!list) return error(404, 'Not Found', 'List could not be found.');
          if (!contact) return error(404, 'Not Found', 'Contact could not be found.');
          addToList(list, contact);
          return json(200);
        },
      },
      {
        method: 'DELETE',
        path: /^\/v1\/list\/([^/]+)\/contact\/([^/]+)$/,
        handle(request) {
          const list = listOr404(request.params[0]!);
          const email = request.params[1]!.toLowerCase();
          if (!list || !list.members.has(email)) return error(404, 'Not Found', 'Contact is not on this list.');
          list.members.delete(email);
          contacts.get(email)?.lists.delete(list.list_id);
          return json(204);
        },
      },
      {
        method: 'GET',
        path: /^\/v1\/list\/([^/]+)\/contact\/([^/]+)$/,
        handle(request) {
          const list = listOr404(request.params[0]!);
          return list?.members.has(request.params[1]!.toLowerCase())
            ? json(200)
            : error(404, 'Not Found', 'Contact is not on this list.');
        },
      },
      {
        method: 'GET',
        path: /^\/v1\/list\/([^/]+)\/contacts(?:\/([^/]+))?$/,
        handle(request) {
          const list = listOr404(request.params[0]!);
          if (!list) return error(404, 'Not Found', 'List could not be found.');
          const all = [...list.members].sort();
          const start = request.params[1] ? Number(request.params[1]) : 0;
          const page = all.slice(start, start + PAGE_SIZE).map((email) => {
            const { contact_id, Email, FirstName, LastName } = contacts.get(email)!;
            return { contact_id, Email, FirstName, LastName };
          });
          const next = start + PAGE_SIZE < all.length ? String(start + PAGE_SIZE) : undefined;
          return json(200, { contacts: page, total_contacts: all.length, ...(next ? { bookmark: next } : {}) });
        },
      },
    ],
    snapshot: () => ({
      lists: [...lists.values()].map((list) => ({ id: list.list_id, name: list.title, members: list.members.size })),
      contacts: contacts.size,
    }),
    admin(request) {
      const match = /^\/__sim\/audiences\/(.+)$/.exec(request.path);
      if (request.method === 'GET' && match) {
        const audience = findAudience(decodeURIComponent(match[1]!));
        return audience ? json(200, audience) : json(404, { error: 'no such list' });
      }
      return undefined;
    },
    reset() {
      lists.clear();
      contacts.clear();
    },
  };

  const toAudience = (list: ContactList): SimAudience => ({ id: list.list_id, name: list.title, members: [...list.members] });
  const findAudience = (name: string) => {
    const list = [...lists.values()].find((candidate) => candidate.title === name);
    return list ? toAudience(list) : undefined;
  };

  const byName = (name: string) => [...lists.values()].find((candidate) => candidate.title === name);
  return {
    behaviour,
    audiences: () => [...lists.values()].map(toAudience),
    audience: findAudience,
    deleteAudience: (name: string) => {
      const list = byName(name);
      if (!list) return false;
      for (const email of list.members) contacts.get(email)?.lists.delete(list.list_id);
      return lists.delete(list.list_id);
    },
    addMembers: (name: string, emails: string[]) => {
      const list = byName(name);
      if (list) for (const email of emails) addToList(list, upsert({ Email: email }));
    },
    contact(email: string) {
      const contact = contacts.get(email.toLowerCase());
      if (!contact) return undefined;
      const { Email, FirstName, LastName } = contact;
      return { Email, FirstName, LastName, lists: [...contact.lists].map((id) => lists.get(id)?.title ?? id) };
    },
  };
}

export async function startAutopilotSimulator(options: { host?: string; port?: number; rateLimits?: boolean } = {}): Promise<AutopilotSimulator> {
  const sim = autopilotBehaviour();
  const server = new SimServer(sim.behaviour, { rateLimits: options.rateLimits });
  const url = await server.start(options.host, options.port);
  return {
    ...baseHandle('autopilot', server, `${url}/v1`),
    audiences: sim.audiences,
    audience: sim.audience,
    deleteAudience: sim.deleteAudience,
    addMembers: sim.addMembers,
    contact: sim.contact,
  };
}

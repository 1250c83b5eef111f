import { randomUUID } from 'node:crypto';
import { devCredentials } from '../credentials.js';
import { baseHandle, type SimAudience, type SimulatorHandle } from '../common/handle.js';
import { SimServer, asRecord, isPlausibleEmail, json, type ServiceBehaviour, type SimRequest, type SimResponse } from '../common/server.js';

/**
 * Business plans allow 600 requests per 10 s and 1,800 per 60 s. The simulator holds the
 * minute's rate (30 a second) in a bucket of two seconds' worth: far stricter than the bursts
 * Ortto's 10 s window lets through, and over a minute at most 1,860.
 */
export const orttoRateLimit = { requestsPerSecond: 30, burst: 60 };
export const orttoMaxPeoplePerRequest = 100;
export const orttoMaxPayloadBytes = 2 * 1024 * 1024;
const AUDIENCES_PAGE_MAX = 40;
const PEOPLE_PAGE_MAX = 500;

export interface OrttoPerson {
  id: string;
  email: string;
  first?: string;
  last?: string;
  /** As parsed from `phn::phone`: the digits with the country code. */
  phone?: string;
  tags: Set<string>;
}

/** An Ortto audience: a name and the filter an admin gave it (the simulator reads tag filters only). */
interface OrttoAudience {
  id: string;
  name: string;
  filter: Record<string, unknown>;
}

export interface OrttoSimulator extends SimulatorHandle {
  /** A person by email (case-insensitive), with the fields and tags it holds. */
  person(email: string): { email: string; first?: string; last?: string; phone?: string; tags: string[] } | undefined;
  /** What an admin does once in Ortto: an audience named `name` filtered on the tag (default: the same name). */
  createOrttoAudience(name: string, tag?: string): void;
  /** The Ortto audiences (as opposed to `audiences()`, the tags and their holders). */
  orttoAudiences(): { id: string; name: string; tag?: string }[];
  /** Merge requests by mode: the connector sends every one asynchronously. */
  mergeModes(): { async: number; sync: number };
}

/** Ortto's rate-limit body is the documented one; the other error bodies follow its shape (invented: Ortto documents none). */
const error = (status: number, code: string, message: string, extra: Record<string, unknown> = {}): SimResponse =>
  json(status, { error: { code, message, ...extra } });
const badRequest = (message: string) => error(400, 'bad-request', message);

/** The tag a filter names, for the one filter shape the simulator understands (`tagFilter` in the connector). */
function filteredTag(filter: unknown): string | undefined {
  const condition = asRecord(asRecord(filter)?.['$str::is']);
  return condition?.field_id === 'tags' && typeof condition.value === 'string' ? condition.value : undefined;
}

/**
 * Ortto's API (`/v1`): `X-Api-Key`, `person/merge` (1 to 100 people, 2 MB, merge by
 * `str::email`, `tags` and `unset_tags`, tags created on first use), `audiences/get`,
 * `tags/get` with each tag's count, `person/get` filtered on a tag, 429 with
 * `try-in-seconds` in the body (no `Retry-After`). Merges are applied before answering even
 * in asynchronous mode, so what a run sent is there when it ends.
 */
export function orttoBehaviour(apiKey: string = devCredentials.ortto.apiKey) {
  const people = new Map<string, OrttoPerson>();
  const tags = new Map<string, { id: number; name: string; created_at: string }>();
  const audiences = new Map<string, OrttoAudience>();
  const modes = { async: 0, sync: 0 };
  let tagSeq = 0;

  const holders = (tag: string) => [...people.values()].filter((person) => person.tags.has(tag)).sort((a, b) => a.email.localeCompare(b.email));
  const useTag = (name: string) => {
    if (!tags.has(name)) tags.set(name, { id: ++tagSeq, name, created_at: new Date().toISOString() });
  };

  /** A refusal naming the first thing wrong with one person, or undefined. */
  const invalidPerson = (item: unknown, index: number): string | undefined => {
    const person = asRecord(item);
    const fields = asRecord(person?.fields);
    if (!person || !fields) return `people[${index}].fields: an object of person fields is required`;
    if (!isPlausibleEmail(fields['str::email'])) return `people[${index}].fields.str::email: not a valid email address`;
    for (const name of ['str::first', 'str::last']) {
      if (fields[name] !== undefined && typeof fields[name] !== 'string') return `people[${index}].fields.${name}: must be a string`;
    }
    const phone = fields['phn::phone'];
    if (phone !== undefined) {
      const value = asRecord(phone);
      if (!value || typeof value.phone !== 'string' || !/^\+?[0-9]{6,15}$/.test(value.phone) || value.parse_with_country_code !== true) {
        return `people[${index}].fields.phn::phone: {"phone": "<digits with country code>", "parse_with_country_code": true}`;
      }
    }
    for (const list of ['tags', 'unset_tags']) {
      const value = person[list];
      if (value !== undefined && (!Array.isArray(value) || !value.every((tag) => typeof tag === 'string' && tag.trim() !== ''))) {
        return `people[${index}].${list}: an array of tag names`;
      }
    }
    return undefined;
  };

  const merge = (request: SimRequest): SimResponse => {
    const body = asRecord(request.body);
    const batch = body?.people;
    if (!Array.isArray(batch) || batch.length === 0) return badRequest('people: an array of 1 to 100 people is required');
    if (batch.length > orttoMaxPeoplePerRequest) return badRequest(`people: at most ${orttoMaxPeoplePerRequest} people a request, got ${batch.length}`);
    if (JSON.stringify(body).length > orttoMaxPayloadBytes) return error(413, 'payload-too-large', 'the payload is over 2 MB');
    if (body!.async !== undefined && typeof body!.async !== 'boolean') return badRequest('async: true or false');
    const mergeBy = body!.merge_by;
    if (!Array.isArray(mergeBy) || mergeBy.length !== 1 || mergeBy[0] !== 'str::email') {
      // Ortto merges by any unique field; the simulator keeps people by email only.
      return badRequest('merge_by: the simulator merges by ["str::email"] only');
    }
    // Validate everything first: a refused request changes nothing.
    for (const [index, item] of batch.entries()) {
      const refusal = invalidPerson(item, index);
      if (refusal) return badRequest(refusal);
    }
    if (body!.async === true) modes.async++;
    else modes.sync++;
    for (const item of batch) {
      const input = asRecord(item)!;
      const fields = asRecord(input.fields)!;
      const email = String(fields['str::email']);
      const key = email.toLowerCase();
      let person = people.get(key);
      if (!person) {
        person = { id: randomUUID().replaceAll('-', '').slice(0, 24), email, tags: new Set() };
        people.set(key, person);
      }
      if (typeof fields['str::first'] === 'string') person.first = fields['str::first'];
      if (typeof fields['str::last'] === 'string') person.last = fields['str::last'];
      const phone = asRecord(fields['phn::phone']);
      if (phone) person.phone = String(phone.phone).replace(/^\+/, '');
      for (const tag of (input.tags as string[] | undefined) ?? []) {
        useTag(tag);
        person.tags.add(tag);
      }
      for (const tag of (input.unset_tags as string[] | undefined) ?? []) person.tags.delete(tag);
    }
    return json(200, {});
  };

  const pageParams = (body: Record<string, unknown> | undefined, max: number, fallback: number): { limit: number; offset: number } | string => {
    const limit = body?.limit ?? fallback;
    const offset = body?.offset ?? 0;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > max) return `limit: a whole number from 1 to ${max}`;
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) return 'offset: a whole number from 0';
    return { limit, offset };
  };

  const behaviour: ServiceBehaviour = {
    name: 'ortto',
    rateLimit: orttoRateLimit,
    authenticate(request) {
      const key = request.headers['x-api-key'];
      if (key === undefined || key === '') return error(401, 'unauthorized', 'the X-Api-Key header is missing');
      if (key !== apiKey) return error(401, 'unauthorized', 'the API key is not valid');
      return undefined;
    },
    tooManyRequests: (retryAfterSeconds) => error(429, 'rate-limit', 'rate limit', { 'try-in-seconds': retryAfterSeconds ?? 60 }),
    badRequest,
    serverError: () => error(500, 'internal', 'internal server error'),
    notFound: (request) => error(404, 'not-found', `no route ${request.method} ${request.path}`),
    routes: [
      {
        method: 'POST',
        path: /^\/v1\/person\/merge$/,
        batchSize: (request) => {
          const batch = asRecord(request.body)?.people;
          return Array.isArray(batch) ? batch.length : undefined;
        },
        handle: merge,
      },
      {
        method: 'POST',
        path: /^\/v1\/audiences\/get$/,
        handle(request) {
          const body = asRecord(request.body);
          const page = pageParams(body, AUDIENCES_PAGE_MAX, AUDIENCES_PAGE_MAX);
          if (typeof page === 'string') return badRequest(page);
          const term = typeof body?.search_term === 'string' ? body.search_term.toLowerCase() : '';
          const found = [...audiences.values()].filter((audience) => audience.name.toLowerCase().includes(term));
          return json(
            200,
            found.slice(page.offset, page.offset + page.limit).map(({ id, name, filter }) => ({
              id,
              name,
              type: 'permanent',
              building: false,
              ready: true,
              ...(body?.with_filter === true ? { filter } : {}),
            })),
          );
        },
      },
      {
        method: 'POST',
        path: /^\/v1\/tags\/get$/,
        handle(request) {
          const q = asRecord(request.body)?.q;
          const term = typeof q === 'string' ? q.toLowerCase() : '';
          const found = [...tags.values()].filter((tag) => tag.name.toLowerCase().includes(term));
          return json(200, found.map((tag) => ({ ...tag, source: 'api', count: holders(tag.name).length })));
        },
      },
      {
        method: 'POST',
        path: /^\/v1\/person\/get$/,
        handle(request) {
          const body = asRecord(request.body);
          const page = pageParams(body, PEOPLE_PAGE_MAX, 50);
          if (typeof page === 'string') return badRequest(page);
          const tag = filteredTag(body?.filter);
          if (tag === undefined) return badRequest('filter: the simulator understands only {"$str::is": {"field_id": "tags", "value": "<tag>"}}');
          const all = holders(tag);
          const contacts = all.slice(page.offset, page.offset + page.limit).map((person) => ({
            id: person.id,
            fields: { 'str::email': person.email, ...(person.first ? { 'str::first': person.first } : {}), ...(person.last ? { 'str::last': person.last } : {}) },
          }));
          const next = page.offset + contacts.length;
          return json(200, { contacts, offset: page.offset, next_offset: next, has_more: next < all.length });
        },
      },
    ],
    snapshot: () => ({
      tags: [...tags.values()].map((tag) => ({ name: tag.name, count: holders(tag.name).length })),
      audiences: [...audiences.values()].map(({ id, name }) => ({ id, name })),
      people: people.size,
      merges: { ...modes },
    }),
    admin(request) {
      const match = /^\/__sim\/audiences\/(.+)$/.exec(request.path);
      if (request.method === 'GET' && match) {
        const name = decodeURIComponent(match[1]!);
        if (!tags.has(name)) return json(404, { error: 'no such tag' });
        return json(200, {
          id: name,
          name,
          members: holders(name).map((person) => ({
            email: person.email,
            ...(person.first ? { first: person.first } : {}),
            ...(person.last ? { last: person.last } : {}),
            ...(person.phone ? { phone: person.phone } : {}),
          })),
        });
      }
      if (request.method === 'POST' && request.path === '/__sim/ortto-audiences') {
        const body = asRecord(request.body);
        if (typeof body?.name !== 'string' || body.name === '') return json(400, { error: 'name: the audience name' });
        createAudience(body.name, typeof body.tag === 'string' ? body.tag : undefined);
        return json(204);
      }
      return undefined;
    },
    reset() {
      people.clear();
      tags.clear();
      audiences.clear();
      modes.async = 0;
      modes.sync = 0;
    },
  };

  const createAudience = (name: string, tag = name) => {
    const id = randomUUID().replaceAll('-', '').slice(0, 24);
    audiences.set(id, { id, name, filter: { $and: [{ '$str::is': { field_id: 'tags', value: tag } }] } });
  };
  const toAudience = (name: string): SimAudience => ({ id: name, name, members: holders(name).map((person) => person.email.toLowerCase()) });

  return {
    behaviour,
    // The app's audiences are tags: each with the people holding it.
    audiences: () => [...tags.keys()].map(toAudience),
    audience: (name: string) => (tags.has(name) ? toAudience(name) : undefined),
    deleteAudience: (name: string) => {
      for (const person of people.values()) person.tags.delete(name);
      return tags.delete(name);
    },
    addMembers: (name: string, emails: string[]) => {
      useTag(name);
      for (const email of emails) {
        const key = email.toLowerCase();
        const person = people.get(key) ?? { id: randomUUID().replaceAll('-', '').slice(0, 24), email, tags: new Set<string>() };
        people.set(key, person);
        person.tags.add(name);
      }
    },
    person(email: string) {
      const person = people.get(email.toLowerCase());
      if (!person) return undefined;
      const { tags: held, id: _id, ...fields } = person;
      return { ...fields, tags: [...held] };
    },
    createOrttoAudience: createAudience,
    orttoAudiences: () => [...audiences.values()].map(({ id, name, filter }) => ({ id, name, ...(filteredTag((filter.$and as unknown[])[0]) ? { tag: filteredTag((filter.$and as unknown[])[0]) } : {}) })),
    mergeModes: () => ({ ...modes }),
  };
}

export async function startOrttoSimulator(options: { host?: string; port?: number; rateLimits?: boolean } = {}): Promise<OrttoSimulator> {
  const sim = orttoBehaviour();
  const server = new SimServer(sim.behaviour, { rateLimits: options.rateLimits });
  const url = await server.start(options.host, options.port);
  return {
    ...baseHandle('ortto', server, `${url}/v1`),
    audiences: sim.audiences,
    audience: sim.audience,
    deleteAudience: sim.deleteAudience,
    addMembers: sim.addMembers,
    person: sim.person,
    createOrttoAudience: sim.createOrttoAudience,
    orttoAudiences: sim.orttoAudiences,
    mergeModes: sim.mergeModes,
  };
}

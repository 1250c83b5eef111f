import { HttpRequest, InvocationContext, input } from '@azure/functions';
import { RestError } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadFunctionApp } from '../../dev/host/registry.js';
import { ConflictError } from '../../shared/errors.js';
import { encodeClientPrincipal } from '../../shared/api/principal.js';
import { resetServices } from '../../shared/services.js';
import { defineRoute, httpHandler, registerRoutes, registeredRoutes } from './route.js';

// Nothing here touches storage: the services are built (lazily connecting) but never used.
beforeAll(() => {
  process.env.AzureWebJobsStorage = 'UseDevelopmentStorage=true';
  resetServices();
});
afterAll(() => resetServices());

function invoke(handler: ReturnType<typeof httpHandler>, init: { method?: string; url?: string; body?: string; headers?: Record<string, string>; params?: Record<string, string> } = {}) {
  const logs: string[] = [];
  const context = new InvocationContext({ functionName: 'test', invocationId: 'i1', logHandler: (_level, ...args) => logs.push(args.join(' ')) });
  const request = new HttpRequest({
    method: init.method ?? 'POST',
    url: init.url ?? 'http://localhost/api/things/t1',
    headers: {
      'x-ms-client-principal': encodeClientPrincipal({ userId: 'u1', userRoles: ['admin'] }),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    params: init.params ?? { id: 't1' },
    ...(init.body !== undefined ? { body: { string: init.body } } : {}),
  });
  return handler(request, context).then((response) => ({ response, logs, json: () => JSON.parse(String(response.body)) }));
}

describe('the HTTP adapter', () => {
  const route = defineRoute({
    name: 'createThing',
    method: 'POST',
    path: 'things/{id}',
    tag: 'things',
    roles: ['admin'],
    summary: 'test route',
    params: z.object({ id: z.string().max(5) }),
    query: z.object({ mode: z.enum(['a', 'b']).default('a') }),
    body: z.object({ name: z.string().max(10) }).strict(),
    ifMatch: true,
    responses: { 201: { description: 'created' } },
    handle: async ({ params, query, body, principal, ifMatch, context }) => {
      if (body.name === 'boom') throw new Error('storage said: AccountKey=c2VjcmV0 refused');
      if (body.name === 'taken') throw new ConflictError('taken', { holder: 'x' });
      return { status: 201, body: { id: params.id, mode: query.mode, name: body.name, by: principal.userId, ifMatch: ifMatch ?? null, invocation: context.invocationId }, etag: '"e1"', location: `/api/things/${params.id}` };
    },
  });
  const handler = httpHandler(route);

  it('hands parsed input, the principal and the context to the handler and maps the reply', async () => {
    const { response, json } = await invoke(handler, { url: 'http://localhost/api/things/t1?mode=b&mode=a', body: '{"name":"n"}', headers: { 'if-match': '"e0"' } });
    expect(response.status).toBe(201);
    expect(response.headers).toMatchObject({ etag: '"e1"', location: '/api/things/t1', 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    expect(json()).toEqual({ id: 't1', mode: 'b', name: 'n', by: 'u1', ifMatch: ['"e0"'], invocation: 'i1' });
  });

  it('maps AppErrors to their problem with extensions', async () => {
    const { response, json } = await invoke(handler, { body: '{"name":"taken"}' });
    expect(response.status).toBe(409);
    expect(response.headers).toMatchObject({ 'content-type': 'application/problem+json' });
    expect(json()).toMatchObject({ status: 409, holder: 'x', instance: '/api/things/t1' });
  });

  it('names the failing parameter, query value or body field', async () => {
    expect((await invoke(handler, { params: { id: 'toolong' }, body: '{"name":"n"}' })).json().errors[0].field).toBe('id');
    expect((await invoke(handler, { url: 'http://localhost/api/things/t1?mode=c', body: '{"name":"n"}' })).json().errors[0].field).toBe('mode');
    expect((await invoke(handler, { body: '{"name":"n","x":1}' })).json().errors[0].field).toBe('x');
    const malformed = await invoke(handler, { body: '{"name": "secret-value' });
    expect(malformed.response.status).toBe(400);
    expect(malformed.json().errors[0]).toEqual({ field: '(body)', message: expect.stringMatching(/^malformed JSON/) });
    expect(String(malformed.response.body)).not.toContain('secret-value');
  });

  it('turns an unexpected error into a 500 that reveals nothing, logged without secrets', async () => {
    const { response, json, logs } = await invoke(handler, { body: '{"name":"boom"}' });
    expect(response.status).toBe(500);
    expect(JSON.stringify(json())).not.toMatch(/AccountKey|storage said/);
    const logged = logs.join('\n');
    expect(logged).toContain('createThing failed: Error: storage said: AccountKey=*** refused');
    expect(logged).not.toContain('c2VjcmV0');
  });

  it('answers 503 with a problem and Retry-After when storage is down or the handler runs past its deadline', async () => {
    const base = { name: 'slowThing', method: 'GET', path: 'slow', tag: 'things', roles: ['admin'], summary: 'test route', responses: { 200: { description: 'ok' } } } as const;
    const busy = httpHandler(
      defineRoute({ ...base, handle: async () => Promise.reject(new RestError('The server is busy.', { statusCode: 503, code: 'ServerBusy' })) }),
    );
    const refused = await invoke(busy, { method: 'GET' });
    expect(refused.response.status).toBe(503);
    expect(refused.response.headers).toMatchObject({ 'content-type': 'application/problem+json', 'retry-after': '10' });
    expect(refused.json()).toMatchObject({ status: 503, title: 'Service unavailable' });

    const hanging = httpHandler(defineRoute({ ...base, deadlineMs: 200, handle: () => new Promise<never>(() => undefined) }));
    const started = Date.now();
    const late = await invoke(hanging, { method: 'GET' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(late.response.status).toBe(503);
    expect(late.json().detail).toMatch(/did not finish within 0.2 s/);
  });

  it('answers 401 without a principal and 403 without the role, before reading the body', async () => {
    const anonymous = await invoke(handler, { body: 'not json', headers: { 'x-ms-client-principal': '' } });
    expect(anonymous.response.status).toBe(401);
    const contributor = await invoke(handler, { body: 'not json', headers: { 'x-ms-client-principal': encodeClientPrincipal({ userId: 'u2', userRoles: ['contributor'] }) } });
    expect(contributor.response.status).toBe(403);
  });

  it('registers routes with their method, route and extra inputs, and lists them for the OpenAPI document', async () => {
    const durableLike = input.generic({ type: 'durableClient', name: 'starter' });
    const registry = await loadFunctionApp(async () => {
      registerRoutes([
        defineRoute({
          name: 'runThing',
          method: 'POST',
          path: 'things/{id}/run',
          tag: 'things',
          roles: ['admin', 'contributor'],
          summary: 'needs a durable client',
          extraInputs: [durableLike],
          responses: { 202: { description: 'accepted' } },
          handle: async ({ context }) => ({ status: 202, body: { client: context.extraInputs.get(durableLike) } }),
        }),
      ]);
    });
    const fn = registry.get('runThing');
    expect(fn.trigger).toMatchObject({ type: 'httpTrigger', route: 'things/{id}/run', methods: ['POST'], authLevel: 'anonymous' });
    expect(Object.values(fn.metadata.bindings)).toContainEqual(expect.objectContaining({ type: 'durableClient', direction: 'in' }));
    expect(registeredRoutes().map((r) => r.name)).toContain('runThing');
  });
});

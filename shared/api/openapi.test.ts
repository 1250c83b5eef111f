import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildOpenApiDocument } from './openapi.js';
import type { RouteDoc } from './route-doc.js';

const thing = z.object({ id: z.string(), name: z.string().max(10) });
const routes: RouteDoc[] = [
  {
    name: 'getThing',
    method: 'GET',
    path: 'things/{id}',
    summary: 'Read a thing',
    tag: 'things',
    roles: ['admin'],
    params: z.object({ id: z.string().describe('Thing id.') }),
    responses: { 200: { description: 'The thing', schema: thing, headers: ['ETag'] } },
  },
  {
    name: 'patchThing',
    method: 'PATCH',
    path: 'things/{id}',
    summary: 'Change a thing',
    tag: 'things',
    roles: ['admin', 'contributor'],
    params: z.object({ id: z.string() }),
    query: z.object({ dryRun: z.enum(['true', 'false']).default('false') }),
    body: z.object({ name: z.string().max(10).optional() }).strict(),
    ifMatch: true,
    responses: { 200: { description: 'Changed', schema: thing } },
  },
  { name: 'openapi', method: 'GET', path: 'openapi.json', summary: 'This document', tag: 'meta', roles: 'public', responses: { 200: { description: 'OpenAPI' } } },
];

describe('buildOpenApiDocument', () => {
  const doc = buildOpenApiDocument(routes, { title: 't', version: '1' }) as any;

  it('puts every route under its path and method', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/openapi.json', '/things/{id}']);
    expect(Object.keys(doc.paths['/things/{id}']).sort()).toEqual(['get', 'patch']);
  });

  it('describes parameters, body and responses from the zod schemas', () => {
    const patch = doc.paths['/things/{id}'].patch;
    expect(patch.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'dryRun', in: 'query', required: false, schema: { type: 'string', enum: ['true', 'false'], default: 'false' } },
      expect.objectContaining({ name: 'If-Match', in: 'header' }),
    ]);
    expect(patch.requestBody.content['application/json'].schema).toEqual({
      type: 'object',
      properties: { name: { type: 'string', maxLength: 10 } },
      additionalProperties: false,
    });
    expect(Object.keys(patch.responses).sort()).toEqual(['200', '400', '401', '403', '404', '412', '413', '415', '500', '503']);
    expect(patch['x-roles']).toEqual(['admin', 'contributor']);
    const get = doc.paths['/things/{id}'].get;
    expect(get.parameters[0].description).toBe('Thing id.');
    expect(get.responses['200'].headers).toEqual({ ETag: { schema: { type: 'string' } } });
    expect(get.responses['200'].content['application/json'].schema.required).toEqual(['id', 'name']);
  });

  it('marks public routes as needing no principal', () => {
    const open = doc.paths['/openapi.json'].get;
    expect(open.security).toEqual([]);
    expect(open.responses['401']).toBeUndefined();
  });

  it('gives every error response problem+json content, also those a route lists itself', () => {
    const withConflict = buildOpenApiDocument(
      [{ ...routes[0]!, name: 'runThing', method: 'POST', path: 'things/{id}/run', responses: { 202: { description: 'Started' }, 409: { description: 'Already running' } } }],
      { title: 't', version: '1' },
    ) as any;
    const run = withConflict.paths['/things/{id}/run'].post;
    for (const [status, response] of Object.entries(run.responses) as [string, any][]) {
      if (Number(status) >= 400) expect(response.content, status).toEqual({ 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } });
    }
    // A body-less POST still needs JSON or X-Requested-With: 415 otherwise.
    expect(run.responses['415']).toBeDefined();
    expect(run.parameters).toContainEqual(expect.objectContaining({ name: 'X-Requested-With', in: 'header', required: false }));
  });

  it('states minProperties of a body that needs at least one field', () => {
    const patchBody = z
      .object({ name: z.string().optional() })
      .strict()
      .refine((b) => Object.keys(b).length > 0, 'give at least one field');
    const built = buildOpenApiDocument([{ ...routes[1]!, body: patchBody, minProperties: 1 }], { title: 't', version: '1' }) as any;
    expect(built.paths['/things/{id}'].patch.requestBody.content['application/json'].schema.minProperties).toBe(1);
  });
});

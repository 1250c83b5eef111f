import { z } from 'zod';
import { CLIENT_PRINCIPAL_HEADER } from './principal.js';
import { problemSchema } from './problem.js';
import type { RouteDoc } from './route-doc.js';

type JsonSchema = Record<string, unknown>;

/** JSON Schema (2020-12, which OpenAPI 3.1 uses) of a zod schema, without the `$schema` marker. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
}

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

function parameters(schema: z.ZodObject | undefined, location: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: location,
      required: location === 'path' || (object.required ?? []).includes(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

/** Body-less POSTs: the CSRF defence the adapter asks for (functions/http/route.ts). */
const needsCsrfDefence = (route: RouteDoc) => route.method === 'POST' && (!route.body || route.bodyOptional === true);

function errorResponses(route: RouteDoc): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  if (route.params || route.query || route.body) responses['400'] = problemResponse('Invalid request: `errors` names each field at fault.');
  if (route.roles !== 'public') {
    responses['401'] = problemResponse(`No principal (${CLIENT_PRINCIPAL_HEADER} missing, malformed or with fields over 256 characters).`);
    responses['403'] = problemResponse(`The caller lacks the role (${route.roles.join(' or ')}).`);
  }
  if (route.params) responses['404'] = problemResponse('Not found, or on a connection not open to the caller.');
  if (route.ifMatch) responses['412'] = problemResponse('If-Match names an ETag that is no longer current: read again and retry.');
  if (route.body) responses['413'] = problemResponse('The body is over 1 MB.');
  if (route.body) responses['415'] = problemResponse('The body is not `application/json`.');
  if (needsCsrfDefence(route)) responses['415'] = problemResponse('Neither `Content-Type: application/json` nor an `X-Requested-With` header (the CSRF defence).');
  responses['500'] = problemResponse('Unexpected failure (logged; the body reveals nothing).');
  responses['503'] = problemResponse('Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds.');
  return responses;
}

function bodySchema(route: RouteDoc): JsonSchema {
  const schema = jsonSchema(route.body!, 'input');
  return route.minProperties ? { ...schema, minProperties: route.minProperties } : schema;
}

function operation(route: RouteDoc): JsonSchema {
  const success = Object.fromEntries(
    Object.entries(route.responses).map(([status, response]) => [
      status,
      {
        description: response.description,
        ...(response.headers?.length
          ? { headers: Object.fromEntries(response.headers.map((h) => [h, { schema: { type: 'string' } }])) }
          : {}),
        ...(response.schema
          ? { content: { [response.contentType ?? 'application/json']: { schema: jsonSchema(response.schema, 'output') } } }
          : Number(status) >= 400
            ? { content: problemResponse(response.description).content }
            : {}),
      },
    ]),
  );
  const ifMatch = route.ifMatch
    ? [{ name: 'If-Match', in: 'header', required: false, description: 'ETag from a previous read; the change is refused with 412 when it is stale.', schema: { type: 'string' } }]
    : [];
  const csrf = needsCsrfDefence(route)
    ? [{ name: 'X-Requested-With', in: 'header', required: false, description: 'Any value; or send `Content-Type: application/json`. Either is required (CSRF defence).', schema: { type: 'string' } }]
    : [];
  return {
    operationId: route.name,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    'x-roles': route.roles === 'public' ? [] : [...route.roles],
    security: route.roles === 'public' ? [] : [{ clientPrincipal: [] }],
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query'), ...ifMatch, ...csrf],
    ...(route.body ? { requestBody: { required: route.bodyOptional !== true, content: { 'application/json': { schema: bodySchema(route) } } } } : {}),
    responses: { ...success, ...errorResponses(route) },
  };
}

/** The OpenAPI 3.1 document of the given routes, generated from their zod schemas. */
export function buildOpenApiDocument(routes: readonly RouteDoc[], info: { title: string; version: string; description?: string }): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of [...routes].sort((a, b) => a.path.localeCompare(b.path))) {
    const key = `/${route.path.replace(/^\/+/, '')}`;
    paths[key] ??= {};
    paths[key][route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/api' }],
    security: [{ clientPrincipal: [] }],
    paths,
    components: {
      securitySchemes: {
        clientPrincipal: {
          type: 'apiKey',
          in: 'header',
          name: CLIENT_PRINCIPAL_HEADER,
          description:
            'Set by App Service authentication in front of the app: base64 JSON with userId, userDetails and userRoles (or claims). Roles: admin, contributor.',
        },
      },
      schemas: { Problem: jsonSchema(problemSchema, 'output') },
    },
  };
}

import type { z } from 'zod';
import type { Role } from '../domain/principal.js';

export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteResponseDoc {
  description: string;
  schema?: z.ZodType;
  /** Media type of the body; default `application/json`. */
  contentType?: string;
  /** Response headers the route sets (e.g. `ETag`, `Location`). */
  headers?: string[];
}

/**
 * What a route is, as data: enough to register it (functions/http/route.ts) and to
 * describe it in the OpenAPI document, so the two cannot drift apart.
 */
export interface RouteDoc {
  /** Function name, also the OpenAPI operationId. */
  name: string;
  method: RouteMethod;
  /** Below /api, with `{param}` placeholders: `connections/{id}`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** Roles allowed to call; `public` needs no principal. */
  roles: readonly Role[] | 'public';
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The body may be left out (it then parses as `{}`). */
  bodyOptional?: boolean;
  /** The body must name at least this many fields (PATCH); a refinement JSON Schema cannot carry. */
  minProperties?: number;
  /** The route honours If-Match (412 when stale). */
  ifMatch?: boolean;
  /** Success responses by status. Error responses are derived from the rest of the definition. */
  responses: Record<number, RouteResponseDoc>;
}

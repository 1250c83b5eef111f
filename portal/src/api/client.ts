import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema.js';
import type { FieldError, Problem } from './types.js';

/** A failed API call: the problem details the API answered with (RFC 9457). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }

  /** The message of the first error naming `field` (or a field below it), for showing beside that field. */
  fieldMessage(field: string): string | undefined {
    return fieldMessage(this.problem.errors, field);
  }
}

export function fieldMessage(errors: readonly FieldError[] | undefined, field: string): string | undefined {
  return errors?.find((e) => e.field === field || e.field.startsWith(`${field}.`))?.message;
}

/**
 * In development the app trusts the principal header from the browser (there is no App
 * Service authentication in front of the local host), which is how the portal's switch
 * acts as an admin or a contributor. In Azure the header is set by the platform and this
 * stays undefined.
 */
let principalHeader: string | undefined;
export function setDevelopmentPrincipal(principal: { userId: string; userDetails: string; userRoles: string[] } | undefined): void {
  principalHeader = principal ? btoa(JSON.stringify(principal)) : undefined;
}
export function developmentPrincipalHeader(): string | undefined {
  return principalHeader;
}

const principalMiddleware: Middleware = {
  onRequest({ request }) {
    if (principalHeader) request.headers.set('x-ms-client-principal', principalHeader);
    // The API's CSRF defence: state-changing calls say they are the app's own (a
    // cross-site form cannot set this header), including the body-less ones (run, test).
    if (request.method !== 'GET') request.headers.set('x-requested-with', 'segment-export-portal');
    return request;
  },
};

/** The API is `/api` on the origin that serves the portal (functions/http/portal.ts). */
export const api = createClient<paths>({
  baseUrl: `${globalThis.location?.origin ?? 'http://localhost'}/api`,
  // Looked up per call rather than captured once, so component tests can stand in for the API.
  fetch: (request) => globalThis.fetch(request),
});
api.use(principalMiddleware);

/** The data of a call, or an ApiError carrying the problem details. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const problem = (typeof error === 'object' && error !== null ? error : { type: 'about:blank', title: response.statusText, status: response.status }) as Problem;
    throw new ApiError(response.status, problem);
  }
  return data as T;
}

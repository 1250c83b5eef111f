import { z } from 'zod';
import { AppError, type FieldIssue } from '../errors.js';
import { isStorageUnavailable } from '../storage/request-timeout.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details, with `errors` naming each field at fault. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z
      .array(z.object({ field: z.string().describe('Dotted path of the field, e.g. `dataMatching.email`.'), message: z.string() }))
      .optional(),
  })
  .catchall(z.unknown())
  .meta({ description: 'RFC 9457 problem details.' });
export type ProblemDetails = z.infer<typeof problemSchema>;

/** Dotted path of a zod issue; `unrecognized_keys` names each unknown key itself. */
export function issuesFromZod(error: z.ZodError, prefix: readonly (string | number)[] = []): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [...path, key].join('.'), message: 'unknown field' }));
    }
    return [{ field: path.join('.') || '(body)', message: issue.message }];
  });
}

function describeIssues(issues: FieldIssue[]): string {
  return issues.map((i) => `${i.field}: ${i.message}`).join('; ');
}

/**
 * The problem for any error. AppErrors carry their own status, message and fields;
 * validation errors from zod become 400 with the fields; storage that is down, throttling
 * or too slow (after the SDK's retries) is a 503, since the same request may succeed in a
 * moment; anything else is a 500 that reveals nothing of the failure (it is logged instead).
 */
export function toProblem(error: unknown, instance?: string): ProblemDetails {
  const base = { type: 'about:blank', ...(instance ? { instance } : {}) };
  if (error instanceof AppError) {
    return {
      ...error.extensions,
      ...base,
      title: error.title,
      status: error.status,
      detail: error.message,
      ...(error.issues.length ? { errors: error.issues } : {}),
    };
  }
  if (error instanceof z.ZodError) {
    const errors = issuesFromZod(error);
    return { ...base, title: 'Invalid request', status: 400, detail: describeIssues(errors), errors };
  }
  if (isStorageUnavailable(error)) {
    return { ...base, title: 'Service unavailable', status: 503, detail: 'Storage is not answering right now; try again in a few seconds.' };
  }
  return { ...base, title: 'Internal Server Error', status: 500, detail: 'The request failed unexpectedly; it has been logged.' };
}

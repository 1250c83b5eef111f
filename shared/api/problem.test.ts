import { RestError } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { issuesFromZod, toProblem } from './problem.js';

describe('toProblem', () => {
  it('maps an AppError with its status, fields and extensions', () => {
    expect(toProblem(ValidationError.field('dataMatching.email', 'required'), '/api/exports')).toEqual({
      type: 'about:blank',
      title: 'Invalid request',
      status: 400,
      detail: 'dataMatching.email: required',
      instance: '/api/exports',
      errors: [{ field: 'dataMatching.email', message: 'required' }],
    });
    expect(toProblem(new ConflictError('in use', { exports: ['e1'] }))).toMatchObject({ status: 409, exports: ['e1'] });
    expect(toProblem(new NotFoundError('export', 'x'))).toMatchObject({ status: 404, title: 'Not found' });
  });

  it('maps zod errors to 400 naming every field, unknown keys included', () => {
    const schema = z.object({ name: z.string().max(3), nested: z.object({ a: z.number() }).strict() }).strict();
    const result = schema.safeParse({ name: 'toolong', nested: { a: 'x', b: 1 }, extra: true });
    expect(result.success).toBe(false);
    const problem = toProblem(result.error);
    expect(problem.status).toBe(400);
    expect(problem.errors?.map((e) => e.field).sort()).toEqual(['extra', 'name', 'nested.a', 'nested.b']);
    expect(issuesFromZod(result.error!, ['body']).map((e) => e.field)).toContain('body.nested.a');
  });

  it('maps storage that is down or throttling, after the SDK retries, to 503', () => {
    expect(toProblem(new RestError('The server is busy.', { statusCode: 503, code: 'ServerBusy' }))).toMatchObject({ status: 503, title: 'Service unavailable' });
    expect(toProblem(new RestError('no answer within 10000 ms', { code: 'ETIMEDOUT' }))).toMatchObject({ status: 503 });
    expect(toProblem(new RestError('gone', { statusCode: 404, code: 'ResourceNotFound' }))).toMatchObject({ status: 500 });
  });

  it('reveals nothing of an unexpected error', () => {
    const problem = toProblem(new Error('connection string AccountKey=abc leaked'));
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toContain('AccountKey');
  });
});

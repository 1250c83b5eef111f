/**
 * Domain errors. The HTTP layer maps each to an RFC 9457 problem (status, title, the field
 * at fault); the pipeline records them as a run or segment reason.
 */
export interface FieldIssue {
  /** JSON pointer-ish path of the field at fault, e.g. `dataMatching.email`. */
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
    readonly issues: FieldIssue[] = [],
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, issues: FieldIssue[]) {
    super(400, 'Invalid request', message, issues);
  }
  static field(field: string, message: string): ValidationError {
    return new ValidationError(`${field}: ${message}`, [{ field, message }]);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Sign-in required: no client principal on the request') {
    super(401, 'Unauthorized', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super(403, 'Forbidden', message);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string) {
    super(404, 'Not found', `${what} ${id} does not exist`);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, extensions: Record<string, unknown> = {}, issues: FieldIssue[] = []) {
    super(409, 'Conflict', message, issues, extensions);
  }
}

/** The caller's If-Match ETag is stale: someone changed the entity since they read it. */
export class PreconditionFailedError extends AppError {
  constructor(what: string, id: string) {
    super(412, 'Precondition failed', `${what} ${id} was changed by someone else; read it again and retry`);
  }
}

/** A dependency (storage) is down, throttling or too slow: the request was fine and can be sent again later. */
export class ServiceUnavailableError extends AppError {
  constructor(message: string, readonly retryAfterSeconds = 10) {
    super(503, 'Service unavailable', message);
  }
}

import { field, type FailureReading } from '../common/http.js';

/**
 * google.rpc errors, `{ error: { code, message, status, details } }`, read into our codes:
 * RESOURCE_EXHAUSTED waits (RetryInfo's `retryDelay` when given), PERMISSION_DENIED is the
 * account or the terms, INVALID_ARGUMENT about the members is a record problem (found by
 * bisecting, since one bad member fails the request) and about anything else is the
 * request's own fault, never bisected: it would cost two requests a member for nothing.
 */
export function readGoogleFailure(_status: number, body: unknown): FailureReading {
  const error = record(field(body, 'error'));
  if (!error) return { message: typeof body === 'string' ? body.slice(0, 200) : JSON.stringify(body ?? '').slice(0, 200) };
  const status = typeof error.status === 'string' ? error.status : '';
  const details = Array.isArray(error.details) ? error.details.map(record).filter((detail) => detail !== undefined) : [];
  const violations = details.flatMap((detail) => (Array.isArray(detail.fieldViolations) ? detail.fieldViolations.map(record) : []))
    .filter((violation) => violation !== undefined)
    .map((violation) => ({ field: String(violation.field ?? ''), description: String(violation.description ?? '') }));
  const reasons = details.map((detail) => (typeof detail.reason === 'string' ? detail.reason : '')).filter(Boolean);
  const message = [
    `${status} ${typeof error.message === 'string' ? error.message : ''}`.trim(),
    ...violations.map((violation) => `${violation.field}: ${violation.description}`),
    ...reasons,
  ].join('; ');

  if (status === 'RESOURCE_EXHAUSTED') {
    const delay = details.map((detail) => detail.retryDelay).find((value) => typeof value === 'string');
    const retryAfterMs = typeof delay === 'string' ? durationMs(delay) : undefined;
    return { message, code: 'rate-limited', ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  if (status === 'PERMISSION_DENIED') {
    const terms = [...reasons, String(error.message ?? '')].some((text) => /terms/i.test(text));
    return { message, code: terms ? 'terms-not-accepted' : 'auth-failed' };
  }
  if (status === 'INVALID_ARGUMENT') {
    const aboutMembers = violations.length === 0 || violations.some((violation) => violation.field.startsWith('audienceMembers'));
    return { message, code: aboutMembers ? 'invalid-request' : 'destination-error' };
  }
  return { message };
}

/** A protobuf Duration in JSON (`"1.5s"`) in milliseconds. */
export function durationMs(text: string): number | undefined {
  const match = /^([0-9]+(?:\.[0-9]+)?)s$/.exec(text.trim());
  return match ? Math.ceil(Number(match[1]) * 1000) : undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

import { field, type FailureReading } from '../common/http.js';

/**
 * LinkedIn's error bodies, `{ status, serviceErrorCode, code, message }`, read into our codes.
 * A 429 is throttling by its status; one naming a DAY limit (the daily quota) cannot pass
 * before the quota resets at midnight UTC, so it asks for that wait: longer than a call
 * sleeps, the orchestration waits it in a durable timer instead of burning attempts.
 */
export function readLinkedinFailure(status: number, body: unknown, _headers?: Headers, now: number = Date.now()): FailureReading {
  const message = messageOf(body);
  if (status === 429 && /\bDAY\b/.test(message)) return { message, code: 'rate-limited', retryAfterMs: untilNextUtcMidnight(now) };
  if (status === 403) return { message, code: 'auth-failed' };
  return { message };
}

/** What a failure body says, in one line: `code: message`, or the text as it came. */
export function messageOf(body: unknown): string {
  const code = field(body, 'code');
  const text = field(body, 'message');
  if (typeof text === 'string' && text !== '') return typeof code === 'string' && code !== '' ? `${code}: ${text}` : text;
  return typeof body === 'string' ? body.slice(0, 200) : JSON.stringify(body ?? '').slice(0, 200);
}

function untilNextUtcMidnight(now: number): number {
  const next = new Date(now);
  next.setUTCHours(24, 0, 0, 0);
  return next.getTime() - now;
}

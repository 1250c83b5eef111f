import { field, type FailureReading } from '../common/http.js';

/** The Graph API's error codes the connector acts on. */
export const metaErrorCodes = {
  /** The app's call limit. */
  appLimit: 4,
  /** User request limit reached. */
  userLimit: 17,
  /** Ad-account call limit. */
  adAccountCallLimit: 613,
  /** Ad-account (business use case) limit. */
  adAccountLimit: 80004,
  /** The access token is invalid, expired or revoked. */
  token: 190,
  invalidParameter: 100,
} as const;

/** With code 100: the audience is flagged (its `operation_status` is 471) and takes no changes until someone at the business looks at it. */
export const flaggedAudienceSubcode = 1713230;

const throttlingCodes = new Set<number>([metaErrorCodes.appLimit, metaErrorCodes.userLimit, metaErrorCodes.adAccountCallLimit, metaErrorCodes.adAccountLimit]);

/**
 * Meta sends no `Retry-After`: a throttled call waits at least this long before the next
 * attempt (the backoff grows from there), so six attempts span about a minute before the
 * run is told to wait longer.
 */
export const throttleWaitMs = 1_000;

/**
 * Reads `{ error: { message, type, code, error_subcode, fbtrace_id } }` and the
 * `X-Business-Use-Case-Usage` header. Throttling (17, 613, 4, 80004, or any usage at 100 %)
 * is `rate-limited`; 190 `auth-failed`; the Custom Audience terms not accepted
 * `terms-not-accepted`; a flagged audience or one too small to remove from is a
 * `destination-error` whose message says so (not retried: it needs a person).
 */
export function readMetaFailure(status: number, body: unknown, headers?: Headers): FailureReading {
  const error = field(body, 'error');
  const code = numberOr(field(error, 'code'));
  const subcode = numberOr(field(error, 'error_subcode'));
  const text = String(field(error, 'message') ?? (typeof body === 'string' ? body.slice(0, 200) : `HTTP ${status}`));
  const message = code === undefined ? text : `${text} (code ${code}${subcode === undefined ? '' : `, subcode ${subcode}`})`;
  const usage = businessUseCaseUsage(headers?.get('x-business-use-case-usage'));

  if ((code !== undefined && throttlingCodes.has(code)) || (status >= 400 && usage.exhausted)) {
    return { message, code: 'rate-limited', retryAfterMs: Math.max(throttleWaitMs, usage.regainAccessMs ?? 0) };
  }
  if (code === metaErrorCodes.token) return { message, code: 'auth-failed' };
  if (/terms/i.test(text) && /custom audience/i.test(text)) return { message, code: 'terms-not-accepted' };
  if (code === metaErrorCodes.invalidParameter && subcode === flaggedAudienceSubcode) {
    return { message: `the audience is flagged by Meta (operation_status 471) and takes no changes until it is reviewed in Ads Manager: ${message}`, code: 'destination-error' };
  }
  if (/audience size too low/i.test(text)) {
    return { message: `Meta refuses removals while the audience is this small (Audience size too low): ${message}`, code: 'destination-error' };
  }
  return { message };
}

/**
 * `X-Business-Use-Case-Usage`: JSON keyed by business id, each a list of usages with
 * percentages (`call_count`, `total_cputime`, `total_time`) and, when throttled,
 * `estimated_time_to_regain_access` in minutes. Unreadable: no signal.
 */
export function businessUseCaseUsage(header: string | null | undefined): { exhausted: boolean; regainAccessMs?: number } {
  if (!header) return { exhausted: false };
  let parsed: unknown;
  try {
    parsed = JSON.parse(header);
  } catch {
    return { exhausted: false };
  }
  let exhausted = false;
  let regainMinutes = 0;
  const usages = parsed !== null && typeof parsed === 'object' ? Object.values(parsed as Record<string, unknown>).flat() : [];
  for (const usage of usages) {
    for (const name of ['call_count', 'total_cputime', 'total_time']) if ((numberOr(field(usage, name)) ?? 0) >= 100) exhausted = true;
    regainMinutes = Math.max(regainMinutes, numberOr(field(usage, 'estimated_time_to_regain_access')) ?? 0);
  }
  return regainMinutes > 0 ? { exhausted: true, regainAccessMs: regainMinutes * 60_000 } : { exhausted };
}

function numberOr(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

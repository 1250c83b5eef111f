import { z } from 'zod';
import type { AudienceDescription, AudienceState } from '../types.js';

/** The fields `describeAudience` asks Meta for. */
export const audienceStateFields = 'approximate_count_lower_bound,approximate_count_upper_bound,operation_status,delivery_status';

const status = z.object({ code: z.number(), description: z.string().optional() }).passthrough();
const audienceState = z
  .object({
    approximate_count_lower_bound: z.number().optional(),
    approximate_count_upper_bound: z.number().optional(),
    operation_status: status.optional(),
    delivery_status: status.optional(),
  })
  .passthrough();

/** `operation_status` 200: the audience is up to date. */
const NORMAL = 200;
/** The audience is flagged and takes no changes until reviewed. */
const FLAGGED = 471;
/** Meta is still matching the last upload ("finding people who are part of this audience"). */
const MATCHING = 441;
/** `delivery_status` 300: too small to deliver ads to. */
const TOO_SMALL = 300;

/**
 * What Meta reports about a custom audience, in its own terms: the approximate count's lower
 * and upper bounds (people matched, rounded; -1 while it withholds them), `operation_status`
 * (the state of the last change) and `delivery_status` (whether ads can reach it).
 *
 * The size compared with the ledger is the lower bound: the count is of matched people, so
 * it may fall short of what was sent, and only a lower bound above what the app tracks
 * surely means members the app did not send (the upper bound is above the audience by
 * design). Codes other than 200, 441 and 471 are read by their range, Meta's reference lists
 * them without a contract: below 400 still processing, 400 and up failed.
 */
export function describeCustomAudience(body: unknown): AudienceDescription {
  const read = audienceState.parse(body);
  const bound = (value: number | undefined) => (value === undefined || value < 0 ? null : value);
  const lower = bound(read.approximate_count_lower_bound);
  const upper = bound(read.approximate_count_upper_bound);
  const operation = read.operation_status;
  const delivery = read.delivery_status;
  let state: AudienceState = 'not-reported';
  if (operation) {
    if (operation.code === NORMAL) state = delivery?.code === TOO_SMALL ? 'too-small-to-serve' : 'ready';
    else if (operation.code === FLAGGED || (operation.code >= 400 && operation.code !== MATCHING)) state = 'failed';
    else state = 'processing';
  }
  const detail = [operation && operation.code !== NORMAL ? `operation_status ${operation.code}${operation.description ? `: ${operation.description}` : ''}` : undefined,
    state === 'too-small-to-serve' && delivery ? `delivery_status ${delivery.code}${delivery.description ? `: ${delivery.description}` : ''}` : undefined]
    .filter(Boolean)
    .join('; ');
  return {
    sizes: { approximate_count_lower_bound: lower, approximate_count_upper_bound: upper },
    size: lower,
    counts: 'matched',
    estimate: true,
    state,
    ...(detail ? { detail } : {}),
  };
}

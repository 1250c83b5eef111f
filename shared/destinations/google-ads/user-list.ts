import { z } from 'zod';
import type { AudienceDescription } from '../types.js';

const count = z.union([z.number(), z.string()]).nullish().transform((value) => {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : null;
});

/** The parts of a Data Manager `UserList` that say how far Google has got with it. */
const userList = z
  .object({
    membershipStatus: z.string().optional(),
    closingReason: z.string().optional(),
    sizeInfo: z
      .object({ searchNetworkMembersCount: count, displayNetworkMembersCount: count, gmailMembersCount: count })
      .partial()
      .passthrough()
      .optional(),
  })
  .passthrough();

/**
 * What Google says of a Customer Match list: `sizeInfo`, its estimated members on Search,
 * Display and Gmail (matched Google users, not the members sent, and estimates), and
 * `membershipStatus` (`CLOSED`: the list takes no members and serves none). The API has no
 * processing state for a list: sizes not reported yet, or all zero while the app has sent
 * members, read as `processing` (Google matches an upload within hours, up to 48).
 */
export function describeUserList(body: unknown): AudienceDescription {
  const list = userList.parse(body ?? {});
  const info = list.sizeInfo ?? {};
  const sizes = {
    searchNetworkMembersCount: info.searchNetworkMembersCount ?? null,
    displayNetworkMembersCount: info.displayNetworkMembersCount ?? null,
    ...(info.gmailMembersCount !== undefined ? { gmailMembersCount: info.gmailMembersCount ?? null } : {}),
  };
  const reported = Object.values(sizes).filter((value): value is number => value !== null);
  const largest = reported.length > 0 ? Math.max(...reported) : null;
  const base = { sizes, size: largest, counts: 'matched' as const, estimate: true };
  if (list.membershipStatus === 'CLOSED') {
    return { ...base, state: 'failed', detail: `the list is closed${list.closingReason ? ` (${list.closingReason})` : ''}: it takes no members and serves no ads` };
  }
  if (largest === null || largest === 0) {
    // A zero is no size yet: compared with the ledger it would read as a match rate of 0.
    return { ...base, size: null, state: 'processing', detail: 'Google reports no matched members yet; matching an upload takes hours, up to 48' };
  }
  return { ...base, state: 'ready' };
}

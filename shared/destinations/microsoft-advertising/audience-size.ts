import { z } from 'zod';
import type { AudienceDescription } from '../types.js';

/**
 * Microsoft Advertising shows a customer list's size only from this many members
 * (customer-list audience docs); below it the sizes stay nil.
 */
export const customerListShownFrom = 300;

const size = z.union([z.number(), z.string()]).nullish().transform((value) => {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : null;
});

/** The size fields of a customer list as GetAudiencesByIds returns it. */
export const customerListSizes = z.object({ SearchSize: size, AudienceNetworkSize: size }).passthrough();

/**
 * What Microsoft Advertising says of a customer list: `SearchSize` (active Search members)
 * and `AudienceNetworkSize`. Both are nil for up to 24-48 hours after an upload and below
 * 300 members, and there is no state field: nil sizes read as `processing`, the app tells
 * a too-small list apart by what it sent (`shownFrom`). They count matched users, not
 * members sent, and Microsoft calls them estimates.
 */
export function describeCustomerList(audience: unknown): AudienceDescription {
  const { SearchSize, AudienceNetworkSize } = customerListSizes.parse(audience ?? {});
  const reported = [SearchSize, AudienceNetworkSize].filter((value): value is number => value !== null);
  const largest = reported.length > 0 ? Math.max(...reported) : null;
  return {
    sizes: { SearchSize, AudienceNetworkSize },
    size: largest,
    counts: 'matched',
    estimate: true,
    state: largest === null ? 'processing' : 'ready',
    shownFrom: customerListShownFrom,
    ...(largest === null ? { detail: `sizes are withheld for up to 48 hours after an upload, and below ${customerListShownFrom} members` } : {}),
  };
}

import { getDestination, type DestinationType } from '../../destinations/registry.js';
import type { PrepareSegmentInput } from './prepare.js';

/**
 * What preparation needs to know of an export's identifiers beyond its columns: the
 * destination's match sets and the export's default country. Kept apart from prepare.ts,
 * which the preparing worker loads without the destinations.
 */
export function matchingInput(exp: { destinationType: DestinationType; defaultCountry?: string | undefined }): Pick<PrepareSegmentInput, 'matchSets' | 'defaultCountry'> {
  return {
    matchSets: getDestination(exp.destinationType).identifiers.matchSets,
    ...(exp.defaultCountry ? { defaultCountry: exp.defaultCountry } : {}),
  };
}

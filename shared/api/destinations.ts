import { destinations, type DestinationType } from '../destinations/registry.js';
import { jsonSchema } from './openapi.js';
import type { DestinationCatalogEntry } from './schemas.js';

/**
 * The destination catalog a portal builds its forms from: per destination the credential
 * fields and export settings as JSON Schema (from the same zod schemas the API validates
 * with), the profile fields it takes and its limits.
 */
export function destinationCatalog(): DestinationCatalogEntry[] {
  return (Object.entries(destinations) as [DestinationType, (typeof destinations)[DestinationType]][]).map(([type, d]) => ({
    type,
    displayName: d.displayName,
    description: d.description,
    privacyStatement: d.privacyStatement,
    credentials: jsonSchema(d.credentials, 'input'),
    settings: jsonSchema(d.settings, 'input'),
    dataMatching: { required: [...d.dataMatching.required], optional: [...d.dataMatching.optional] },
    identifiers: {
      accepted: [...d.dataMatching.required, ...d.dataMatching.optional],
      matchSets: d.identifiers.matchSets.map((set) => [...set]),
      encoding: { ...d.identifiers.encoding },
    },
    limits: {
      ...(d.limits.minPerSegment !== undefined ? { minPerSegment: d.limits.minPerSegment } : {}),
      ...(d.limits.maxPerSegment !== undefined ? { maxPerSegment: d.limits.maxPerSegment } : {}),
      ...(d.limits.maxTotalPerExport !== undefined ? { maxTotalPerExport: d.limits.maxTotalPerExport } : {}),
      batchSize: d.limits.batchSize,
    },
  }));
}

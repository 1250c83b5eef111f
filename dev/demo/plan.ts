import type { DataMatching } from '../../shared/domain/export.js';

/** What the demo reads of a destination's entry in `GET /api/destinations`. */
export interface CatalogEntry {
  type: string;
  displayName: string;
  dataMatching: { required: string[]; optional: string[] };
}

/** The columns of the demo's segment file, by the identifier each holds. */
export const SAMPLE_COLUMNS = {
  email: 'email',
  phone: 'phone',
  firstName: 'first_name',
  lastName: 'last_name',
  postalCode: 'postal_code',
  countryCode: 'country_code',
  externalId: 'customer_id',
  company: 'company',
} as const satisfies Required<DataMatching>;

/** The sample's phones are national US numbers: the country an export needs once it maps phone. */
export const SAMPLE_PHONE_COUNTRY = 'US';

/**
 * An export's data matching and default country for a destination, from its catalog entry
 * alone: every identifier it takes that the sample file has a column for (and the segment's
 * latest file, when the catalog knows its columns). A destination added
 * to the registry is in the demo without a line here.
 */
export function exportMatching(entry: CatalogEntry, latestFileColumns?: readonly string[]): { dataMatching: DataMatching; defaultCountry?: string } {
  const dataMatching: DataMatching = {};
  // The API checks mapped columns against the segment's latest file, which the next file
  // replaces only once it lands: an older demo's file may lack some of today's columns.
  const inFile = latestFileColumns ? new Set(latestFileColumns) : undefined;
  for (const field of [...entry.dataMatching.required, ...entry.dataMatching.optional]) {
    if (!(field in SAMPLE_COLUMNS)) continue;
    const column = SAMPLE_COLUMNS[field as keyof typeof SAMPLE_COLUMNS];
    if (!inFile || inFile.has(column)) dataMatching[field as keyof DataMatching] = column;
  }
  return dataMatching.phone ? { dataMatching, defaultCountry: SAMPLE_PHONE_COUNTRY } : { dataMatching };
}

/** A segment file with a few rows the pipeline must reject (a bad address, a duplicate in another case). */
export function sampleSegment(stamp: string, rows: number): string {
  const lines = [Object.values(SAMPLE_COLUMNS).join(',')];
  for (let i = 1; i <= rows; i++) {
    // Every fifth row has a phone too (destinations that match on phones get some).
    const phone = i % 5 === 0 ? `+1212555${String(i % 10_000).padStart(4, '0')}` : '';
    lines.push([sampleEmail(stamp, i), phone, `First${i}`, `Last${i}`, String(10_000 + (i % 90_000)), 'US', `demo-${stamp}-${i}`, `Company ${i % 50}`].join(','));
  }
  lines.push(['not-an-email', '', 'Broken', 'Row', '10001', 'US', `demo-${stamp}-broken`, ''].join(','));
  lines.push([sampleEmail(stamp, 1).toUpperCase(), '', 'Dupe', 'Licate', '10001', 'US', `demo-${stamp}-dupe`, ''].join(','));
  return `${lines.join('\n')}\n`;
}

export const sampleEmail = (stamp: string, i: number) => `demo.${stamp}.${i}@example.com`;

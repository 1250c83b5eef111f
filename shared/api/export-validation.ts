import type { DataMatching } from '../domain/export.js';
import type { DataMatchingField, Destination } from '../destinations/types.js';
import type { FieldIssue } from '../errors.js';
import { isSupportedCountry } from 'libphonenumber-js';
import { issuesFromZod } from './problem.js';
import type { SegmentCatalog } from '../storage/segment-catalog.js';

export interface ExportContent {
  segments: string[];
  dataMatching: DataMatching;
  defaultCountry?: string | undefined;
  settings: Record<string, string>;
}

const MAX_COLUMNS_SHOWN = 20;

/**
 * What the catalog can check before anything runs: the settings fit the destination, the
 * destination takes every mapped profile field, the segments are distinct, and the mapped
 * columns exist in each segment's latest file when the catalog knows that file. Returns
 * every issue at once so a form can mark all its fields.
 */
export async function exportContentIssues(
  segments: Pick<SegmentCatalog, 'find'>,
  destination: Destination,
  content: ExportContent,
): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];

  const settings = destination.settings.safeParse(content.settings);
  if (!settings.success) issues.push(...issuesFromZod(settings.error, ['settings']));

  const allowed = new Set<DataMatchingField>([...destination.dataMatching.required, ...destination.dataMatching.optional]);
  const mapped = Object.entries(content.dataMatching).filter((entry): entry is [DataMatchingField, string] => entry[1] !== undefined);
  for (const [field] of mapped) {
    if (!allowed.has(field)) {
      issues.push({ field: `dataMatching.${field}`, message: `${destination.displayName} takes only ${[...allowed].join(', ')}` });
    }
  }
  for (const field of destination.dataMatching.required) {
    if (!content.dataMatching[field]) issues.push({ field: `dataMatching.${field}`, message: `${destination.displayName} needs ${field}` });
  }
  const mappedNames = new Set(mapped.map(([field]) => field));
  const { matchSets } = destination.identifiers;
  if (destination.dataMatching.required.length === 0 && !matchSets.some((set) => set.every((name) => mappedNames.has(name)))) {
    issues.push({
      field: 'dataMatching',
      message: `${destination.displayName} matches people by ${matchSets.map((set) => set.join(' + ')).join(', or ')}: map the columns of at least one`,
    });
  }
  // A phone the destination does not take is reported above; its country would be noise.
  if (content.dataMatching.phone && allowed.has('phone') && !content.defaultCountry) {
    issues.push({ field: 'defaultCountry', message: 'needed when phone is mapped: the country of numbers written without a country code (e.g. US)' });
  } else if (content.defaultCountry && !isSupportedCountry(content.defaultCountry)) {
    issues.push({ field: 'defaultCountry', message: `'${content.defaultCountry}' is not a country whose phone numbers are known (ISO 3166-1 alpha-2, e.g. US, GB, DE)` });
  }

  const seen = new Set<string>();
  content.segments.forEach((name, index) => {
    if (seen.has(name)) issues.push({ field: `segments.${index}`, message: `segment '${name}' is listed twice` });
    seen.add(name);
  });

  for (const name of seen) {
    const segment = await segments.find(name);
    // An unknown segment is fine (its first file may land later); a known one must have the
    // columns, unless the catalog keeps only part of its header (the run checks the file).
    if (!segment || segment.columns.length === 0 || segment.columnsTruncated) continue;
    const columns = new Set(segment.columns);
    for (const [field, column] of mapped) {
      if (allowed.has(field) && !columns.has(column)) {
        const shown = segment.columns.slice(0, MAX_COLUMNS_SHOWN).join(', ') + (segment.columns.length > MAX_COLUMNS_SHOWN ? ', ...' : '');
        issues.push({
          field: `dataMatching.${field}`,
          message: `column '${column}' is not in the latest file of segment '${name}' (${segment.latestFile}); its columns: ${shown}`,
        });
      }
    }
  }
  return issues;
}

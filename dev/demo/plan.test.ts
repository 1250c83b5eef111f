import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { destinations } from '../../shared/destinations/registry.js';
import { exportMatching, SAMPLE_COLUMNS, sampleSegment } from './plan.js';

describe('the demo export of each destination', () => {
  it.each(Object.values(destinations).map((d) => [d.type, d] as const))('%s maps every identifier it takes to a column of the sample, and its required ones', (_type, destination) => {
    const { dataMatching, defaultCountry } = exportMatching(destination);
    const taken = [...destination.dataMatching.required, ...destination.dataMatching.optional];
    expect(Object.keys(dataMatching).sort()).toEqual([...taken].sort());
    for (const field of destination.dataMatching.required) expect(dataMatching[field]).toBe(SAMPLE_COLUMNS[field]);
    // At least one way to match a person is complete.
    expect(destination.identifiers.matchSets.some((set) => set.every((name) => dataMatching[name]))).toBe(true);
    // A mapped phone needs the country of national numbers (the API refuses the export without it).
    expect(defaultCountry).toBe(dataMatching.phone ? 'US' : undefined);
  });

  it('maps only the columns the segment\'s latest file has, when the catalog knows them (a file of an older demo)', () => {
    const { dataMatching, defaultCountry } = exportMatching(destinations['google-ads'], ['email', 'first_name', 'last_name', 'phone']);
    expect(dataMatching).toEqual({ email: 'email', phone: 'phone', firstName: 'first_name', lastName: 'last_name' });
    expect(defaultCountry).toBe('US');
  });

  it('leaves out an identifier the sample has no column for', () => {
    const { dataMatching } = exportMatching({ type: 'x', displayName: 'X', dataMatching: { required: ['email'], optional: ['mobileAdvertisingId'] } });
    expect(dataMatching).toEqual({ email: 'email' });
  });
});

describe('the demo segment file', () => {
  it('has a column for every mapped identifier, the rows asked for, one bad address and one duplicate', () => {
    const rows = parse(sampleSegment('20260101000000', 10), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!).sort()).toEqual(Object.values(SAMPLE_COLUMNS).sort());
    expect(rows).toHaveLength(12);
    expect(rows.filter((row) => row.phone !== '')).toHaveLength(2);
    expect(rows[10]!.email).toBe('not-an-email');
    expect(rows[11]!.email?.toLowerCase()).toBe(rows[0]!.email);
  });
});

import { describe, expect, it } from 'vitest';
import { parsedOnDemand, sliceRest } from './work-files.js';

describe('sliceRest', () => {
  it('moves a slice on past what was done, keeping its end', () => {
    expect(sliceRest({ name: 'f', records: 10 }, 4)).toEqual({ name: 'f', records: 6, skip: 4 });
    expect(sliceRest({ name: 'f', records: 6, take: 6 }, 2)).toEqual({ name: 'f', records: 4, skip: 2, take: 4 });
    expect(sliceRest({ name: 'f', records: 5, skip: 3 }, 5)).toEqual({ name: 'f', records: 0, skip: 8 });
  });
});

describe('parsedOnDemand', () => {
  const line = (row: number) => JSON.stringify({ row, email: `p${row}@example.com` });
  const body = Buffer.from([line(1), line(2), '', line(3), line(4), line(5), ''].join('\n'));

  it("holds the slice's records in order, blank lines skipped, from skip and at most take", () => {
    expect(parsedOnDemand(body).slice(0).map((r) => r.row)).toEqual([1, 2, 3, 4, 5]);
    const slice = parsedOnDemand(body, { skip: 1, take: 3 });
    expect(slice.length).toBe(3);
    expect(slice.slice(0).map((r) => r.row)).toEqual([2, 3, 4]);
    expect(slice.slice(1, 2).map((r) => r.row)).toEqual([3]);
    expect(parsedOnDemand(body, { skip: 4 }).slice(0, 10).map((r) => r.row)).toEqual([5]);
  });

  it('parses only the records asked for', () => {
    // A line that would not parse, outside the batch asked for, is never read.
    const list = parsedOnDemand(Buffer.from([line(1), line(2), '{not json'].join('\n')));
    expect(list.length).toBe(3);
    expect(list.slice(0, 2).map((r) => r.row)).toEqual([1, 2]);
    expect(() => list.slice(2, 3)).toThrow(SyntaxError);
  });
});

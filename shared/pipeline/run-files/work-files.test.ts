import { describe, expect, it } from 'vitest';
import { sliceRest } from './work-files.js';

describe('sliceRest', () => {
  it('moves a slice on past what was done, keeping its end', () => {
    expect(sliceRest({ name: 'f', records: 10 }, 4)).toEqual({ name: 'f', records: 6, skip: 4 });
    expect(sliceRest({ name: 'f', records: 6, take: 6 }, 2)).toEqual({ name: 'f', records: 4, skip: 2, take: 4 });
    expect(sliceRest({ name: 'f', records: 5, skip: 3 }, 5)).toEqual({ name: 'f', records: 0, skip: 8 });
  });
});

import { describe, expect, it } from 'vitest';
import { FingerprintSet } from './fingerprint-set.js';

describe('FingerprintSet', () => {
  it('reports the second add of a value as a duplicate', () => {
    const set = new FingerprintSet();
    expect(set.add('a@example.com')).toBe(true);
    expect(set.add('b@example.com')).toBe(true);
    expect(set.add('a@example.com')).toBe(false);
    expect(set.size).toBe(2);
  });

  it('keeps every member while growing far past its initial capacity', () => {
    const set = new FingerprintSet(16);
    const n = 200_000;
    for (let i = 0; i < n; i++) expect(set.add(`user.${i}@example.com`)).toBe(true);
    expect(set.size).toBe(n);
    for (let i = 0; i < n; i += 997) expect(set.add(`user.${i}@example.com`)).toBe(false);
    expect(set.size).toBe(n);
  });

  it('tells apart addresses that differ in one character', () => {
    const set = new FingerprintSet();
    expect(set.add('ab@example.com')).toBe(true);
    expect(set.add('ba@example.com')).toBe(true);
    expect(set.add('ab@example.co')).toBe(true);
    expect(set.add('')).toBe(true);
    expect(set.add('')).toBe(false);
  });
});

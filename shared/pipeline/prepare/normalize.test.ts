import { describe, expect, it } from 'vitest';
import { normalizeEmail, normalizeName } from './normalize.js';

describe('normalizeEmail', () => {
  it.each([
    ['  Test@Contoso.COM ', 'test@contoso.com'],
    ['a.b+tag@sub.example.co.uk', 'a.b+tag@sub.example.co.uk'],
    ['UPPER@EXAMPLE.ORG', 'upper@example.org'],
  ])('accepts %j as %j', (raw, email) => {
    expect(normalizeEmail(raw)).toEqual({ ok: true, email });
  });

  it.each([
    [undefined, 'missing-email'],
    [null, 'missing-email'],
    ['', 'missing-email'],
    ['   ', 'missing-email'],
    ['no-at-sign.example.com', 'invalid-email'],
    ['two@@example.com', 'invalid-email'],
    ['a@b@example.com', 'invalid-email'],
    ['@example.com', 'invalid-email'],
    ['user@localhost', 'invalid-email'],
    ['user@.example.com', 'invalid-email'],
    ['user@example.com.', 'invalid-email'],
    ['user@example..com', 'invalid-email'],
    ['us er@example.com', 'invalid-email'],
    [`${'a'.repeat(250)}@example.com`, 'invalid-email'],
    [42, 'invalid-email'],
    ['x\u0000y@ex.com', 'invalid-email'],
    ['a\u0007b@example.com', 'invalid-email'],
    ['ab@exa\u007fmple.com', 'invalid-email'],
    ['ab@example.com\u0085', 'invalid-email'],
    ['ren\uFFFDe@example.com', 'invalid-email'],
  ])('rejects %j with %s', (raw, reason) => {
    expect(normalizeEmail(raw)).toEqual({ ok: false, reason });
  });
});

describe('normalizeName', () => {
  it('trims and drops empty values', () => {
    expect(normalizeName('  Ada ')).toBe('Ada');
    expect(normalizeName('   ')).toBeUndefined();
    expect(normalizeName(undefined)).toBeUndefined();
  });

  it('drops control characters, which no destination should receive in a name', () => {
    expect(normalizeName('Ada\u0000 Love\u001blace\u007f')).toBe('Ada Lovelace');
    expect(normalizeName('\u0000\u0001')).toBeUndefined();
  });

  it.each([
    ['Name\n163', 'Name 163'],
    ['Name\r\n163', 'Name 163'],
    ['Name \r\n\r\n  163', 'Name 163'],
    ['Ada\tLovelace', 'Ada Lovelace'],
    ['Ada\t\tLovelace', 'Ada Lovelace'],
    ['Ada\u000bLovelace', 'Ada Lovelace'],
    ['Ada\u000cLovelace', 'Ada Lovelace'],
    ['Ada\u0085Lovelace', 'Ada Lovelace'],
    ['Ada\u2028Lovelace', 'Ada Lovelace'],
    ['Ada\u2029Lovelace', 'Ada Lovelace'],
    ['Ada\r\u0000\nLovelace', 'Ada Lovelace'],
    ['\nAda\n', 'Ada'],
  ])('turns the line breaks and tabs in %j into one space: %j', (raw, name) => {
    expect(normalizeName(raw)).toBe(name);
  });

  it('keeps the spaces a name was given where no break is involved', () => {
    expect(normalizeName('Mary  Ann')).toBe('Mary  Ann');
    expect(normalizeName('\n\t\r')).toBeUndefined();
  });
});

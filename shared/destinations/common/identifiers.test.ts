import { describe, expect, it } from 'vitest';
import { normalizePhone } from '../../pipeline/prepare/normalize.js';
import type { IdentifierSupport, ProfileRecord } from '../types.js';
import { entryHasKey, entryIdentifiers, memberEntry, primaryMemberKey, sentIdentifiers, sha256Hex } from './identifiers.js';

/** A destination that matches on email or phone, both sent as SHA-256 (as Customer Match takes them). */
const emailOrPhone: IdentifierSupport = { matchSets: [['email'], ['phone']], encoding: { email: 'sha256-hex', phone: 'sha256-hex' } };

describe('identifiers as a destination sends them', () => {
  it("hashes Microsoft's published vector and a phone's E.164 digits", () => {
    const sent = sentIdentifiers(emailOrPhone, { row: 1, email: 'test@contoso.com', phone: '+14155550123' });
    expect(sent.email).toBe('f25ad364d33972379a7a4f4df33db142205f5c40eb19cfdb2fc5aaf117e10101');
    expect(sent.phone).toBe(sha256Hex('14155550123'));
  });

  it('turns national numbers into E.164 in the default country, and international ones as written', () => {
    expect(normalizePhone('(415) 555-0123', 'US')).toEqual({ ok: true, phone: '+14155550123' });
    expect(normalizePhone('020 7946 0018', 'GB')).toEqual({ ok: true, phone: '+442079460018' });
    expect(normalizePhone('030 12345678', 'DE')).toEqual({ ok: true, phone: '+493012345678' });
    expect(normalizePhone('+44 20 7946 0018', 'US')).toEqual({ ok: true, phone: '+442079460018' });
    expect(normalizePhone('555-0123', undefined)).toEqual({ ok: false, reason: 'invalid-phone' });
    expect(normalizePhone('12', 'US')).toEqual({ ok: false, reason: 'invalid-phone' });
  });

  it('keys a member by the first match set it satisfies: the email, else the phone', () => {
    const both: ProfileRecord = { row: 1, email: 'a@x.com', phone: '+14155550123' };
    const phoneOnly: ProfileRecord = { row: 2, phone: '+14155550123' };
    expect(primaryMemberKey(emailOrPhone, both)).toBe(`email=${sha256Hex('a@x.com')}`);
    expect(primaryMemberKey(emailOrPhone, phoneOnly)).toBe(`phone=${sha256Hex('14155550123')}`);
    expect(() => primaryMemberKey(emailOrPhone, { row: 3, firstName: 'Ann' })).toThrow(/none of the destination's match sets/);
  });

  it('keeps every identifier sent in the ledger entry, so a removal sends the same ones', () => {
    const profile: ProfileRecord = { row: 1, email: 'a@x.com', phone: '+14155550123', firstName: 'Ann' };
    const entry = memberEntry(emailOrPhone, profile);
    expect(entry).toBe(`email=${sha256Hex('a@x.com')}&phone=${sha256Hex('14155550123')}`);
    expect(entryIdentifiers(entry)).toEqual(sentIdentifiers(emailOrPhone, profile));
    expect(entryHasKey(entry, primaryMemberKey(emailOrPhone, profile))).toBe(true);
    expect(entryHasKey(entry, `email=${sha256Hex('b@x.com')}`)).toBe(false);
  });

  it('when a phone changes, the old entry (old phone hash) leaves the ledger and the new one enters it', () => {
    const before = memberEntry(emailOrPhone, { row: 1, email: 'a@x.com', phone: '+14155550123' });
    const after = memberEntry(emailOrPhone, { row: 1, email: 'a@x.com', phone: '+14155550199' });
    const ledger = new Set([before]);
    // What plan.ts does with the ledger: held but no longer in the segment is removed, new is added.
    const removes = [...ledger].filter((id) => id !== after);
    const adds = [after].filter((id) => !ledger.has(id));
    expect(removes.map(entryIdentifiers)).toEqual([{ email: sha256Hex('a@x.com'), phone: sha256Hex('14155550123') }]);
    expect(adds.map(entryIdentifiers)).toEqual([{ email: sha256Hex('a@x.com'), phone: sha256Hex('14155550199') }]);
    // The person's key stays the same: de-duplication and erasure still find them.
    expect(before.split('&')[0]).toBe(after.split('&')[0]);
  });

  it('refuses an entry that is not one', () => {
    expect(() => entryIdentifiers('a@x.com')).toThrow(/not a member entry/);
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addressForms, memberStrings, summarizeMembers } from './members.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const forms = addressForms(['a@example.com', 'B@Example.com']);

describe('members as simulators keep them', () => {
  it('reads every string of a nested member', () => {
    expect(memberStrings({ emailAddress: 'h1', address: { givenName: 'h2', regionCode: 'US' }, tags: ['t'] }).sort()).toEqual(['US', 'h1', 'h2', 't']);
    expect(memberStrings(42)).toEqual([]);
  });

  it('counts the demo members whatever their shape: emails, hashes, objects keyed by schema', () => {
    const members = [
      'a@example.com', // NextRoll, Autopilot
      sha('b@example.com'), // Microsoft Advertising
      { emailAddress: sha('a@example.com'), phoneNumber: sha('+12125550005') }, // Google
      { EMAIL: sha('b@example.com'), FN: sha('b') }, // Meta
      { SHA256_EMAIL: sha('a@example.com') }, // LinkedIn
      { email: 'B@example.com', first: 'B' }, // Ortto
      { email: 'someone-else@example.com' },
      sha('someone-else@example.com'),
    ];
    const summary = summarizeMembers(members, forms);
    expect(summary).toMatchObject({ total: 8, ours: 6, example: 'a@example.com' });
  });

  it('shows an object member as JSON, shortened', () => {
    const summary = summarizeMembers([{ SHA256_EMAIL: sha('a@example.com') }], forms, 40);
    expect(summary.example).toHaveLength(40);
    expect(summary.example!.startsWith('{"SHA256_EMAIL":"')).toBe(true);
    expect(summarizeMembers([], forms)).toEqual({ total: 0, ours: 0 });
  });
});

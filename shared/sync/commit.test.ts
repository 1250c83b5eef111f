import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { applyDeliveries } from './commit.js';
import { sortedIds } from './sorted-ids.js';

const sha = (name: string) => createHash('sha256').update(name).digest('hex');

// Emails stay strings, SHA-256 ids are packed, entries are packed by their digests with
// their texts beside them: the rules must not depend on which.
describe.each([
  ['emails', (name: string) => `${name}@example.com`],
  ['SHA-256 digests', sha],
  ['entries of every identifier sent', (name: string) => `email=${sha(name)}&phone=${sha(`${name} phone`)}`],
])('applyDeliveries on %s', (_, id) => {
  const ids = (...names: string[]) => sortedIds(names.map(id));
  // Compared as sets: entries are ordered by their digests, not their texts.
  const plain = (result: ReturnType<typeof applyDeliveries>) => ({ ...result, members: result.members.toArray().sort(), pendingRemovals: result.pendingRemovals.toArray().sort() });
  const sorted = (...names: string[]) => names.map(id).sort();

  it('adds confirmed members, drops confirmed removals and keeps the removals still owed', () => {
    const after = applyDeliveries(ids('a', 'c', 'e'), ids('x', 'y', 'z'), { added: ['b', 'd', 'y'].map(id), removed: ['x', 'z'].map(id) });
    // y was owed a removal but joined again: it is a member now, still tracked.
    expect(plain(after)).toEqual({ members: sorted('a', 'b', 'c', 'd', 'e', 'y'), pendingRemovals: [], added: 2, removed: 2 });
  });

  it('keeps a removal that did not go through owed', () => {
    expect(plain(applyDeliveries(ids('a'), ids('x', 'y'), { added: [], removed: [id('x')] }))).toEqual({ members: sorted('a'), pendingRemovals: sorted('y'), added: 0, removed: 1 });
  });

  it('after a confirmed replace holds exactly what was delivered', () => {
    const after = applyDeliveries(ids(), ids('a', 'b', 'c'), { added: ['b', 'c', 'd'].map(id), removed: [], replaced: true });
    expect(plain(after)).toEqual({ members: sorted('b', 'c', 'd'), pendingRemovals: [], added: 1, removed: 1 });
  });

  it('is the same when the same deliveries are applied again (a retried commit)', () => {
    const once = applyDeliveries(ids('a', 'c'), ids('x'), { added: [id('b')], removed: [id('x')] });
    const twice = applyDeliveries(once.members, once.pendingRemovals, { added: [id('b')], removed: [id('x')] });
    expect(plain(twice)).toEqual({ ...plain(once), added: 0, removed: 0 });
  });

  it('reconciles: after = before + added - removed', () => {
    const members = ids(...Array.from({ length: 1000 }, (_, i) => `m${String(i).padStart(4, '0')}`));
    const owed = ids('r1', 'r2', 'r3');
    const result = applyDeliveries(members, owed, { added: ['n1', 'n2', 'm0005', 'r2'].map(id), removed: ['r1', 'r3'].map(id) });
    expect(result.members.length + result.pendingRemovals.length).toBe(members.length + owed.length + result.added - result.removed);
    expect(result.added).toBe(2);
    expect(result.removed).toBe(2);
    expect(new Set(result.members.toArray()).size).toBe(result.members.length);
    for (const member of result.members) expect(result.members.has(member)).toBe(true);
  });
});

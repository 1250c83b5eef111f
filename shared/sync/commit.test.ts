import { describe, expect, it } from 'vitest';
import { applyDeliveries } from './commit.js';

describe('applyDeliveries', () => {
  it('adds confirmed members, drops confirmed removals and keeps the removals still owed', () => {
    const after = applyDeliveries(['a', 'c', 'e'], ['x', 'y', 'z'], { added: ['b', 'd', 'y'], removed: ['x', 'z'] });
    // y was owed a removal but joined again: it is a member now, still tracked.
    expect(after).toEqual({ members: ['a', 'b', 'c', 'd', 'e', 'y'], pendingRemovals: [], added: 2, removed: 2 });
  });

  it('keeps a removal that did not go through owed', () => {
    expect(applyDeliveries(['a'], ['x', 'y'], { added: [], removed: ['x'] })).toEqual({ members: ['a'], pendingRemovals: ['y'], added: 0, removed: 1 });
  });

  it('after a confirmed replace holds exactly what was delivered', () => {
    const after = applyDeliveries([], ['a', 'b', 'c'], { added: ['b', 'c', 'd'], removed: [], replaced: true });
    expect(after).toEqual({ members: ['b', 'c', 'd'], pendingRemovals: [], added: 1, removed: 1 });
  });

  it('is the same when the same deliveries are applied again (a retried commit)', () => {
    const once = applyDeliveries(['a', 'c'], ['x'], { added: ['b'], removed: ['x'] });
    const twice = applyDeliveries(once.members, once.pendingRemovals, { added: ['b'], removed: ['x'] });
    expect(twice.members).toEqual(once.members);
    expect(twice.pendingRemovals).toEqual(once.pendingRemovals);
  });

  it('reconciles: after = before + added - removed', () => {
    const members = Array.from({ length: 1000 }, (_, i) => `m${String(i).padStart(4, '0')}`);
    const owed = ['r1', 'r2', 'r3'];
    const result = applyDeliveries(members, owed, { added: ['n1', 'n2', 'm0005', 'r2'], removed: ['r1', 'r3'] });
    expect(result.members.length + result.pendingRemovals.length).toBe(members.length + owed.length + result.added - result.removed);
    expect(result.added).toBe(2);
    expect(result.removed).toBe(2);
  });
});

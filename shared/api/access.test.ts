import { describe, expect, it } from 'vitest';
import type { Principal } from '../domain/principal.js';
import { canUseConnection, requireConnectionAccess, requireRole } from './access.js';

const admin: Principal = { userId: 'a', userDetails: '', roles: ['admin'] };
const contributor: Principal = { userId: 'c', userDetails: '', roles: ['contributor'] };
const nobody: Principal = { userId: 'n', userDetails: '', roles: [] };

describe('access', () => {
  it('requireRole: 401 without a principal, 403 without the role', () => {
    expect(() => requireRole(undefined, ['admin'])).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => requireRole(contributor, ['admin'])).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => requireRole(nobody, ['admin', 'contributor'])).toThrow(expect.objectContaining({ status: 403 }));
    expect(requireRole(contributor, ['admin', 'contributor'])).toBe(contributor);
  });

  it.each([
    [admin, { allowContributors: false }, true],
    [admin, undefined, true],
    [contributor, { allowContributors: true }, true],
    [contributor, { allowContributors: false }, false],
    [contributor, undefined, false],
    [nobody, { allowContributors: true }, false],
  ])('canUseConnection(%o, %o) is %s', (principal, connection, allowed) => {
    expect(canUseConnection(principal, connection)).toBe(allowed);
  });

  it('requireConnectionAccess answers as if the resource did not exist (404)', () => {
    expect(() => requireConnectionAccess(contributor, { id: 'c-1', allowContributors: false }, 'export', 'e-1')).toThrow(
      expect.objectContaining({ status: 404, message: 'export e-1 does not exist' }),
    );
  });
});

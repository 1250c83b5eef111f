import type { Connection } from '../domain/connection.js';
import type { Principal, Role } from '../domain/principal.js';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../errors.js';

/**
 * Who may do what. Admins: everything. Contributors: exports on connections an admin
 * opened to them (`allowContributors`), and reading those connections. The routes check
 * the role first; these checks also guard the domain when it is called another way.
 */
export const isAdmin = (principal: Principal) => principal.roles.includes('admin');

export function requireRole(principal: Principal | undefined, allowed: readonly Role[]): Principal {
  if (!principal) throw new UnauthorizedError();
  if (!principal.roles.some((role) => allowed.includes(role))) {
    throw new ForbiddenError(`this needs the ${allowed.join(' or ')} role`);
  }
  return principal;
}

export function canUseConnection(principal: Principal, connection: Pick<Connection, 'allowContributors'> | undefined): boolean {
  if (isAdmin(principal)) return true;
  return principal.roles.includes('contributor') && connection?.allowContributors === true;
}

/**
 * A connection not open to the caller, and everything on it, is as good as absent: 404
 * (a 403 would confirm that it exists). `what`/`id` name the resource asked for.
 */
export function requireConnectionAccess(
  principal: Principal,
  connection: Pick<Connection, 'id' | 'allowContributors'> | undefined,
  what: string,
  id: string,
): void {
  if (!canUseConnection(principal, connection)) throw new NotFoundError(what, id);
}

export const userRef = (principal: Principal) => ({ userId: principal.userId, userDetails: principal.userDetails });

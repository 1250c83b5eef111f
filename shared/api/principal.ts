import { UnauthorizedError } from '../errors.js';
import { roles, type Principal, type Role } from '../domain/principal.js';

export const CLIENT_PRINCIPAL_HEADER = 'x-ms-client-principal';

interface Claim {
  typ?: unknown;
  val?: unknown;
}

// Claim types App Service authentication uses for roles, object ids and names.
const ROLE_CLAIMS = ['roles', 'role', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'];
const ID_CLAIMS = [
  'http://schemas.microsoft.com/identity/claims/objectidentifier',
  'oid',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier',
  'sub',
];
const NAME_CLAIMS = ['preferred_username', 'name', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', 'email'];

type HeaderReader = (name: string) => string | null | undefined;

/**
 * Who is calling. App Service authentication (in front of the app, and the only thing
 * that can set this header: it strips it from client requests) sends base64 JSON, either
 * `{ userId, userDetails, userRoles }` or `{ auth_typ, name_typ, role_typ, claims: [{ typ, val }] }`.
 * Locally, where nothing sets the header, DEV_PRINCIPAL stands in (JSON or base64 JSON,
 * same shapes, `roles` also accepted). Returns undefined when there is no principal at all.
 */
export function readPrincipal(header: HeaderReader, devPrincipal?: string): Principal | undefined {
  const encoded = header(CLIENT_PRINCIPAL_HEADER);
  if (encoded) {
    return principalFromJson(decodeBase64Json(encoded), {
      fallbackId: header('x-ms-client-principal-id') ?? undefined,
      fallbackName: header('x-ms-client-principal-name') ?? undefined,
    });
  }
  if (devPrincipal) {
    const trimmed = devPrincipal.trim();
    return principalFromJson(trimmed.startsWith('{') ? parseJson(trimmed, 'DEV_PRINCIPAL') : decodeBase64Json(trimmed, 'DEV_PRINCIPAL'));
  }
  return undefined;
}

export function encodeClientPrincipal(principal: { userId: string; userDetails?: string; userRoles: string[] }): string {
  return Buffer.from(JSON.stringify({ identityProvider: 'aad', ...principal }), 'utf8').toString('base64');
}

function decodeBase64Json(value: string, what = CLIENT_PRINCIPAL_HEADER): unknown {
  return parseJson(Buffer.from(value, 'base64').toString('utf8'), what);
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UnauthorizedError(`${what} is not base64-encoded JSON`);
  }
}

function principalFromJson(raw: unknown, fallback: { fallbackId?: string; fallbackName?: string } = {}): Principal {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UnauthorizedError('the client principal is not a JSON object');
  const source = raw as Record<string, unknown>;
  const claims = Array.isArray(source.claims) ? (source.claims as Claim[]) : [];
  const claimValues = (types: string[]) =>
    claims.filter((c) => typeof c?.typ === 'string' && types.includes(c.typ) && typeof c.val === 'string').map((c) => c.val as string);

  const roleTypes = typeof source.role_typ === 'string' ? [source.role_typ, ...ROLE_CLAIMS] : ROLE_CLAIMS;
  const nameTypes = typeof source.name_typ === 'string' ? [source.name_typ, ...NAME_CLAIMS] : NAME_CLAIMS;
  const listed = [source.userRoles, source.roles].flatMap((list) => (Array.isArray(list) ? list : []));
  const granted = new Set<Role>();
  for (const role of [...listed, ...claimValues(roleTypes)]) {
    if (typeof role === 'string' && (roles as readonly string[]).includes(role)) granted.add(role as Role);
  }

  const userId = stringOr(source.userId) ?? claimValues(ID_CLAIMS)[0] ?? fallback.fallbackId;
  if (!userId) throw new UnauthorizedError('the client principal has no user id');
  const userDetails = stringOr(source.userDetails) ?? claimValues(nameTypes)[0] ?? fallback.fallbackName ?? '';
  bounded('userId', userId);
  bounded('userDetails', userDetails);
  return { userId, userDetails, roles: [...granted] };
}

/**
 * The principal is stored with what it does (creator, consent, export user), so its fields
 * must fit a table property. Entra ids are 36 characters and user names at most 113; a
 * longer value is no identity App Service authentication issues.
 */
export const MAX_PRINCIPAL_FIELD = 256;

function bounded(field: string, value: string): void {
  if (value.length > MAX_PRINCIPAL_FIELD) throw new UnauthorizedError(`the client principal's ${field} exceeds ${MAX_PRINCIPAL_FIELD} characters`);
}

const stringOr = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

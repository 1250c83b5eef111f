import { randomUUID } from 'node:crypto';
import type { Connection } from '../domain/connection.js';
import type { Principal } from '../domain/principal.js';
import { getDestination, type DestinationType } from '../destinations/registry.js';
import { DestinationError } from '../destinations/types.js';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { assertIfMatch } from './etag.js';
import { issuesFromZod } from './problem.js';
import { connectionSecretName } from '../secrets/types.js';
import type { Stored } from '../storage/json-table.js';
import type { Page, PageQuery } from '../storage/paging.js';
import type { StoredConnection } from '../storage/connection-store.js';
import { isAdmin, requireConnectionAccess, requireRole, userRef } from './access.js';
import type { ApiServices } from './deps.js';
import type { CreateConnectionBody, PatchConnectionBody } from './schemas.js';

/** A connection as the API shows it: the stored record plus its ETag; credentials only as `{ set, updatedAt }`. */
export type ConnectionView = Connection & { etag: string };

const view = (stored: Stored<StoredConnection>): ConnectionView => ({ ...stored.value, etag: stored.etag });

/** Credentials checked against the destination's schema; the issues name `credentials.<field>`. */
function checkCredentials(type: DestinationType, credentials: unknown): unknown {
  const result = getDestination(type).credentials.safeParse(credentials);
  if (!result.success) {
    const issues = issuesFromZod(result.error, ['credentials']);
    throw new ValidationError(`the credentials do not fit ${getDestination(type).displayName}`, issues);
  }
  return result.data;
}

async function load(services: ApiServices, id: string): Promise<Stored<StoredConnection>> {
  const found = await services.connections.findStored(id);
  if (!found) throw new NotFoundError('connection', id);
  return found;
}

export async function listConnections(services: ApiServices, principal: Principal, query: PageQuery): Promise<Page<ConnectionView>> {
  requireRole(principal, ['admin', 'contributor']);
  const page = await services.connections.page(query, { openToContributors: !isAdmin(principal) });
  return { ...page, items: page.items.map(view) };
}

export async function getConnection(services: ApiServices, principal: Principal, id: string): Promise<ConnectionView> {
  requireRole(principal, ['admin', 'contributor']);
  const stored = await load(services, id);
  requireConnectionAccess(principal, stored.value, 'connection', id);
  return view(stored);
}

/**
 * Creates a connection: consent recorded with who and when, the caller as export user,
 * the credentials in the secret store (never in the table, never in a response).
 */
export async function createConnection(
  services: ApiServices,
  principal: Principal,
  body: CreateConnectionBody,
  now = new Date(),
): Promise<ConnectionView> {
  requireRole(principal, ['admin']);
  const credentials = checkCredentials(body.type, body.credentials);
  const at = now.toISOString();
  const caller = userRef(principal);
  const connection: StoredConnection = {
    id: randomUUID(),
    type: body.type,
    displayName: body.displayName,
    allowContributors: body.allowContributors,
    consent: { accepted: true, acceptedBy: caller, acceptedAt: at },
    exportUser: caller,
    credentials: { set: true, updatedAt: at },
    createdBy: caller,
    createdAt: at,
    updatedAt: at,
  };
  const secretName = connectionSecretName(connection.id);
  await services.secrets.set(secretName, JSON.stringify(credentials));
  try {
    return view(await services.connections.create(connection));
  } catch (error) {
    await services.secrets.delete(secretName).catch(() => undefined);
    throw error;
  }
}

export async function patchConnection(
  services: ApiServices,
  principal: Principal,
  id: string,
  body: PatchConnectionBody,
  ifMatch?: string[],
  now = new Date(),
): Promise<ConnectionView> {
  requireRole(principal, ['admin']);
  const current = await load(services, id);
  assertIfMatch('connection', id, current.etag, ifMatch);
  const at = now.toISOString();
  const next: StoredConnection = {
    ...current.value,
    ...(body.displayName !== undefined ? { displayName: body.displayName } : {}),
    ...(body.allowContributors !== undefined ? { allowContributors: body.allowContributors } : {}),
    updatedAt: at,
  };
  if (body.credentials !== undefined) {
    const credentials = checkCredentials(current.value.type, body.credentials);
    // Whoever supplies the credentials is the user the destination sees: the export user.
    next.exportUser = userRef(principal);
    next.credentials = { set: true, updatedAt: at };
    // Written before the row: a failure leaves the row describing the old state, never a row claiming unsaved credentials.
    await services.secrets.set(connectionSecretName(id), JSON.stringify(credentials));
  }
  return view(await services.connections.replace(current.value, next, current.etag));
}

/**
 * Deletes a connection and its secret. Exports using it make this a 409 (listing them)
 * unless `force`; then, and for any export created meanwhile, they are disabled with the
 * reason `connection-removed` and keep their history.
 */
export async function deleteConnection(
  services: ApiServices,
  principal: Principal,
  id: string,
  options: { force: boolean; ifMatch?: string[] },
): Promise<{ id: string; disabledExports: string[] }> {
  requireRole(principal, ['admin']);
  const current = await load(services, id);
  assertIfMatch('connection', id, current.etag, options.ifMatch);
  const users = await services.exports.listByConnection(id);
  if (users.length > 0 && !options.force) {
    throw new ConflictError(
      `${users.length} export(s) use connection ${id}; delete them first or repeat with ?force=true to disable them`,
      { exports: users.map((e) => e.id) },
    );
  }
  await services.connections.delete(current.value, current.etag);
  const disabled: string[] = [];
  for (const exp of await services.exports.listByConnection(id)) {
    await services.exports.update(exp.id, (e) => ({ ...e, enabled: false, disabledReason: 'connection-removed', updatedAt: new Date().toISOString() }));
    disabled.push(exp.id);
  }
  await services.secrets.delete(connectionSecretName(id));
  return { id, disabledExports: disabled };
}

export type ConnectionTestResult = { ok: true } | { ok: false; reason: string; message: string };

/** Errors the caller can fix by changing the connection: reported in a 200 body, not as a failure of the API. */
const REFUSALS = new Set(['auth-failed', 'terms-not-accepted']);

/**
 * Tries the stored credentials with a cheap authenticated call. Refused credentials are a
 * result (`ok: false`); a destination that cannot be reached is a 502.
 */
export async function testConnection(services: ApiServices, principal: Principal, id: string, now = new Date()): Promise<ConnectionTestResult> {
  requireRole(principal, ['admin']);
  const current = await load(services, id);
  const { value } = current;
  const record = async (ok: boolean, reason?: string) => {
    const lastTest = { ok, ...(reason ? { reason } : {}), at: now.toISOString(), by: userRef(principal) };
    // Not a change to the connection (updatedAt stays); losing the race to a concurrent change only loses this note.
    await services.connections.replace(value, { ...value, lastTest }, current.etag).catch(() => undefined);
  };
  try {
    const client = await services.destinationClient({ id: value.id, type: value.type });
    await client.testConnection();
    await record(true);
    return { ok: true };
  } catch (error) {
    if (error instanceof DestinationError && REFUSALS.has(error.code)) {
      await record(false, error.code);
      return { ok: false, reason: error.code, message: error.message };
    }
    if (error instanceof DestinationError) {
      await record(false, error.code);
      throw new AppError(502, 'Bad Gateway', `${getDestination(value.type).displayName} did not answer the test: ${error.message}`, [], {
        reason: error.code,
      });
    }
    throw error;
  }
}

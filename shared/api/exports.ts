import { randomUUID } from 'node:crypto';
import type { Connection } from '../domain/connection.js';
import type { Export } from '../domain/export.js';
import type { Principal } from '../domain/principal.js';
import { getDestination, type DestinationType } from '../destinations/registry.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { assertIfMatch } from './etag.js';
import type { Stored } from '../storage/json-table.js';
import type { Page, PageQuery } from '../storage/paging.js';
import type { StoredExport } from '../storage/export-store.js';
import { canUseConnection, isAdmin, requireConnectionAccess, requireRole, userRef } from './access.js';
import type { ApiServices } from './deps.js';
import { exportContentIssues, type ExportContent } from './export-validation.js';
import type { CreateExportBody, PatchExportBody } from './schemas.js';

export type ExportView = Export & { etag: string };

const view = (stored: Stored<StoredExport>): ExportView => ({ ...stored.value, etag: stored.etag });

/** The connection an export names, for a caller who may use it; 400 on `connectionId` when it does not exist. */
async function usableConnection(services: ApiServices, principal: Principal, connectionId: string): Promise<Connection> {
  const connection = await services.connections.find(connectionId);
  // One not open to the caller reads the same as a missing one.
  if (!connection || !canUseConnection(principal, connection)) throw ValidationError.field('connectionId', `connection ${connectionId} does not exist`);
  return connection;
}

async function validateContent(services: ApiServices, type: DestinationType, content: ExportContent): Promise<void> {
  const issues = await exportContentIssues(services.segments, getDestination(type), content);
  if (issues.length > 0) throw new ValidationError(issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
}

/** An existing export the caller may see: its connection must be open to them (admins: always). */
async function load(services: ApiServices, principal: Principal, id: string): Promise<Stored<StoredExport>> {
  const stored = await services.exports.findStored(id);
  if (!stored) throw new NotFoundError('export', id);
  if (!isAdmin(principal)) {
    requireConnectionAccess(principal, await services.connections.find(stored.value.connectionId), 'export', id);
  }
  return stored;
}

export async function listExports(
  services: ApiServices,
  principal: Principal,
  query: PageQuery & { connectionId?: string },
): Promise<Page<ExportView>> {
  requireRole(principal, ['admin', 'contributor']);
  const open = isAdmin(principal) ? undefined : await services.connections.idsOpenToContributors();
  const page = await services.exports.page(query, {
    ...(query.connectionId ? { connectionId: query.connectionId } : {}),
    ...(open ? { where: (e: StoredExport) => open.has(e.connectionId) } : {}),
  });
  return { ...page, items: page.items.map(view) };
}

/** One export; also the access check the run routes use before starting or showing runs. */
export async function getExport(services: ApiServices, principal: Principal, id: string): Promise<ExportView> {
  requireRole(principal, ['admin', 'contributor']);
  return view(await load(services, principal, id));
}

/** Validates and saves an export. Saving never starts a run. */
export async function createExport(services: ApiServices, principal: Principal, body: CreateExportBody, now = new Date()): Promise<ExportView> {
  requireRole(principal, ['admin', 'contributor']);
  const connection = await usableConnection(services, principal, body.connectionId);
  await validateContent(services, connection.type, body);
  const at = now.toISOString();
  const exp: StoredExport = {
    id: randomUUID(),
    name: body.name,
    connectionId: connection.id,
    destinationType: connection.type,
    segments: body.segments,
    dataMatching: body.dataMatching,
    ...(body.defaultCountry ? { defaultCountry: body.defaultCountry } : {}),
    settings: body.settings,
    enabled: body.enabled,
    runOnSegmentRefresh: body.runOnSegmentRefresh,
    schedule: body.schedule,
    truncate: body.truncate,
    syncMode: body.syncMode,
    ...(body.audienceAlerts ? { audienceAlerts: body.audienceAlerts } : {}),
    createdBy: userRef(principal),
    createdAt: at,
    updatedAt: at,
  };
  return view(await services.exports.create(exp));
}

/**
 * Changes an export and validates the result as a whole. Moving it to another connection
 * needs access to that one too; enabling it needs its connection to exist (an export
 * disabled by a connection's removal stays disabled until it has a connection again).
 */
export async function patchExport(
  services: ApiServices,
  principal: Principal,
  id: string,
  body: PatchExportBody,
  ifMatch?: string[],
  now = new Date(),
): Promise<ExportView> {
  requireRole(principal, ['admin', 'contributor']);
  const current = await load(services, principal, id);
  assertIfMatch('export', id, current.etag, ifMatch);
  const merged: StoredExport = { ...current.value };
  for (const [key, value] of Object.entries(body)) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  merged.updatedAt = now.toISOString();

  const connectionChanged = merged.connectionId !== current.value.connectionId;
  if (connectionChanged || (merged.enabled && !current.value.enabled)) {
    const connection = await usableConnection(services, principal, merged.connectionId);
    merged.destinationType = connection.type;
  }
  if (body.enabled !== undefined) delete merged.disabledReason;
  await validateContent(services, merged.destinationType, merged);
  return view(await services.exports.replace(merged, current.etag));
}

/** Deletes an export and its run history. */
export async function deleteExport(services: ApiServices, principal: Principal, id: string, ifMatch?: string[]): Promise<void> {
  requireRole(principal, ['admin', 'contributor']);
  const current = await load(services, principal, id);
  assertIfMatch('export', id, current.etag, ifMatch);
  await services.exports.delete(id, current.etag);
  await services.runs.deleteByExport(id);
}


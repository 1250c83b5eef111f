import { randomBytes } from 'node:crypto';
import { odata } from '@azure/data-tables';
import type { UserRef } from '../domain/connection.js';
import type { StorageClients } from '../storage/clients.js';
import { JsonTable } from '../storage/json-table.js';
import type { Page, PageQuery } from '../storage/paging.js';

const PARTITION = 'audit';

/** One admin or contributor action: who, when, on what, and which fields (never a secret's value). */
export interface AuditEntry {
  id: string;
  at: string;
  actor: UserRef;
  action: string;
  entity: { type: string; id: string };
  /** The fields the request set; secret fields as `(set)`, nested values as `(changed)`. */
  changes?: Record<string, string | number | boolean | null>;
}

/**
 * The audited operations, by the name of the API operation that performs them. One table,
 * read by the HTTP adapter after an operation succeeds, so no operation can forget it.
 */
export const auditedOperations: Record<string, { action: string; entity: string }> = {
  createConnection: { action: 'connection.created', entity: 'connection' },
  patchConnection: { action: 'connection.changed', entity: 'connection' },
  deleteConnection: { action: 'connection.deleted', entity: 'connection' },
  testConnection: { action: 'connection.tested', entity: 'connection' },
  createExport: { action: 'export.created', entity: 'export' },
  patchExport: { action: 'export.changed', entity: 'export' },
  deleteExport: { action: 'export.deleted', entity: 'export' },
  runExport: { action: 'export.run', entity: 'export' },
  createWebhook: { action: 'webhook.created', entity: 'webhook' },
  patchWebhook: { action: 'webhook.changed', entity: 'webhook' },
  deleteWebhook: { action: 'webhook.deleted', entity: 'webhook' },
  putSchedule: { action: 'schedule.changed', entity: 'schedule' },
  addSuppressions: { action: 'suppression.added', entity: 'suppression' },
  deleteSuppression: { action: 'suppression.removed', entity: 'suppression' },
  requestErasure: { action: 'erasure.requested', entity: 'erasure' },
};

/** Fields whose values never go into the trail. */
const SECRET_FIELDS = new Set(['credentials', 'url', 'signingKey', 'secret', 'apiKey', 'refreshToken', 'personalAccessToken', 'emails', 'email']);

export function describeChanges(body: unknown): AuditEntry['changes'] | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const changes: NonNullable<AuditEntry['changes']> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (SECRET_FIELDS.has(key)) changes[key] = Array.isArray(value) ? `(${value.length} given)` : '(set)';
    else if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) changes[key] = typeof value === 'string' ? value.slice(0, 200) : (value as number | boolean | null);
    else changes[key] = '(changed)';
  }
  return Object.keys(changes).length > 0 ? changes : undefined;
}

/**
 * The audit trail: append-only rows, newest first (the row key counts down from the far
 * future), with the entity and the actor as columns to filter on.
 */
export class AuditLog {
  private readonly table: JsonTable<AuditEntry>;

  constructor(storage: StorageClients) {
    this.table = new JsonTable(() => storage.ensureTable('audit'), 'audit entry', (entry) => ({
      entityType: entry.entity.type,
      entityId: entry.entity.id,
      userId: entry.actor.userId,
    }));
  }

  async record(entry: Omit<AuditEntry, 'id' | 'at'>, now = new Date()): Promise<AuditEntry> {
    const id = `${String(9_999_999_999_999 - now.getTime()).padStart(13, '0')}-${randomBytes(4).toString('hex')}`;
    const full: AuditEntry = { id, at: now.toISOString(), ...entry };
    await this.table.insert(PARTITION, id, full);
    return full;
  }

  async page(query: PageQuery, filter: { entityType?: string; entityId?: string; userId?: string } = {}): Promise<Page<AuditEntry>> {
    const clauses = [
      filter.entityType ? odata`entityType eq ${filter.entityType}` : undefined,
      filter.entityId ? odata`entityId eq ${filter.entityId}` : undefined,
      filter.userId ? odata`userId eq ${filter.userId}` : undefined,
    ].filter((c): c is string => Boolean(c));
    const page = await this.table.page(PARTITION, query, clauses.length > 0 ? clauses.join(' and ') : undefined);
    return { items: page.items.map((s) => s.value), ...(page.continuation ? { continuation: page.continuation } : {}) };
  }
}

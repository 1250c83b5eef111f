import { odata } from '@azure/data-tables';
import type { Connection } from '../domain/connection.js';
import { ConflictError, PreconditionFailedError } from '../errors.js';
import type { StorageClients } from './clients.js';
import { JsonTable, type Stored } from './json-table.js';
import { keysetPage } from './keyset-page.js';
import type { Page, PageQuery } from './paging.js';
import { RecentReads, STEP_READ_MAX_AGE_MS } from './recent-reads.js';

const PARTITION = 'connection';
/** Reservation rows that make display names unique per destination type. */
const NAMES = 'display-name';

/** What is stored: the connection without the transport-only `etag`. */
export type StoredConnection = Omit<Connection, 'etag'>;

interface NameReservation {
  connectionId: string;
}

/** Case- and space-insensitive: "My AdRoll" and " my adroll " are the same name to a person. */
export const nameKey = (type: string, displayName: string) =>
  `${type}:${Buffer.from(displayName.trim().toLowerCase(), 'utf8').toString('base64url')}`;

/**
 * Connections, one JSON row each. Display names are unique per type through a reservation
 * row per name: inserting it is atomic, so two admins creating "Marketing" at once cannot
 * both succeed. A reservation left behind by a crash is taken over once its connection is
 * gone or renamed.
 */
export class ConnectionStore {
  private readonly rows: JsonTable<StoredConnection>;
  private readonly names: JsonTable<NameReservation>;
  private readonly recent = new RecentReads<Connection | undefined>(STEP_READ_MAX_AGE_MS);

  constructor(storage: StorageClients) {
    const ready = () => storage.ensureTable('connections');
    this.rows = new JsonTable(ready, 'connection', (c) => ({ type: c.type, allowContributors: c.allowContributors }));
    this.names = new JsonTable(ready, 'connection name');
  }

  async find(id: string): Promise<Connection | undefined> {
    return (await this.rows.find(PARTITION, id))?.value;
  }

  /** The connection as read at most a few seconds ago (RecentReads), for a run's steps; a copy, so a caller's change never reaches another. */
  async findRecent(id: string): Promise<Connection | undefined> {
    return structuredClone(await this.recent.read(id, () => this.find(id)));
  }

  findStored(id: string): Promise<Stored<StoredConnection> | undefined> {
    return this.rows.find(PARTITION, id);
  }

  get(id: string): Promise<Stored<StoredConnection>> {
    return this.rows.get(PARTITION, id);
  }

  /** Inserts a new connection; 409 (field `displayName`) when its type already has that name. */
  async create(connection: StoredConnection): Promise<Stored<StoredConnection>> {
    await this.reserveName(connection);
    try {
      const created = await this.rows.insert(PARTITION, connection.id, connection);
      if (!created) throw new ConflictError(`connection ${connection.id} already exists`);
      return created;
    } catch (error) {
      await this.releaseName(connection);
      throw error;
    }
  }

  /** Replaces a connection read with `etag` (412 when it changed since); a rename moves the reservation. */
  replace(previous: StoredConnection, next: StoredConnection, etag: string): Promise<Stored<StoredConnection>> {
    return this.recent.writing(next.id, () => this.replaceRow(previous, next, etag));
  }

  private async replaceRow(previous: StoredConnection, next: StoredConnection, etag: string): Promise<Stored<StoredConnection>> {
    const renamed = nameKey(previous.type, previous.displayName) !== nameKey(next.type, next.displayName);
    if (renamed) await this.reserveName(next);
    let saved: Stored<StoredConnection>;
    try {
      saved = await this.rows.replace(PARTITION, next.id, next, etag);
    } catch (error) {
      if (renamed) await this.releaseName(next);
      throw error;
    }
    if (renamed) await this.releaseName(previous);
    return saved;
  }

  async delete(connection: StoredConnection, etag?: string): Promise<void> {
    await this.recent.writing(connection.id, () => this.rows.delete(PARTITION, connection.id, etag));
    await this.releaseName(connection);
  }

  /** A page in id order; `openToContributors` keeps only connections admins opened to contributors. */
  page(query: PageQuery, options: { openToContributors?: boolean } = {}): Promise<Page<Stored<StoredConnection>>> {
    return keysetPage(this.rows, PARTITION, query, {
      rowKey: (c) => c.id,
      ...(options.openToContributors ? { filter: odata`allowContributors eq ${true}` } : {}),
    });
  }

  /** Ids of the connections open to contributors (a small set; used to filter exports). */
  async idsOpenToContributors(): Promise<Set<string>> {
    const ids = new Set<string>();
    for await (const row of this.rows.all(PARTITION, odata`allowContributors eq ${true}`)) ids.add(row.value.id);
    return ids;
  }

  private async reserveName(connection: StoredConnection): Promise<void> {
    const key = nameKey(connection.type, connection.displayName);
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await this.names.insert(NAMES, key, { connectionId: connection.id })) return;
      const holder = await this.names.find(NAMES, key);
      if (!holder) continue; // released meanwhile: try again
      if (holder.value.connectionId === connection.id) return;
      const owner = await this.rows.find(PARTITION, holder.value.connectionId);
      if (owner && nameKey(owner.value.type, owner.value.displayName) === key) {
        throw new ConflictError(
          `a ${connection.type} connection named '${owner.value.displayName}' already exists`,
          { connectionId: owner.value.id },
          [{ field: 'displayName', message: `must be unique among ${connection.type} connections` }],
        );
      }
      try {
        // A stale reservation (crash between steps): take it over, unless someone else just did.
        await this.names.replace(NAMES, key, { connectionId: connection.id }, holder.etag);
        return;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
      }
    }
    throw new ConflictError(`the name '${connection.displayName}' is being changed by someone else; try again`, {}, [
      { field: 'displayName', message: 'concurrent change' },
    ]);
  }

  private async releaseName(connection: StoredConnection): Promise<void> {
    const key = nameKey(connection.type, connection.displayName);
    const holder = await this.names.find(NAMES, key);
    if (holder?.value.connectionId !== connection.id) return;
    await this.names.delete(NAMES, key, holder.etag).catch(() => {
      // Lost a race with a takeover or another release: the reservation is no longer ours.
    });
  }
}

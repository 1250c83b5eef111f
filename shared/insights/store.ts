import { odata } from '@azure/data-tables';
import type { StorageClients } from '../storage/clients.js';
import { JsonTable } from '../storage/json-table.js';
import type { Page, PageQuery } from '../storage/paging.js';
import { PreconditionFailedError } from '../errors.js';
import type { AlertState } from './alerts.js';
import { audienceReadingSchema, type AudienceReading, type AudienceReadingInput } from './model.js';

const TABLE = 'audiencereadings';
/** What the alerts remember per audience: one row per export (partition) and segment (row), never purged by age. */
const ALERT_TABLE = 'audiencealertstate';

/**
 * Audience readings as a time series: one partition per export and segment (segment names
 * are letters, digits, space, dot, dash and underscore, so `|` cannot occur in them), row
 * keys that sort newest first, so the latest reading and a page of history are each one
 * range read. `readAt` is a column too, for the retention purge.
 */
export class InsightStore {
  private readonly readings: JsonTable<AudienceReading>;
  private readonly alertStates: JsonTable<AlertState>;

  constructor(private readonly storage: StorageClients) {
    this.readings = new JsonTable(() => storage.ensureTable(TABLE), 'audience reading', (reading) => ({ readAt: reading.readAt }));
    this.alertStates = new JsonTable(() => storage.ensureTable(ALERT_TABLE), 'audience alert state');
  }

  /**
   * Moves an audience's alert state from what `decide` saw to what it returns, as one
   * conditional write: of two readers racing, only the one whose write lands gets `true`, so
   * a crossing is told once. Answers false when someone else moved the state first.
   */
  async advanceAlertState<R>(
    exportId: string,
    segment: string,
    decide: (previous: AlertState | undefined) => { next: AlertState; result: R } | Promise<{ next: AlertState; result: R }>,
  ): Promise<{ won: boolean; result: R }> {
    const current = await this.alertStates.find(exportId, segment);
    const { next, result } = await decide(current?.value);
    if (!current) return { won: (await this.alertStates.insert(exportId, segment, next)) !== undefined, result };
    try {
      await this.alertStates.replace(exportId, segment, next, current.etag);
      return { won: true, result };
    } catch (error) {
      if (error instanceof PreconditionFailedError) return { won: false, result };
      throw error;
    }
  }

  static partition(exportId: string, segment: string): string {
    return `${exportId}|${segment}`;
  }

  /** Newest first: inverted milliseconds; two readings in one millisecond keep the later write. */
  static rowKey(readAt: string): string {
    return String(9_999_999_999_999 - Date.parse(readAt)).padStart(13, '0');
  }

  async record(input: AudienceReadingInput): Promise<AudienceReading> {
    const reading = audienceReadingSchema.parse(input);
    await this.readings.replace(InsightStore.partition(reading.exportId, reading.segment), InsightStore.rowKey(reading.readAt), reading);
    return reading;
  }

  async latest(exportId: string, segment: string): Promise<AudienceReading | undefined> {
    return (await this.history(exportId, segment, { top: 1 })).items[0];
  }

  /** Readings of one export's segment, newest first, a page at a time. */
  async history(exportId: string, segment: string, query: PageQuery): Promise<Page<AudienceReading>> {
    const page = await this.readings.page(InsightStore.partition(exportId, segment), query);
    return { ...page, items: page.items.map((stored) => stored.value) };
  }

  /** Deletes the export's readings taken before `cutoff` (all of them, and its alert states, without one); answers how many readings. */
  async purge(exportId: string, cutoff?: Date): Promise<number> {
    const table = await this.storage.ensureTable(TABLE);
    // Every segment the export ever had: partitions from `<id>|` up to `<id>}` (`}` follows `|`).
    let filter = odata`PartitionKey ge ${`${exportId}|`} and PartitionKey lt ${`${exportId}}`}`;
    if (cutoff) filter += ` and ${odata`readAt lt ${cutoff.toISOString()}`}`;
    let deleted = 0;
    for await (const row of table.listEntities({ queryOptions: { filter, select: ['PartitionKey', 'RowKey'] } })) {
      await table.deleteEntity(row.partitionKey!, row.rowKey!).catch(() => undefined);
      deleted++;
    }
    if (!cutoff) {
      const alerts = await this.storage.ensureTable(ALERT_TABLE);
      for await (const row of alerts.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${exportId}`, select: ['PartitionKey', 'RowKey'] } })) {
        await alerts.deleteEntity(row.partitionKey!, row.rowKey!).catch(() => undefined);
      }
    }
    return deleted;
  }
}

const stores = new WeakMap<StorageClients, InsightStore>();

/** The insight store over these storage clients, one per process (its table is created once). */
export function insightStore(storage: StorageClients): InsightStore {
  let store = stores.get(storage);
  if (!store) {
    store = new InsightStore(storage);
    stores.set(storage, store);
  }
  return store;
}

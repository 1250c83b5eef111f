import { RestError, TableClient, odata, type TableEntity, type TransactionAction } from '@azure/data-tables';
import type { InboxEvent } from './history.js';

/**
 * Task hub state in Azure Tables, the way the Azure Storage provider keeps it: one row per
 * instance in `<hub>Instances`, one row per history event in `<hub>History`, and the
 * messages that have not reached the history yet in `<hub>Inbox` (the control queue).
 *
 * The instance row is the commit point of an episode: history rows are written first
 * (batched, up to 100 per transaction) and count only up to the row's `HistoryCount`, so
 * a crash half-way through an episode leaves rows that the next episode overwrites.
 */

export type RuntimeStatus = 'Pending' | 'Running' | 'Completed' | 'Failed' | 'Terminated';
export const TERMINAL_STATUSES: ReadonlySet<RuntimeStatus> = new Set(['Completed', 'Failed', 'Terminated']);

export interface InstanceRecord {
  instanceId: string;
  name: string;
  executionId: string;
  runtimeStatus: RuntimeStatus;
  /** JSON text. */
  input?: string;
  /** JSON text. */
  output?: string;
  /** JSON text. */
  customStatus?: string;
  createdTime: string;
  lastUpdatedTime: string;
  /** History events of the current execution that belong to committed episodes. */
  historyCount: number;
}

export interface StoredInstance {
  record: InstanceRecord;
  etag: string;
}

export interface StoredHistoryEvent {
  /** The event as JSON text. */
  json: string;
  /** The inbox message the event came from, so a message is never applied twice. */
  messageId?: string;
}

export interface InboxMessage {
  id: string;
  executionId: string;
  event: InboxEvent;
}

/** The instance row changed since it was read: someone else committed first. */
export class ConcurrencyError extends Error {}

const MAX_BATCH = 100;
// A transaction payload may not exceed 4 MiB; stay well below.
const MAX_BATCH_CHARS = 1_500_000;
// A string property holds at most 64 KiB (32K UTF-16 code units); an entity at most 1 MiB.
const CHUNK = 30_000;
const MAX_CHUNKS = 15;

export function validateTaskHubName(hub: string): void {
  if (!/^[A-Za-z][A-Za-z0-9]{2,44}$/.test(hub)) {
    throw new Error(`task hub name '${hub}' is invalid: 3-45 letters and digits, starting with a letter`);
  }
}

export function validateInstanceId(instanceId: string): void {
  if (!instanceId || instanceId.length > 256 || /[/\\#?\u0000-\u001f\u007f-\u009f]/.test(instanceId)) {
    throw new InvalidInstanceIdError(`instance id '${instanceId}' is invalid: 1-256 characters, none of / \\ # ? or control characters`);
  }
}

export class InvalidInstanceIdError extends Error {}

/** Spreads long text over `name`, `name_1`, ... (one property holds 32K characters). */
function packText(name: string, text: string | undefined): Record<string, string> {
  if (text === undefined) return {};
  const chunks = Math.max(1, Math.ceil(text.length / CHUNK));
  if (chunks > MAX_CHUNKS) {
    throw new Error(`${name} of ${text.length} characters is too large for the task hub (at most ${CHUNK * MAX_CHUNKS}); keep orchestration data small`);
  }
  const out: Record<string, string> = {};
  for (let i = 0; i < chunks; i++) out[i === 0 ? name : `${name}_${i}`] = text.slice(i * CHUNK, (i + 1) * CHUNK);
  return out;
}

function unpackText(entity: Record<string, unknown>, name: string): string | undefined {
  const first = entity[name];
  if (typeof first !== 'string') return undefined;
  let text = first;
  for (let i = 1; typeof entity[`${name}_${i}`] === 'string'; i++) text += entity[`${name}_${i}`] as string;
  return text;
}

const seqKey = (executionId: string, seq: number) => `${executionId}.${String(seq).padStart(10, '0')}`;

export class TaskHubStore {
  private constructor(
    private readonly instances: TableClient,
    private readonly historyTable: TableClient,
    private readonly inbox: TableClient,
  ) {}

  static async open(connectionString: string, hub: string): Promise<TaskHubStore> {
    validateTaskHubName(hub);
    const insecure = /DefaultEndpointsProtocol=http;|UseDevelopmentStorage=true/i.test(connectionString);
    const table = (suffix: string) => TableClient.fromConnectionString(connectionString, `${hub}${suffix}`, { allowInsecureConnection: insecure });
    const store = new TaskHubStore(table('Instances'), table('History'), table('Inbox'));
    await Promise.all([store.instances.createTable(), store.historyTable.createTable(), store.inbox.createTable()]);
    return store;
  }

  // ---- instances ----

  async getInstance(instanceId: string): Promise<StoredInstance | undefined> {
    try {
      const entity = await this.instances.getEntity<Record<string, unknown>>(instanceId, '');
      return { record: fromInstanceEntity(entity), etag: entity.etag };
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  /** Creates the row, or replaces it when `etag` is given (a new generation of a finished instance). */
  async putInstance(record: InstanceRecord, etag?: string): Promise<string> {
    const entity = toInstanceEntity(record);
    try {
      const result = etag
        ? await this.instances.updateEntity(entity, 'Replace', { etag })
        : await this.instances.createEntity(entity);
      return result.etag ?? '';
    } catch (error) {
      if (error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412)) {
        throw new ConcurrencyError(`instance ${record.instanceId} changed while it was being written`);
      }
      throw error;
    }
  }

  async listInstances(filter: { statuses?: RuntimeStatus[]; createdFrom?: Date; createdTo?: Date } = {}): Promise<InstanceRecord[]> {
    const clauses: string[] = [];
    if (filter.statuses?.length) clauses.push(`(${filter.statuses.map((s) => odata`RuntimeStatus eq ${s}`).join(' or ')})`);
    if (filter.createdFrom) clauses.push(odata`CreatedTime ge ${filter.createdFrom.toISOString()}`);
    if (filter.createdTo) clauses.push(odata`CreatedTime le ${filter.createdTo.toISOString()}`);
    const out: InstanceRecord[] = [];
    const query = clauses.length ? { queryOptions: { filter: clauses.join(' and ') } } : {};
    for await (const entity of this.instances.listEntities<Record<string, unknown>>(query)) out.push(fromInstanceEntity(entity));
    return out;
  }

  /** Removes the history rows and messages of one (earlier) execution of an instance. */
  async deleteExecution(instanceId: string, executionId: string): Promise<void> {
    const history = odata`PartitionKey eq ${instanceId} and RowKey ge ${seqKey(executionId, 0)} and RowKey lt ${`${executionId}/`}`;
    await this.deleteWhere(this.historyTable, instanceId, history);
    await this.deleteWhere(this.inbox, instanceId, odata`PartitionKey eq ${instanceId} and ExecutionId eq ${executionId}`);
  }

  async deleteInstance(instanceId: string): Promise<boolean> {
    const found = await this.getInstance(instanceId);
    if (!found) return false;
    await this.deletePartition(this.historyTable, instanceId);
    await this.deletePartition(this.inbox, instanceId);
    await this.instances.deleteEntity(instanceId, '');
    return true;
  }

  // ---- history ----

  async loadHistory(instanceId: string, executionId: string, count: number): Promise<StoredHistoryEvent[]> {
    if (count === 0) return [];
    const filter = odata`PartitionKey eq ${instanceId} and RowKey ge ${seqKey(executionId, 0)} and RowKey lt ${seqKey(executionId, count)}`;
    const events: StoredHistoryEvent[] = [];
    for await (const entity of this.historyTable.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      const messageId = entity.MessageId;
      events.push({ json: unpackText(entity, 'Data')!, ...(typeof messageId === 'string' ? { messageId } : {}) });
    }
    if (events.length !== count) throw new Error(`history of ${instanceId} has ${events.length} committed events, expected ${count}`);
    return events;
  }

  /** Writes events `from`, `from + 1`, ... of an execution (upsert: rows of an uncommitted episode are overwritten). */
  async writeHistory(instanceId: string, executionId: string, from: number, events: StoredHistoryEvent[]): Promise<void> {
    const actions: TransactionAction[] = events.map((event, i) => [
      'upsert',
      {
        partitionKey: instanceId,
        rowKey: seqKey(executionId, from + i),
        EventType: (JSON.parse(event.json) as { EventType: number }).EventType,
        ...(event.messageId ? { MessageId: event.messageId } : {}),
        ...packText('Data', event.json),
      },
      'Replace',
    ]);
    await this.submitInBatches(this.historyTable, actions);
  }

  // ---- inbox ----

  async addMessages(instanceId: string, messages: InboxMessage[]): Promise<void> {
    const actions: TransactionAction[] = messages.map((message) => [
      'upsert',
      { partitionKey: instanceId, rowKey: message.id, ExecutionId: message.executionId, ...packText('Data', JSON.stringify(message.event)) },
      'Replace',
    ]);
    await this.submitInBatches(this.inbox, actions);
  }

  async loadMessages(instanceId: string): Promise<InboxMessage[]> {
    const out: InboxMessage[] = [];
    const filter = odata`PartitionKey eq ${instanceId}`;
    for await (const entity of this.inbox.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      out.push({ id: entity.rowKey!, executionId: entity.ExecutionId as string, event: JSON.parse(unpackText(entity, 'Data')!) as InboxEvent });
    }
    return out;
  }

  async deleteMessages(instanceId: string, ids: string[]): Promise<void> {
    const actions: TransactionAction[] = ids.map((id) => ['delete', { partitionKey: instanceId, rowKey: id }]);
    try {
      await this.submitInBatches(this.inbox, actions);
    } catch (error) {
      // A message already gone (a previous attempt deleted it) fails its whole batch; delete one by one then.
      if (!(error instanceof RestError && error.statusCode === 404)) throw error;
      for (const id of ids) await this.inbox.deleteEntity(instanceId, id).catch(ignoreNotFound);
    }
  }

  private async submitInBatches(table: TableClient, actions: TransactionAction[]): Promise<void> {
    let batch: TransactionAction[] = [];
    let chars = 0;
    for (const action of actions) {
      const size = JSON.stringify(action[1]).length;
      if (batch.length === MAX_BATCH || (batch.length > 0 && chars + size > MAX_BATCH_CHARS)) {
        await table.submitTransaction(batch);
        batch = [];
        chars = 0;
      }
      batch.push(action);
      chars += size;
    }
    if (batch.length > 0) await table.submitTransaction(batch);
  }

  private async deletePartition(table: TableClient, partitionKey: string): Promise<void> {
    await this.deleteWhere(table, partitionKey, odata`PartitionKey eq ${partitionKey}`);
  }

  private async deleteWhere(table: TableClient, partitionKey: string, filter: string): Promise<void> {
    const actions: TransactionAction[] = [];
    for await (const entity of table.listEntities<TableEntity>({ queryOptions: { filter, select: ['RowKey'] } })) {
      actions.push(['delete', { partitionKey, rowKey: entity.rowKey! }]);
    }
    await this.submitInBatches(table, actions);
  }
}

function ignoreNotFound(error: unknown): void {
  if (!(error instanceof RestError && error.statusCode === 404)) throw error;
}

function toInstanceEntity(record: InstanceRecord): TableEntity {
  return {
    partitionKey: record.instanceId,
    rowKey: '',
    Name: record.name,
    ExecutionId: record.executionId,
    RuntimeStatus: record.runtimeStatus,
    CreatedTime: record.createdTime,
    LastUpdatedTime: record.lastUpdatedTime,
    HistoryCount: record.historyCount,
    ...packText('Input', record.input),
    ...packText('Output', record.output),
    ...packText('CustomStatus', record.customStatus),
  };
}

function fromInstanceEntity(entity: Record<string, unknown>): InstanceRecord {
  const input = unpackText(entity, 'Input');
  const output = unpackText(entity, 'Output');
  const customStatus = unpackText(entity, 'CustomStatus');
  return {
    instanceId: entity.partitionKey as string,
    name: entity.Name as string,
    executionId: entity.ExecutionId as string,
    runtimeStatus: entity.RuntimeStatus as RuntimeStatus,
    createdTime: entity.CreatedTime as string,
    lastUpdatedTime: entity.LastUpdatedTime as string,
    historyCount: Number(entity.HistoryCount),
    ...(input !== undefined ? { input } : {}),
    ...(output !== undefined ? { output } : {}),
    ...(customStatus !== undefined ? { customStatus } : {}),
  };
}

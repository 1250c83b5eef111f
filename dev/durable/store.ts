import { RestError, TableClient, odata, type TableEntity, type TransactionAction } from '@azure/data-tables';
import { httpClientWithTimeout } from '../../shared/storage/request-timeout.js';
import { parseJsonText, type HistoryEvent } from './history.js';

/**
 * Task hub state in Azure Tables, as the Azure Storage provider keeps it: one row per
 * instance in `<hub>Instances` and one row per history event in `<hub>History`. The
 * instance row is the commit point of an episode: history rows are written first (batched)
 * and count only up to the row's `HistoryCount`, so a crash half-way through an episode
 * leaves rows that the next episode overwrites.
 */

export type RuntimeStatus = 'Pending' | 'Running' | 'Completed' | 'Failed';
export const isFinished = (status: RuntimeStatus) => status === 'Completed' || status === 'Failed';

export interface InstanceRecord {
  instanceId: string;
  name: string;
  executionId: string;
  runtimeStatus: RuntimeStatus;
  /** JSON text, as are output and customStatus. */
  input?: string;
  output?: string;
  customStatus?: string;
  createdTime: string;
  lastUpdatedTime: string;
  /** History events of the current execution that belong to committed episodes. */
  historyCount: number;
}

/** An instance as the durable client's status API shows it: the record with its JSON text parsed. */
export type OrchestrationStatus = Omit<InstanceRecord, 'executionId' | 'historyCount' | 'input' | 'output' | 'customStatus'> & Record<'input' | 'output' | 'customStatus', unknown>;

export function toStatus({ executionId, historyCount, input, output, customStatus, ...rest }: InstanceRecord): OrchestrationStatus {
  const json = (text: string | undefined) => parseJsonText(text) ?? null;
  return { ...rest, input: json(input), output: json(output), customStatus: json(customStatus) };
}

/** The instance row changed since it was read: someone else committed first. */
export class ConcurrencyError extends Error {}

const MAX_BATCH = 100;
// A transaction payload may not exceed 4 MiB; stay well below.
const MAX_BATCH_CHARS = 1_500_000;
// A string property holds at most 32K UTF-16 code units and an entity at most 1 MiB, so long text is spread over `Name`, `Name_1`, ...
const CHUNK = 30_000;
const MAX_CHUNKS = 15;
/** The instance row's JSON text columns, by the record field they hold. */
const TEXT_FIELDS = [['Input', 'input'], ['Output', 'output'], ['CustomStatus', 'customStatus']] as const;

function packText(name: string, text: string | undefined): Record<string, string> {
  if (text === undefined) return {};
  const chunks = Math.max(1, Math.ceil(text.length / CHUNK));
  if (chunks > MAX_CHUNKS) throw new Error(`${name} of ${text.length} characters is too large for the task hub; keep orchestration data small`);
  return Object.fromEntries(Array.from({ length: chunks }, (_, i) => [i === 0 ? name : `${name}_${i}`, text.slice(i * CHUNK, (i + 1) * CHUNK)]));
}

function unpackText(entity: Record<string, unknown>, name: string): string | undefined {
  if (typeof entity[name] !== 'string') return undefined;
  let text = entity[name] as string;
  for (let i = 1; typeof entity[`${name}_${i}`] === 'string'; i++) text += entity[`${name}_${i}`] as string;
  return text;
}

const seqKey = (executionId: string, seq: number) => `${executionId}.${String(seq).padStart(10, '0')}`;

export class TaskHubStore {
  private constructor(
    private readonly instances: TableClient,
    private readonly historyTable: TableClient,
  ) {}

  static async open(connectionString: string, hub: string): Promise<TaskHubStore> {
    const insecure = /DefaultEndpointsProtocol=http;|UseDevelopmentStorage=true/i.test(connectionString);
    const table = (suffix: string) => TableClient.fromConnectionString(connectionString, `${hub}${suffix}`, {
        allowInsecureConnection: insecure,
        httpClient: httpClientWithTimeout(),
      });
    const store = new TaskHubStore(table('Instances'), table('History'));
    await Promise.all([store.instances.createTable(), store.historyTable.createTable()]);
    return store;
  }

  async getInstance(instanceId: string): Promise<{ record: InstanceRecord; etag: string } | undefined> {
    try {
      const entity = await this.instances.getEntity<Record<string, unknown>>(instanceId, '');
      return { record: fromEntity(entity), etag: entity.etag };
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  /** Creates the row, or replaces it when `etag` is given; throws ConcurrencyError when someone else wrote it first. */
  async putInstance(record: InstanceRecord, etag?: string): Promise<string> {
    const { instanceId, name, executionId, runtimeStatus, createdTime, lastUpdatedTime, historyCount } = record;
    const entity: TableEntity = { partitionKey: instanceId, rowKey: '', Name: name, ExecutionId: executionId, RuntimeStatus: runtimeStatus };
    Object.assign(entity, { CreatedTime: createdTime, LastUpdatedTime: lastUpdatedTime, HistoryCount: historyCount });
    for (const [column, field] of TEXT_FIELDS) Object.assign(entity, packText(column, record[field]));
    try {
      return (etag ? await this.instances.updateEntity(entity, 'Replace', { etag }) : await this.instances.createEntity(entity)).etag ?? '';
    } catch (error) {
      if (!(error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412))) throw error;
      // A try that got no answer in time may still have been applied (a frozen or failing-over
      // service works through its backlog later), and the SDK's retry of it then collides with
      // that very write. Taken for someone else's, it would fail every later episode of the
      // instance on a stale ETag, and the orchestration would never move again.
      const stored = await this.getInstance(instanceId);
      if (stored && sameCommit(stored.record, record)) return stored.etag;
      throw new ConcurrencyError(`instance ${record.instanceId} changed while it was being written`);
    }
  }

  async listUnfinished(): Promise<InstanceRecord[]> {
    const out: InstanceRecord[] = [];
    const filter = odata`RuntimeStatus eq ${'Pending'} or RuntimeStatus eq ${'Running'}`;
    for await (const entity of this.instances.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) out.push(fromEntity(entity));
    return out;
  }

  async loadHistory(instanceId: string, executionId: string, count: number): Promise<HistoryEvent[]> {
    if (count === 0) return [];
    const filter = odata`PartitionKey eq ${instanceId} and RowKey ge ${seqKey(executionId, 0)} and RowKey lt ${seqKey(executionId, count)}`;
    const events: HistoryEvent[] = [];
    for await (const entity of this.historyTable.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) events.push(JSON.parse(unpackText(entity, 'Data')!));
    if (events.length !== count) throw new Error(`history of ${instanceId} has ${events.length} committed events, expected ${count}`);
    return events;
  }

  /** Writes events `from`, `from + 1`, ... of an execution (upsert: rows of an uncommitted episode are overwritten). */
  async writeHistory(instanceId: string, executionId: string, from: number, events: HistoryEvent[]): Promise<void> {
    const actions = events.map((event, i): TransactionAction => {
      const row = { partitionKey: instanceId, rowKey: seqKey(executionId, from + i), EventType: event.EventType, ...packText('Data', JSON.stringify(event)) };
      return ['upsert', row, 'Replace'];
    });
    await this.submitInBatches(actions);
  }

  /** Removes the history rows of an earlier execution (a finished instance started again). */
  /** Deletes an execution's history rows; `between` runs after each batch (a pause), and false from it stops the deletion. */
  async deleteHistory(instanceId: string, executionId: string, between?: () => Promise<boolean>): Promise<void> {
    const filter = odata`PartitionKey eq ${instanceId} and RowKey ge ${seqKey(executionId, 0)} and RowKey lt ${`${executionId}/`}`;
    const actions: TransactionAction[] = [];
    for await (const entity of this.historyTable.listEntities<TableEntity>({ queryOptions: { filter, select: ['RowKey'] } })) {
      actions.push(['delete', { partitionKey: instanceId, rowKey: entity.rowKey! }]);
    }
    await this.submitInBatches(actions, between);
  }

  private async submitInBatches(actions: TransactionAction[], between?: () => Promise<boolean>): Promise<void> {
    let batch: TransactionAction[] = [];
    let chars = 0;
    for (const action of actions) {
      const size = payloadChars(action[1]);
      if (batch.length === MAX_BATCH || (batch.length > 0 && chars + size > MAX_BATCH_CHARS)) {
        await this.historyTable.submitTransaction(batch);
        [batch, chars] = [[], 0];
        if (between && !(await between())) return;
      }
      batch.push(action);
      chars += size;
    }
    if (batch.length > 0) await this.historyTable.submitTransaction(batch);
  }
}

/** The row holds this very commit: same execution, history length, status and time (an episode always adds history and moves the time). */
function sameCommit(stored: InstanceRecord, written: InstanceRecord): boolean {
  return (
    stored.executionId === written.executionId &&
    stored.historyCount === written.historyCount &&
    stored.runtimeStatus === written.runtimeStatus &&
    stored.lastUpdatedTime === written.lastUpdatedTime
  );
}

/**
 * At most what a row adds to a transaction's body: every string escaped to twice its length
 * (the history's JSON text inside the body's JSON), plus the property names and a margin.
 * Serializing each row only to measure it was a tenth of what a tenant's refresh allocated.
 */
function payloadChars(row: TableEntity): number {
  let chars = 64;
  for (const [name, value] of Object.entries(row)) chars += name.length + 8 + (typeof value === 'string' ? 2 * value.length : 32);
  return chars;
}

function fromEntity(entity: Record<string, unknown>): InstanceRecord {
  const record: InstanceRecord = {
    instanceId: entity.partitionKey as string,
    name: entity.Name as string,
    executionId: entity.ExecutionId as string,
    runtimeStatus: entity.RuntimeStatus as RuntimeStatus,
    createdTime: entity.CreatedTime as string,
    lastUpdatedTime: entity.LastUpdatedTime as string,
    historyCount: Number(entity.HistoryCount),
  };
  for (const [column, field] of TEXT_FIELDS) {
    const text = unpackText(entity, column);
    if (text !== undefined) record[field] = text;
  }
  return record;
}

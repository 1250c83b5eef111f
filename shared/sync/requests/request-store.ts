import { odata } from '@azure/data-tables';
import type { ContainerClient } from '@azure/storage-blob';
import type { AcceptedRequest, ProcessingOutcome } from '../../destinations/types.js';
import type { StorageClients } from '../../storage/clients.js';
import { JsonTable } from '../../storage/json-table.js';

const TABLE = 'destinationrequests';

/**
 * A member request a destination accepted and processes later (Google's Data Manager API),
 * kept from the run that sent it until its outcome is known: which run, segment and
 * audience it belongs to, how often it was checked, and what the service said.
 */
export interface StoredRequest {
  requestId: string;
  exportId: string;
  runId: string;
  segment: string;
  audienceId: string;
  operation: AcceptedRequest['operation'];
  /** Members it carried (their ids wait in `membersBlob` until the outcome is final). */
  members: number;
  membersBlob?: string;
  sentAt: string;
  state: ProcessingOutcome['state'];
  serviceState?: string;
  recordCount?: number;
  matchRateRange?: string;
  checks: number;
  nextCheckAt: string;
  checkedAt?: string;
  /** Members taken back out of the ledger (a failed add) or owed a removal again (a failed remove). */
  returned?: number;
  detail?: string;
}

/**
 * One partition per export, a row per request. The member ids of a request go to a blob
 * beside the export's ledgers (`<exportId>/requests/<requestId>.txt`): deleted once the
 * outcome is final, and with the ledgers when the export is deleted.
 */
export class RequestStore {
  private readonly table: JsonTable<StoredRequest>;

  constructor(private readonly storage: StorageClients) {
    this.table = new JsonTable(() => storage.ensureTable(TABLE), 'destination request', (request) => ({
      state: request.state,
      runId: request.runId,
      nextCheckAt: request.nextCheckAt,
    }));
  }

  static membersBlobName(exportId: string, requestId: string): string {
    return `${exportId}/requests/${encodeURIComponent(requestId)}.txt`;
  }

  /** Keeps the requests a send step saw accepted; their members first, so a kept request always has them. */
  async record(
    ledgers: ContainerClient,
    ref: { exportId: string; runId: string; segment: string; audienceId: string },
    requests: AcceptedRequest[],
    now: Date,
    firstCheckMs: number,
  ): Promise<void> {
    for (const request of requests) {
      const membersBlob = request.memberIds.length > 0 ? RequestStore.membersBlobName(ref.exportId, request.requestId) : undefined;
      if (membersBlob) await ledgers.getBlockBlobClient(membersBlob).uploadData(Buffer.from(request.memberIds.join('\n') + '\n', 'utf8'));
      await this.table.replace(ref.exportId, request.requestId, {
        ...ref,
        requestId: request.requestId,
        operation: request.operation,
        members: request.memberIds.length,
        ...(membersBlob ? { membersBlob } : {}),
        sentAt: now.toISOString(),
        state: 'processing',
        checks: 0,
        nextCheckAt: new Date(now.getTime() + firstCheckMs).toISOString(),
      });
    }
  }

  async update(request: StoredRequest): Promise<void> {
    await this.table.replace(request.exportId, request.requestId, request);
  }

  /** The export's requests still processing whose next check is due. */
  async due(exportId: string, now: Date): Promise<StoredRequest[]> {
    const due: StoredRequest[] = [];
    for await (const row of this.table.all(exportId, odata`state eq 'processing' and nextCheckAt le ${now.toISOString()}`)) due.push(row.value);
    return due;
  }

  /** Every request of one run, oldest first. */
  async ofRun(exportId: string, runId: string): Promise<StoredRequest[]> {
    const all: StoredRequest[] = [];
    for await (const row of this.table.all(exportId, odata`runId eq ${runId}`)) all.push(row.value);
    return all.sort((a, b) => a.sentAt.localeCompare(b.sentAt) || a.requestId.localeCompare(b.requestId));
  }

  /** When the export is deleted. */
  async deleteByExport(exportId: string): Promise<void> {
    for await (const row of this.table.all(exportId)) await this.table.delete(exportId, row.value.requestId).catch(() => undefined);
  }
}

const stores = new WeakMap<StorageClients, RequestStore>();

export function requestStore(storage: StorageClients): RequestStore {
  let store = stores.get(storage);
  if (!store) {
    store = new RequestStore(storage);
    stores.set(storage, store);
  }
  return store;
}

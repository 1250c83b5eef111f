import { JsonTable } from '../storage/json-table.js';
import type { StorageClients } from '../storage/clients.js';
import type { Webhook } from './model.js';

/** Webhooks by export: partition = export id, row = webhook id. */
export class WebhookStore {
  private readonly rows: JsonTable<Webhook>;

  constructor(storage: StorageClients) {
    this.rows = new JsonTable(() => storage.ensureTable('webhooks'), 'webhook');
  }

  async list(exportId: string): Promise<Webhook[]> {
    const found: Webhook[] = [];
    for await (const row of this.rows.all(exportId)) found.push(row.value);
    return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async find(exportId: string, id: string): Promise<Webhook | undefined> {
    return (await this.rows.find(exportId, id))?.value;
  }

  async create(webhook: Webhook): Promise<void> {
    await this.rows.replace(webhook.exportId, webhook.id, webhook);
  }

  async replace(webhook: Webhook): Promise<void> {
    await this.rows.replace(webhook.exportId, webhook.id, webhook);
  }

  async delete(exportId: string, id: string): Promise<void> {
    await this.rows.delete(exportId, id);
  }

}

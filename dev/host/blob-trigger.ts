import { RestError, odata, type TableClient } from '@azure/data-tables';
import type { BlobServiceClient, BlobItem } from '@azure/storage-blob';
import { bulkhead } from 'cockatiel';
import type { LogSink } from './invoke.js';
import type { BlobPath } from './blob-path.js';
import { blobBindingData } from '../../shared/storage/blob-binding.js';
import { modelBindingInput } from './model-binding.js';

/**
 * A blob trigger on Azurite. In Azure the host learns about new blobs from Event Grid (or
 * by scanning); here we poll the container. Each blob name + ETag is processed once: a
 * receipt row says so, and survives restarts. A blob whose function keeps failing is
 * tried `maxAttempts` times (host.json `poisonBlobThreshold`), then recorded as poison.
 */
export interface BlobTriggerOptions {
  functionName: string;
  path: BlobPath;
  blobs: BlobServiceClient;
  receipts: TableClient;
  poison: TableClient;
  maxAttempts: number;
  parallelism: number;
  pollIntervalMs: number;
  /** Larger blobs are handed to the function as an empty buffer (the real host would load them whole). */
  maxContentBytes: number;
  /**
   * Set when the binding asks for deferred binding (`sdkBinding: true`): the function gets
   * what the worker makes of the host's model binding data (a client), never the bytes.
   * `connection` is what the host puts in the data: the connection setting's value.
   */
  deferredBinding?: { connection: string | null };
  /** Runs the function with its trigger input; throws when it fails. */
  invoke(input: unknown, triggerMetadata: Record<string, unknown>): Promise<void>;
  log: LogSink;
}

interface BlobProperties {
  etag?: string;
  contentLength?: number;
  contentType?: string;
  contentEncoding?: string;
  lastModified?: Date;
  createdOn?: Date;
}

interface Receipt {
  etag: string;
  status: 'done' | 'failed' | 'poison';
  attempts: number;
}

export class BlobTrigger {
  private receipts = new Map<string, Receipt>();
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly limiter;
  private handle?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private stopped = false;
  private lastPollError = '';

  constructor(private readonly options: BlobTriggerOptions) {
    this.limiter = bulkhead(options.parallelism, Number.POSITIVE_INFINITY);
  }

  async start(): Promise<void> {
    await this.options.blobs.getContainerClient(this.options.path.container).createIfNotExists();
    await Promise.all([this.options.receipts.createTable(), this.options.poison.createTable()]);
    for await (const row of this.options.receipts.listEntities<{ ETag: string; Status: Receipt['status']; Attempts: number }>({
      queryOptions: { filter: odata`PartitionKey eq ${this.options.functionName}` },
    })) {
      this.receipts.set(row.rowKey!, { etag: row.ETag, status: row.Status, attempts: Number(row.Attempts) });
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.handle) clearTimeout(this.handle);
    await this.polling;
    await Promise.allSettled(this.inflight.values());
  }

  /** One scan of the container; resolves when the blobs found are being processed. */
  async poll(): Promise<void> {
    const { path, blobs } = this.options;
    const container = blobs.getContainerClient(path.container);
    const found: BlobItem[] = [];
    for await (const blob of container.listBlobsFlat({ prefix: path.prefix, includeMetadata: true })) {
      if (path.match(blob.name) && this.isDue(blob)) found.push(blob);
    }
    found.sort((a, b) => (a.properties.lastModified?.getTime() ?? 0) - (b.properties.lastModified?.getTime() ?? 0));
    for (const blob of found) {
      const key = receiptKey(path.container, blob.name);
      if (this.inflight.has(key)) continue;
      // Nobody awaits `run` but stop(): a rejection left on it (e.g. storage refusing the poison
      // row) would take the whole host down. Without a new receipt the blob is due again.
      const run = this.limiter
        .execute(() => this.process(blob))
        .catch((error: unknown) => this.report('error', `${path.container}/${blob.name}: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, run);
    }
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.handle = setTimeout(() => {
      this.polling = this.poll()
        .then(() => {
          this.lastPollError = '';
        })
        .catch((error) => {
          const message = (error as Error).message;
          // One line per distinct problem, not one per second.
          if (message !== this.lastPollError) this.report('warning', `polling container '${this.options.path.container}' failed: ${message}`);
          this.lastPollError = message;
        })
        .finally(() => this.schedule(this.options.pollIntervalMs));
    }, delay);
    this.handle.unref();
  }

  private isDue(blob: BlobItem): boolean {
    const receipt = this.receipts.get(receiptKey(this.options.path.container, blob.name));
    if (!receipt || receipt.etag !== blob.properties.etag) return true;
    return receipt.status === 'failed';
  }

  /** Runs the function for one blob now (the admin API); no receipt, failures go to the caller. */
  async runOnce(fullName: string): Promise<void> {
    const { path, blobs } = this.options;
    const prefix = `${path.container}/`;
    if (!fullName.startsWith(prefix)) throw new Error(`${fullName} is not in container '${path.container}'`);
    const name = fullName.slice(prefix.length);
    if (!path.match(name)) throw new Error(`${fullName} does not match the trigger path ${path.container}/${path.names.map((n) => `{${n}}`).join('/')}`);
    const properties = await blobs.getContainerClient(path.container).getBlobClient(name).getProperties();
    await this.run(name, {
      etag: properties.etag,
      contentLength: properties.contentLength,
      contentType: properties.contentType,
      contentEncoding: properties.contentEncoding,
      lastModified: properties.lastModified,
      createdOn: properties.createdOn,
    }, properties.metadata ?? {});
  }

  private async process(blob: BlobItem): Promise<void> {
    if (this.stopped) return;
    const { path, functionName } = this.options;
    const key = receiptKey(path.container, blob.name);
    const etag = blob.properties.etag ?? '';
    const previous = this.receipts.get(key);
    const attempts = (previous && previous.etag === etag ? previous.attempts : 0) + 1;
    try {
      await this.run(blob.name, blob.properties, blob.metadata ?? {});
      await this.saveReceipt(key, { etag, status: 'done', attempts });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (attempts >= this.options.maxAttempts) {
        await this.options.poison.upsertEntity(
          {
            partitionKey: functionName,
            rowKey: `${key}.${Buffer.from(etag).toString('base64url')}`,
            FunctionId: functionName,
            BlobType: 'BlockBlob',
            ContainerName: path.container,
            BlobName: blob.name,
            ETag: etag,
            Attempts: attempts,
            LastError: reason.slice(0, 30_000),
            PoisonedAt: new Date().toISOString(),
          },
          'Replace',
        );
        await this.saveReceipt(key, { etag, status: 'poison', attempts });
        this.report('error', `${path.container}/${blob.name} failed ${attempts} times and is now poison: ${reason}`);
      } else {
        await this.saveReceipt(key, { etag, status: 'failed', attempts });
        this.report('warning', `${path.container}/${blob.name} failed (attempt ${attempts} of ${this.options.maxAttempts}): ${reason}`);
      }
    }
  }

  /** Hands the blob to the function with the trigger metadata the host provides. */
  private async run(name: string, properties: BlobProperties, metadata: Record<string, string>): Promise<void> {
    const { path, blobs } = this.options;
    const client = blobs.getContainerClient(path.container).getBlobClient(name);
    const length = properties.contentLength ?? 0;
    let content: unknown;
    const deferred = this.options.deferredBinding;
    if (deferred) {
      content = modelBindingInput(blobBindingData({ connection: deferred.connection, containerName: path.container, blobName: name }));
    } else if (length > this.options.maxContentBytes) {
      this.report('warning', `${path.container}/${name} has ${length} bytes; the function gets an empty buffer (in Azure the host would load the whole blob into memory)`);
      content = Buffer.alloc(0);
    } else {
      content = await client.downloadToBuffer();
    }
    await this.options.invoke(content, {
      ...path.match(name),
      blobTrigger: `${path.container}/${name}`,
      uri: client.url,
      properties: {
        length,
        contentType: properties.contentType,
        contentEncoding: properties.contentEncoding,
        eTag: properties.etag,
        lastModified: properties.lastModified?.toISOString(),
        created: properties.createdOn?.toISOString(),
      },
      metadata,
    });
  }

  private async saveReceipt(key: string, receipt: Receipt): Promise<void> {
    this.receipts.set(key, receipt);
    try {
      await this.options.receipts.upsertEntity(
        { partitionKey: this.options.functionName, rowKey: key, ETag: receipt.etag, Status: receipt.status, Attempts: receipt.attempts },
        'Replace',
      );
    } catch (error) {
      if (!(error instanceof RestError)) throw error;
      this.report('warning', `could not save the receipt for ${key}: ${error.message}`);
    }
  }

  private report(level: 'warning' | 'error', message: string): void {
    this.options.log({ level, functionName: this.options.functionName, invocationId: 'blob-trigger', message, time: new Date() });
  }
}

/** Table keys may not contain `/`: the receipt key is the blob's full name, base64url. */
function receiptKey(container: string, blobName: string): string {
  return Buffer.from(`${container}/${blobName}`).toString('base64url');
}

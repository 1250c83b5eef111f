import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TokenCredential } from '@azure/identity';
import type { PipelineOptions } from '@azure/core-rest-pipeline';
import { BlobServiceClient, type StoragePipelineOptions, type StorageRetryOptions } from '@azure/storage-blob';

/**
 * How long a blob connection may stay silent while the app waits on it: no byte sent or
 * received while connecting, sending a body or waiting for the answer. The blob SDK waits
 * forever by default, and its `tryTimeoutInMs` is only sent to the service as the
 * server-side `timeout`, which a service that does not answer cannot honour.
 *
 * It bounds silence, not a whole transfer: a multi-GB segment download or a block upload
 * that keeps moving is never cut, however long it takes. Time the app itself is not reading
 * (a download held back while its consumer works) is not silence either. Blob operations
 * the service does not stream answer within seconds; 20 s of nothing is a service that is
 * down, failing over or frozen.
 */
export const BLOB_IDLE_TIMEOUT_MS = 20_000;

export interface BlobServiceOptions {
  /** Silence after which a try is abandoned (and retried by the SDK). */
  idleTimeoutMs?: number;
  /** The SDK's own retry options (tries, backoff); its defaults when absent. */
  retryOptions?: StorageRetryOptions;
}

/** A blob service client from a connection string (Azurite, shared key or SAS), with the idle bound. */
export function blobServiceFromConnectionString(connectionString: string, options: BlobServiceOptions = {}): BlobServiceClient {
  // The client only parses here; its URL tells which protocol the connections speak.
  const { url } = BlobServiceClient.fromConnectionString(connectionString);
  return BlobServiceClient.fromConnectionString(connectionString, pipelineOptions(url, options));
}

/** A blob service client for an account URL and a credential (the managed identity in Azure), with the idle bound. */
export function blobServiceFromUrl(url: string, credential: TokenCredential, options: BlobServiceOptions = {}): BlobServiceClient {
  return new BlobServiceClient(url, credential, pipelineOptions(url, options));
}

function pipelineOptions(url: string, options: BlobServiceOptions): StoragePipelineOptions {
  // `agent` is not in StoragePipelineOptions' type, but the blob SDK passes its options on
  // to core-rest-pipeline's createPipelineFromOptions, which sets it on every request
  // (agentPolicy). blob-service.test.ts fails if that ever stops being so.
  const withAgent: StoragePipelineOptions & Pick<PipelineOptions, 'agent'> = {
    agent: idleTimeoutAgent(new URL(url).protocol, options.idleTimeoutMs ?? BLOB_IDLE_TIMEOUT_MS),
    ...(options.retryOptions ? { retryOptions: options.retryOptions } : {}),
  };
  return withAgent;
}

/** One keep-alive pool per protocol and bound, shared by every blob client of the process. */
const agents = new Map<string, http.Agent>();

function idleTimeoutAgent(protocol: string, idleTimeoutMs: number): http.Agent {
  const key = `${protocol}${idleTimeoutMs}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = protocol === 'https:' ? new IdleTimeoutHttpsAgent(idleTimeoutMs) : new IdleTimeoutHttpAgent(idleTimeoutMs);
    agents.set(key, agent);
  }
  return agent;
}

/**
 * Node only reports a socket's silence ('timeout'); nothing ends the request. Ending the
 * socket with an ETIMEDOUT error fails the try with a RestError of that code, which the
 * blob SDK's retry policy retries, and a download already streaming resumes from where it
 * stopped (the SDK's download retries). A socket paused because its reader is busy is not
 * silent: the check comes back later instead.
 */
function endSilentSockets(socket: Duplex | null | undefined, idleTimeoutMs: number): void {
  const tcp = socket as Socket | null | undefined;
  if (!tcp || typeof tcp.setTimeout !== 'function') return;
  tcp.setTimeout(idleTimeoutMs);
  tcp.on('timeout', () => {
    if (tcp.isPaused()) return void tcp.setTimeout(idleTimeoutMs);
    // Timers run before the loop polls its sockets: after a stall of the whole process (a
    // long GC, a starved CPU) the bound can fire with bytes already waiting to be read. Let
    // one poll pass first; a socket that moved in it was not silent.
    const moved = tcp.bytesRead + tcp.bytesWritten;
    setImmediate(() => {
      if (tcp.destroyed) return;
      if (tcp.isPaused() || tcp.bytesRead + tcp.bytesWritten !== moved) return void tcp.setTimeout(idleTimeoutMs);
      tcp.destroy(Object.assign(new Error(`blob storage sent nothing for ${idleTimeoutMs} ms`), { code: 'ETIMEDOUT' }));
    });
  });
}

class IdleTimeoutHttpAgent extends http.Agent {
  constructor(private readonly idleTimeoutMs: number) {
    super({ keepAlive: true, timeout: idleTimeoutMs });
  }

  override createConnection(options: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void) {
    const socket = super.createConnection(options, callback);
    endSilentSockets(socket, this.idleTimeoutMs);
    return socket;
  }
}

class IdleTimeoutHttpsAgent extends https.Agent {
  constructor(private readonly idleTimeoutMs: number) {
    super({ keepAlive: true, timeout: idleTimeoutMs });
  }

  override createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void) {
    const socket = super.createConnection(options, callback);
    endSilentSockets(socket, this.idleTimeoutMs);
    return socket;
  }
}

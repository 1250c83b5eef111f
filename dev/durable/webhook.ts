import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OrchestrationStatus } from './store.js';

/**
 * The part of the Durable extension's HTTP API that the real `DurableClient` calls for the app:
 * start an instance, read its status (under `/durabletask/` and `/runtime/webhooks/durabletask/`).
 */

/** An error of the durable client API, with the HTTP status the extension's webhook answers it with. */
export const durableApiError = (status: 400 | 404 | 409, message: string) => Object.assign(new Error(message), { status });

/** What the webhook needs of the driver. */
export interface DurableEndpoint {
  startNew(orchestration: string, options: { instanceId?: string; input?: unknown }): Promise<string>;
  getStatus(instanceId: string): Promise<OrchestrationStatus | undefined>;
}

const WEBHOOK_PREFIX = '/runtime/webhooks/durabletask/';
const RPC_PREFIX = '/durabletask/';

/**
 * The value of a `durableClient` input binding. The client's own calls go to `rpcBaseUrl`;
 * the management URLs are what `createCheckStatusResponse` hands out (the SDK requires the
 * three objects to be there).
 */
export function durableClientBinding(baseUrl: string, taskHub: string) {
  const statusQueryGetUri = `${baseUrl}${WEBHOOK_PREFIX}instances/INSTANCEID?taskHub=${taskHub}&connection=Storage`;
  return { taskHubName: taskHub, creationUrls: {}, managementUrls: { id: 'INSTANCEID', statusQueryGetUri }, rpcBaseUrl: `${baseUrl}${RPC_PREFIX}` };
}

/** Serves a durable API request; false when the path is not one of ours. */
export async function handleDurableRequest(endpoint: DurableEndpoint, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://local');
  const prefix = [WEBHOOK_PREFIX, RPC_PREFIX].find((p) => url.pathname.startsWith(p));
  if (!prefix) return false;
  const path = url.pathname.slice(prefix.length);
  const match = (method: string, pattern: RegExp) => (req.method === method ? pattern.exec(path)?.map((part) => part && decodeURIComponent(part)) : undefined);
  const start = match('POST', /^orchestrators\/([^/]+)(?:\/([^/]+))?$/);
  const status = match('GET', /^instances\/([^/]+)$/);
  try {
    if (start) {
      const [, name, instanceId] = start;
      const body = Buffer.concat(await req.toArray()).toString('utf8').trim();
      const options = { ...(instanceId ? { instanceId } : {}), ...(body !== '' ? { input: JSON.parse(body) as unknown } : {}) };
      send(res, 202, { id: await endpoint.startNew(name!, options) });
    } else if (status) {
      const [, id] = status;
      const found = await endpoint.getStatus(id!);
      if (!found) send(res, 404, { message: `No instance with ID '${id}' found.` });
      else if (found.runtimeStatus !== 'Failed') send(res, found.runtimeStatus === 'Completed' ? 200 : 202, found);
      else send(res, url.searchParams.get('returnInternalServerErrorOnFailure') === 'true' ? 500 : 400, found);
    } else {
      send(res, 404, { message: `the local durable driver does not serve ${req.method} ${url.pathname}` });
    }
  } catch (error) {
    send(res, (error as { status?: number }).status ?? 500, { message: error instanceof Error ? error.message : String(error) });
  }
  return true;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

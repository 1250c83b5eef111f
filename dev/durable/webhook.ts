import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DurableDriver, OrchestrationStatus } from './driver.js';
import { BadDurableRequestError, DurableApiError } from './errors.js';
import type { RuntimeStatus } from './store.js';

/**
 * The Durable extension's HTTP API, which the real `DurableClient` (durable-functions)
 * calls: the RPC routes under `rpcBaseUrl` (`/durabletask/...`) and the public webhook
 * routes behind the status URLs (`/runtime/webhooks/durabletask/...`). Both map onto the
 * same driver calls.
 */

const WEBHOOK_PREFIX = '/runtime/webhooks/durabletask/';
const RPC_PREFIX = '/durabletask/';
const MAX_BODY = 16 * 1024 * 1024;
const STATUSES: ReadonlySet<string> = new Set<RuntimeStatus>(['Pending', 'Running', 'Completed', 'Failed', 'Terminated']);

/** The value of a `durableClient` input binding, as the extension builds it. */
export function durableClientBinding(baseUrl: string, taskHub: string) {
  const webhook = `${baseUrl}${WEBHOOK_PREFIX.slice(0, -1)}`;
  const query = `taskHub=${taskHub}&connection=Storage`;
  const instance = `${webhook}/instances/INSTANCEID`;
  return {
    taskHubName: taskHub,
    creationUrls: {
      createNewInstancePostUri: `${webhook}/orchestrators/{functionName}[/{instanceId}]?${query}`,
      createAndWaitOnNewInstancePostUri: `${webhook}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${query}`,
    },
    managementUrls: {
      id: 'INSTANCEID',
      statusQueryGetUri: `${instance}?${query}`,
      sendEventPostUri: `${instance}/raiseEvent/{eventName}?${query}`,
      terminatePostUri: `${instance}/terminate?reason={text}&${query}`,
      rewindPostUri: `${instance}/rewind?reason={text}&${query}`,
      purgeHistoryDeleteUri: `${instance}?${query}`,
      restartPostUri: `${instance}/restart?${query}`,
      suspendPostUri: `${instance}/suspend?reason={text}&${query}`,
      resumePostUri: `${instance}/resume?reason={text}&${query}`,
    },
    baseUrl: webhook,
    requiredQueryStringParameters: query,
    rpcBaseUrl: `${baseUrl}${RPC_PREFIX}`,
  };
}

export async function handleDurableRequest(driver: DurableDriver, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://local');
  const prefix = [WEBHOOK_PREFIX, RPC_PREFIX].find((p) => url.pathname.startsWith(p));
  if (!prefix) return false;
  const parts = url.pathname.slice(prefix.length).split('/').map(decodeURIComponent);
  const method = (req.method ?? 'GET').toUpperCase();
  const origin = `http://${req.headers.host ?? 'localhost'}`;
  try {
    await route(driver, { method, parts, query: url.searchParams, req, res, origin });
  } catch (error) {
    if (error instanceof DurableApiError) send(res, error.status, { message: error.message });
    else send(res, 500, { message: error instanceof Error ? error.message : String(error) });
  }
  return true;
}

interface Call {
  method: string;
  parts: string[];
  query: URLSearchParams;
  req: IncomingMessage;
  res: ServerResponse;
  origin: string;
}

async function route(driver: DurableDriver, call: Call): Promise<void> {
  const { method, parts, query, res } = call;
  const [resource, id, action, arg] = parts;
  if (resource === 'orchestrators' && method === 'POST' && id) return startInstance(driver, call, id, action || undefined);
  if (resource === 'entities') return send(res, 501, { message: 'Durable entities are not supported by the local durable driver.' });
  if (resource !== 'instances') return send(res, 404, { message: `no durable route ${method} ${parts.join('/')}` });

  if (!id) {
    if (method === 'GET') return send(res, 200, await driver.listStatuses(filterFrom(query)));
    if (method === 'DELETE') {
      const statuses = await driver.listStatuses(filterFrom(query));
      let deleted = 0;
      for (const status of statuses) if (await driver.purge(status.instanceId)) deleted++;
      return send(res, deleted > 0 ? 200 : 404, { instancesDeleted: deleted });
    }
  } else if (!action) {
    if (method === 'GET') return sendStatus(driver, call, id);
    if (method === 'DELETE') {
      const deleted = await driver.purge(id);
      return send(res, deleted ? 200 : 404, { instancesDeleted: deleted ? 1 : 0 });
    }
  } else if (method === 'POST') {
    if (action === 'raiseEvent' && arg) {
      const body = await readBody(call.req);
      await driver.raiseEventJson(id, arg, body === '' ? undefined : body);
      return send(res, 202);
    }
    if (action === 'terminate') {
      await driver.terminate(id, query.get('reason') ?? '');
      return send(res, 202);
    }
    if (['suspend', 'resume', 'rewind', 'restart'].includes(action)) {
      return send(res, 501, { message: `'${action}' is not supported by the local durable driver.` });
    }
  }
  send(res, 405, { message: `${method} is not allowed on ${parts.join('/')}` });
}

async function startInstance(driver: DurableDriver, call: Call, name: string, instanceId: string | undefined): Promise<void> {
  const body = await readBody(call.req);
  if (body !== '') {
    try {
      JSON.parse(body);
    } catch {
      throw new BadDurableRequestError('the request body must be JSON (the orchestration input)');
    }
  }
  const id = await driver.startNewJson(name, instanceId, body === '' ? undefined : body);
  const timeoutSeconds = Number(call.query.get('timeout'));
  if (timeoutSeconds > 0) {
    const status = await driver.waitForCompletion(id, timeoutSeconds * 1_000).catch(() => undefined);
    if (status) return send(call.res, 200, status.output);
  }
  const links = managementLinks(driver, call.origin, id);
  send(call.res, 202, links, { Location: links.statusQueryGetUri });
}

async function sendStatus(driver: DurableDriver, call: Call, id: string): Promise<void> {
  const status = await driver.getStatus(id);
  if (!status) return send(call.res, 404, { message: `No instance with ID '${id}' found.` });
  const body: OrchestrationStatus & { historyEvents?: unknown[] } = { ...status };
  if (call.query.get('showInput') === 'false') body.input = null;
  if (call.query.get('showHistory') === 'true') body.historyEvents = await driver.history(id);
  let code = 202;
  if (status.runtimeStatus === 'Completed') code = 200;
  if (status.runtimeStatus === 'Failed' || status.runtimeStatus === 'Terminated') {
    code = status.runtimeStatus === 'Failed' && call.query.get('returnInternalServerErrorOnFailure') === 'true' ? 500 : 400;
  }
  const headers: Record<string, string> = code === 202 ? { Location: managementLinks(driver, call.origin, id).statusQueryGetUri, 'Retry-After': '10' } : {};
  send(call.res, code, body, headers);
}

function managementLinks(driver: DurableDriver, origin: string, id: string) {
  const binding = durableClientBinding(origin, driver.taskHub);
  const links: Record<string, string> = {};
  for (const [key, value] of Object.entries(binding.managementUrls)) links[key] = value.replace('INSTANCEID', encodeURIComponent(id));
  return links as typeof binding.managementUrls;
}

function filterFrom(query: URLSearchParams): { statuses?: RuntimeStatus[]; createdFrom?: Date; createdTo?: Date } {
  const statuses = query.get('runtimeStatus')?.split(',').filter(Boolean);
  const unknown = statuses?.find((s) => !STATUSES.has(s));
  if (unknown) throw new BadDurableRequestError(`runtimeStatus '${unknown}' is not one of ${[...STATUSES].join(', ')}`);
  const date = (name: string) => {
    const value = query.get(name);
    if (!value) return undefined;
    const parsed = new Date(value);
    if (Number.isNaN(parsed.getTime())) throw new BadDurableRequestError(`${name} is not a date: ${value}`);
    return parsed;
  };
  const createdFrom = date('createdTimeFrom');
  const createdTo = date('createdTimeTo');
  return {
    ...(statuses?.length ? { statuses: statuses as RuntimeStatus[] } : {}),
    ...(createdFrom ? { createdFrom } : {}),
    ...(createdTo ? { createdTo } : {}),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new BadDurableRequestError(`request body larger than ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8').trim();
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}

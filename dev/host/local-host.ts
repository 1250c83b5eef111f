import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { blobServiceFromConnectionString } from '../../shared/storage/blob-service.js';
import { httpClientWithTimeout } from '../../shared/storage/request-timeout.js';
import { DurableDriver } from '../durable/driver.js';
import { parseBlobPath } from './blob-path.js';
import { BlobTrigger } from './blob-trigger.js';
import { readHostJson, type HostJson } from './host-json.js';
import { toHttpRequest, writeHttpResponse } from './http-bridge.js';
import { supportsDeferredBinding } from './model-binding.js';
import { consoleLogSink, invokeFunction, type InvokeOptions, type LogSink } from './invoke.js';
import { loadFunctionApp, type FunctionRegistry, type RegisteredFunction } from './registry.js';
import { bySpecificity, compileRoute, decodeSegment, matchRoute, type CompiledRoute } from './routes.js';
import { applyLocalSettings, readLocalSettings, resolveSettingReferences } from './settings.js';
import { parseTimerSchedule } from './timer-schedule.js';
import { TimerTrigger } from './timer-trigger.js';

/**
 * A stand-in for the Functions host (Core Tools cannot be installed here): loads the app's
 * registrations exactly as the Node worker would and serves them: HTTP triggers under
 * `/api`, timer triggers on their NCRONTAB schedule, blob triggers by watching Azurite,
 * orchestrations and activities through the durable driver, and the host's admin API.
 * Nothing in `functions/` knows which host runs it.
 */
export interface LocalHostOptions {
  /** Folder with host.json and local.settings(.sample).json; default: the repository root. */
  root?: string;
  /** Default 7071; 0 picks a free port. */
  port?: number;
  hostname?: string;
  /** Loads the app's registrations; default `functions/index.ts`. */
  load?: () => Promise<unknown>;
  log?: LogSink;
  /** How often blob-triggered containers are scanned; default 1 s. */
  blobPollIntervalMs?: number;
  /** Blobs up to this size are handed to blob-triggered functions; default 256 MiB. */
  maxBlobTriggerBytes?: number;
  /** Durable timers wait this fraction of their duration (see DurableDriverOptions). */
  timeScale?: number;
  /**
   * Storage for the task hub's tables, where it is not AzureWebJobsStorage (in Azure: the
   * durable extension's `storageProvider.connectionName`). The tenant benchmark gives it an
   * Azurite of its own: one emulator thread served the app's tables and every episode's
   * history, and was busy all the time while the app waited on it.
   */
  taskHubConnectionString?: string;
  /** Activity slots, where not host.json's `maxConcurrentActivityFunctions` (a test that needs the slots scarce). */
  maxConcurrentActivities?: number;
}

export interface RunningLocalHost {
  /** e.g. http://127.0.0.1:7071 */
  url: string;
  registry: FunctionRegistry;
  driver: DurableDriver;
  hostJson: HostJson;
  stop(): Promise<void>;
}

interface HttpRoute {
  fn: RegisteredFunction;
  route: CompiledRoute;
  methods?: Set<string>;
}

const REPO_ROOT = path.resolve(__dirname, '../..');
const STORAGE_TABLES = { receipts: 'WebJobsBlobReceipts', poison: 'WebJobsBlobTriggerPoison', timers: 'WebJobsTimerStatus' };

export async function startLocalHost(options: LocalHostOptions = {}): Promise<RunningLocalHost> {
  const root = options.root ?? REPO_ROOT;
  const log = options.log ?? consoleLogSink;
  const hostLog = (level: 'information' | 'warning' | 'error', message: string) =>
    log({ level, functionName: 'Host', invocationId: 'host', message, time: new Date() });

  applyLocalSettings(readLocalSettings(root));
  const hostJson = readHostJson(root);
  const registry = await loadFunctionApp(options.load);
  const connectionString = process.env.AzureWebJobsStorage;
  if (!connectionString) throw new Error('AzureWebJobsStorage is not set: the local host needs a storage connection string (Azurite)');

  const hostname = options.hostname ?? '127.0.0.1';
  // Requests that arrive while the host is still starting get a 503, never silence.
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = http.createServer((req, res) => {
    if (handler) return handler(req, res);
    res.writeHead(503, { 'Retry-After': '1', 'Content-Type': 'application/json' }).end(JSON.stringify({ state: 'Initialized' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7071, hostname, resolve);
  });
  const url = `http://${hostname}:${(server.address() as AddressInfo).port}`;
  // Core Tools sets this too; the durable client builds its URLs from it.
  process.env.WEBSITE_HOSTNAME ??= new URL(url).host;

  const driver = await DurableDriver.create({
    registry,
    connectionString: options.taskHubConnectionString ?? connectionString,
    taskHub: hostJson.taskHub,
    maxConcurrentActivities: options.maxConcurrentActivities ?? hostJson.maxConcurrentActivityFunctions,
    maxConcurrentOrchestrations: hostJson.maxConcurrentOrchestratorFunctions,
    activityTimeoutMs: hostJson.functionTimeoutMs,
    webhookBaseUrl: url,
    log,
    ...(options.timeScale !== undefined ? { timeScale: options.timeScale } : {}),
  });

  const inflight = new Set<Promise<unknown>>();
  const invoke = (name: string, input: unknown, extra: Omit<InvokeOptions, 'durable' | 'log'> = {}) => {
    const run = invokeFunction(registry, name, input, { ...extra, durable: driver, log });
    inflight.add(run);
    void run.finally(() => inflight.delete(run)).catch(() => undefined);
    return run;
  };

  const httpRoutes = collectHttpRoutes(registry);
  const timers = await createTimerTriggers(registry, connectionString, log, async (name, timer) => {
    await invoke(name, timer).catch((error) => hostLog('error', `${name} failed: ${errorText(error)}`));
  });
  const blobTriggers = createBlobTriggers(registry, hostJson, connectionString, options, log, async (name, content, triggerMetadata) => {
    await invoke(name, content, { triggerMetadata });
  });
  for (const fn of registry.functions.values()) {
    if (!['httpTrigger', 'timerTrigger', 'blobTrigger', 'orchestrationTrigger', 'activityTrigger'].includes(fn.trigger.type)) {
      hostLog('warning', `${fn.name}: ${fn.trigger.type} is not served by the local host; call it with POST /admin/functions/${fn.name}`);
    }
  }


  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (await driver.handleWebhook(req, res)) return;
    const requestUrl = new URL(req.url ?? '/', url);
    const method = (req.method ?? 'GET').toUpperCase();
    if (requestUrl.pathname.startsWith('/admin/')) return admin(req, res, requestUrl, method);
    const prefix = hostJson.routePrefix ? `/${hostJson.routePrefix}` : '';
    if (prefix && !(requestUrl.pathname === prefix || requestUrl.pathname.startsWith(`${prefix}/`))) return notFound(res);
    const below = requestUrl.pathname.slice(prefix.length);
    for (const candidate of httpRoutes) {
      const params = matchRoute(candidate.route, below);
      if (!params || (candidate.methods && !candidate.methods.has(method))) continue;
      const started = Date.now();
      const request = toHttpRequest(req, requestUrl, params);
      let returned: unknown;
      try {
        ({ result: returned } = await invoke(candidate.fn.name, request));
      } catch (error) {
        hostLog('error', `${candidate.fn.name} failed: ${errorText(error)}`);
        res.writeHead(500).end();
        return;
      }
      // The function answered without reading the whole body (a 413): the rest is still on the
      // wire, so this connection cannot carry another request. Say so, as Kestrel does.
      if (!req.complete) res.setHeader('connection', 'close');
      await writeHttpResponse(res, returned, method);
      hostLog('information', `${method} ${requestUrl.pathname} -> ${candidate.fn.name} ${res.statusCode} in ${Date.now() - started} ms`);
      return;
    }
    notFound(res);
  }

  async function admin(req: IncomingMessage, res: ServerResponse, requestUrl: URL, method: string): Promise<void> {
    const parts = requestUrl.pathname.split('/').filter(Boolean).map(decodeSegment);
    if (parts[1] === 'host' && parts[2] === 'status' && method === 'GET') {
      return json(res, 200, { state: 'Running', url, taskHub: hostJson.taskHub, functions: registry.functions.size, pid: process.pid });
    }
    if (parts[1] !== 'functions') return notFound(res);
    if (parts.length === 2 && method === 'GET') return json(res, 200, [...registry.functions.values()].map(describeFunction));
    const fn = parts[2] ? registry.functions.get(parts[2]) : undefined;
    if (!fn || parts.length !== 3) return notFound(res);
    if (method === 'GET') return json(res, 200, describeFunction(fn));
    if (method !== 'POST') return json(res, 405, { message: 'use POST to run a function' });
    const body = await readJson(req);
    const input = (body as { input?: unknown } | undefined)?.input;
    const run = runFromAdmin(fn, input);
    if (!run) return json(res, 400, { message: `${fn.name} (${fn.trigger.type}) cannot be run from the admin API` });
    // As the real host: accepted at once, the function runs in the background.
    json(res, 202, { accepted: fn.name });
    run.catch((error) => hostLog('error', `${fn.name} failed: ${errorText(error)}`));
  }

  function runFromAdmin(fn: RegisteredFunction, input: unknown): Promise<unknown> | undefined {
    switch (fn.trigger.type) {
      case 'timerTrigger':
        return timers.get(fn.name)!.fireNow();
      case 'blobTrigger':
        if (typeof input !== 'string') return Promise.reject(new Error('a blob trigger takes {"input": "<container>/<blob name>"}'));
        return blobTriggers.get(fn.name)!.runOnce(input);
      case 'httpTrigger':
      case 'orchestrationTrigger':
      case 'activityTrigger':
        return undefined;
      default:
        return invoke(fn.name, input);
    }
  }

  await driver.start();
  for (const timer of timers.values()) await timer.start();
  for (const trigger of blobTriggers.values()) await trigger.start();
  handler = (req, res) => {
    void handle(req, res).catch((error) => {
      hostLog('error', `${req.method} ${req.url} failed: ${errorText(error)}`);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  };

  let stopping: Promise<void> | undefined;
  return {
    url,
    registry,
    driver,
    hostJson,
    stop: () => {
      stopping ??= (async () => {
        await Promise.all([...timers.values()].map((t) => t.stop()));
        await Promise.all([...blobTriggers.values()].map((t) => t.stop()));
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await Promise.race([Promise.allSettled([...inflight]), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
        await driver.stop();
        server.closeAllConnections();
        await closed;
      })();
      return stopping;
    },
  };
}

function collectHttpRoutes(registry: FunctionRegistry): HttpRoute[] {
  return registry
    .byTrigger('httpTrigger')
    .map((fn) => {
      const binding = fn.trigger as { route?: string; methods?: string[] };
      const methods = binding.methods?.length ? new Set(binding.methods.map((m) => m.toUpperCase())) : undefined;
      return { fn, route: compileRoute(binding.route ?? fn.name), ...(methods ? { methods } : {}) };
    })
    .sort((a, b) => bySpecificity(a.route, b.route));
}

async function createTimerTriggers(
  registry: FunctionRegistry,
  connectionString: string,
  log: LogSink,
  run: (name: string, timer: unknown) => Promise<void>,
): Promise<Map<string, TimerTrigger>> {
  const timers = new Map<string, TimerTrigger>();
  const fns = registry.byTrigger('timerTrigger');
  if (fns.length === 0) return timers;
  const statusTable = storageTable(connectionString, STORAGE_TABLES.timers);
  await statusTable.createTable();
  for (const fn of fns) {
    const binding = fn.trigger as { schedule?: string; runOnStartup?: boolean; useMonitor?: boolean };
    const expression = resolveSettingReferences(binding.schedule ?? '', process.env, `${fn.name} schedule`);
    const schedule = parseTimerSchedule(expression);
    const monitored = binding.useMonitor !== false;
    timers.set(fn.name, new TimerTrigger(fn.name, schedule, (timer) => run(fn.name, timer), monitored ? statusTable : undefined, binding.runOnStartup ?? false, log));
  }
  return timers;
}

function createBlobTriggers(
  registry: FunctionRegistry,
  hostJson: HostJson,
  defaultConnection: string,
  options: LocalHostOptions,
  log: LogSink,
  run: (name: string, input: unknown, triggerMetadata: Record<string, unknown>) => Promise<void>,
): Map<string, BlobTrigger> {
  const triggers = new Map<string, BlobTrigger>();
  for (const fn of registry.byTrigger('blobTrigger')) {
    const binding = fn.trigger as { path?: string; connection?: string };
    const blobPath = parseBlobPath(resolveSettingReferences(binding.path ?? '', process.env, `${fn.name} path`));
    const settingName = binding.connection || 'AzureWebJobsStorage';
    const connection = process.env[settingName] ?? (settingName === 'AzureWebJobsStorage' ? defaultConnection : undefined);
    if (!connection) throw new Error(`${fn.name}: the connection setting '${settingName}' is not set (the local host needs a connection string)`);
    triggers.set(
      fn.name,
      new BlobTrigger({
        functionName: fn.name,
        path: blobPath,
        blobs: blobServiceFromConnectionString(connection),
        receipts: storageTable(defaultConnection, STORAGE_TABLES.receipts),
        poison: storageTable(defaultConnection, STORAGE_TABLES.poison),
        maxAttempts: hostJson.blobs.poisonBlobThreshold,
        parallelism: hostJson.blobs.maxDegreeOfParallelism,
        pollIntervalMs: options.blobPollIntervalMs ?? 1_000,
        maxContentBytes: options.maxBlobTriggerBytes ?? 256 * 1024 * 1024,
        ...(supportsDeferredBinding(fn.trigger) ? { deferredBinding: { connection } } : {}),
        invoke: (content, metadata) => run(fn.name, content, metadata),
        log,
      }),
    );
  }
  return triggers;
}

function storageTable(connectionString: string, name: string): TableClient {
  const insecure = /DefaultEndpointsProtocol=http;|UseDevelopmentStorage=true/i.test(connectionString);
  return TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: insecure, httpClient: httpClientWithTimeout() });
}

function describeFunction(fn: RegisteredFunction) {
  return { name: fn.name, trigger: fn.trigger };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return { input: text };
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

function notFound(res: ServerResponse): void {
  res.writeHead(404).end();
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

import { randomBytes } from 'node:crypto';
import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import { afterAll, beforeAll } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import { startSimulators, type RunningSimulators } from '../../dev/simulators/index.js';
import { DurableDriver } from '../../dev/durable/index.js';
import { invokeFunction } from '../../dev/host/invoke.js';
import { loadFunctionApp, type FunctionRegistry, type RegisteredFunction } from '../../dev/host/registry.js';
import { bySpecificity, compileRoute, matchRoute, type CompiledRoute } from '../../dev/host/routes.js';
import { encodeClientPrincipal } from '../../shared/api/principal.js';
import { getServices, resetServices, type Services } from '../../shared/services.js';

/**
 * The app's real HTTP handlers, as registered by functions/index.ts, called with real
 * HttpRequest objects against a private Azurite. Everything the handlers and the console
 * log is captured, so tests can assert what never appears in logs.
 */

export type Caller = 'anonymous' | 'no-role' | 'contributor' | 'admin';

export const callers: Record<Exclude<Caller, 'anonymous'>, { userId: string; userDetails: string; userRoles: string[] }> = {
  'no-role': { userId: 'user-plain', userDetails: 'plain@example.com', userRoles: ['authenticated'] },
  contributor: { userId: 'user-contributor', userDetails: 'contributor@example.com', userRoles: ['authenticated', 'contributor'] },
  admin: { userId: 'user-admin', userDetails: 'admin@example.com', userRoles: ['authenticated', 'admin'] },
};

export interface CallOptions {
  as?: Caller;
  body?: unknown;
  /** Sent as is, instead of JSON of `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Record<string, string>;
  body: T;
  text: string;
}

export interface ApiHarness {
  services: () => Services;
  registry: FunctionRegistry;
  /** Runs the orchestrations the run routes start, on the same Azurite. */
  durable: DurableDriver;
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<ApiResponse<T>>;
  /** Everything logged so far through InvocationContext and the console. */
  logs: string[];
  stop(): Promise<void>;
}

interface HttpRoute {
  fn: RegisteredFunction;
  route: CompiledRoute;
  methods: Set<string>;
}

/** Unless a test points them at the simulators, destinations resolve to a closed loopback port: never the internet. */
const OFFLINE_DESTINATIONS = {
  ADROLL_API_URL: 'http://127.0.0.1:9',
  ROLLWORKS_API_URL: 'http://127.0.0.1:9',
  MSADS_API_URL: 'http://127.0.0.1:9',
  MSADS_TOKEN_URL: 'http://127.0.0.1:9/token',
  AUTOPILOT_API_URL: 'http://127.0.0.1:9/v1',
};

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;

export async function startApi(env: Record<string, string> = {}): Promise<ApiHarness> {
  const azurite: RunningAzurite = await startAzurite();
  Object.assign(process.env, {
    AzureWebJobsStorage: azurite.connectionString,
    SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ...OFFLINE_DESTINATIONS,
    ...env,
  });
  delete process.env.DEV_PRINCIPAL;
  delete process.env.KEY_VAULT_URL;
  resetServices();

  const logs: string[] = [];
  const originals = CONSOLE_METHODS.map((name) => [name, console[name]] as const);
  for (const name of CONSOLE_METHODS) {
    console[name] = (...args: unknown[]) => {
      logs.push(args.map(String).join(' '));
    };
  }

  const registry = await loadFunctionApp();
  const durable = await DurableDriver.create({
    registry,
    connectionString: azurite.connectionString,
    taskHub: `apitests${randomBytes(4).toString('hex')}`,
    timeScale: 0.001,
    log: (entry) => logs.push(`[${entry.level}] ${entry.message}`),
  });
  await durable.start();
  const routes: HttpRoute[] = registry
    .byTrigger('httpTrigger')
    .map((fn) => {
      const trigger = fn.trigger as { route?: string; methods?: string[] };
      return { fn, route: compileRoute(trigger.route ?? fn.name), methods: new Set((trigger.methods ?? []).map((m) => m.toUpperCase())) };
    })
    .sort((a, b) => bySpecificity(a.route, b.route));

  async function call(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
    const url = new URL(path, 'http://localhost');
    const below = url.pathname.replace(/^\/api\/?/, '');
    let params: Record<string, string> | undefined;
    const match = routes.find((r) => r.methods.has(method.toUpperCase()) && (params = matchRoute(r.route, below)) !== undefined);
    if (!match || !params) throw new Error(`no function serves ${method} ${url.pathname}`);
    const headers: Record<string, string> = { ...options.headers };
    const as = options.as ?? 'admin';
    if (as !== 'anonymous') headers['x-ms-client-principal'] = encodeClientPrincipal(callers[as]);
    const text = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const given = (name: string) => Object.keys(headers).some((h) => h.toLowerCase() === name);
    if (text !== undefined && !given('content-type')) headers['content-type'] = 'application/json';
    // What a browser client of the API sends on a body-less state-changing request (the CSRF defence).
    if (text === undefined && method.toUpperCase() === 'POST' && !given('x-requested-with')) headers['x-requested-with'] = 'XMLHttpRequest';
    // An empty value leaves a header out, so a test can send a request without it.
    for (const [name, value] of Object.entries(headers)) if (value === '') delete headers[name];
    const request = new HttpRequest({
      method: method.toUpperCase(),
      url: url.toString(),
      headers,
      params,
      ...(text !== undefined ? { body: { string: text } } : {}),
    });
    const { result } = await invokeFunction<HttpResponseInit>(registry, match.fn.name, request, {
      durable,
      log: (entry) => logs.push(`[${entry.level}] ${entry.message}`),
    });
    const responseHeaders = Object.fromEntries(Object.entries((result.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const bodyText = await textOf(result.body);
    const json = responseHeaders['content-type']?.includes('json') ?? false;
    return {
      status: result.status ?? 200,
      headers: responseHeaders,
      text: bodyText,
      body: bodyText && json ? JSON.parse(bodyText) : bodyText || undefined,
    };
  }

  return {
    services: getServices,
    registry,
    durable,
    call,
    logs,
    async stop() {
      await durable.stop();
      for (const [name, original] of originals) console[name] = original;
      resetServices();
      await azurite.stop();
    },
  };
}

/**
 * For a test file: starts the simulators (no rate limits) and the API pointed at them before
 * its tests, stops both after, and hands them over through `ready`.
 */
export function useApiWithSimulators(ready: (started: { api: ApiHarness; sims: RunningSimulators }) => void): void {
  let started: { api?: ApiHarness; sims?: RunningSimulators } = {};
  beforeAll(async () => {
    const sims = await startSimulators({ rateLimits: 'off' });
    started = { sims };
    const api = await startApi(sims.env);
    started = { api, sims };
    ready({ api, sims });
  });
  afterAll(async () => {
    await started.api?.stop();
    await started.sims?.stop();
  });
}

async function textOf(body: unknown): Promise<string> {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (typeof body === 'object' && Symbol.asyncIterator in body) {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8');
  }
  return JSON.stringify(body);
}

/** Minimal valid bodies, one per destination type, with the simulators' development credentials. */
export const validConnection = {
  adroll: { type: 'adroll', credentials: { refreshToken: 'adroll-refresh-token-value' } },
  rollworks: { type: 'rollworks', credentials: { personalAccessToken: 'rollworks-pat-value' } },
  'microsoft-advertising': { type: 'microsoft-advertising', credentials: { refreshToken: 'msads-refresh-token-value' } },
  autopilot: { type: 'autopilot', credentials: { apiKey: 'autopilot-api-key-value' } },
} as const;

export const validSettings = {
  adroll: { advertiserId: 'ADV01' },
  rollworks: { advertiserId: 'RWADV01' },
  'microsoft-advertising': { customerId: '1000001', accountId: '2000001' },
  autopilot: {},
} as const;

let counter = 0;
export const uniqueName = (prefix: string) => `${prefix} ${Date.now().toString(36)}-${++counter}`;

/** Creates a connection as admin and returns its body (throws unless 201). */
export async function createConnection(
  api: ApiHarness,
  type: keyof typeof validConnection = 'autopilot',
  extra: Record<string, unknown> = {},
): Promise<{ id: string; etag: string; [key: string]: unknown }> {
  const response = await api.call('POST', '/api/connections', {
    body: { ...validConnection[type], displayName: uniqueName(type), consent: true, ...extra },
  });
  if (response.status !== 201) throw new Error(`creating a connection answered ${response.status}: ${response.text}`);
  return response.body;
}

/** Creates an export as `as` (default admin) on the connection and returns its body (throws unless 201). */
export async function createExport(
  api: ApiHarness,
  connection: { id: string; type?: unknown },
  extra: Record<string, unknown> = {},
  as: Caller = 'admin',
): Promise<{ id: string; etag: string; [key: string]: unknown }> {
  const type = (connection.type ?? 'autopilot') as keyof typeof validSettings;
  const response = await api.call('POST', '/api/exports', {
    as,
    body: { name: uniqueName('export'), connectionId: connection.id, segments: ['buyers'], dataMatching: { email: 'email' }, settings: validSettings[type], ...extra },
  });
  if (response.status !== 201) throw new Error(`creating an export answered ${response.status}: ${response.text}`);
  return response.body;
}

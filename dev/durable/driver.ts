import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { bulkhead, type BulkheadPolicy } from 'cockatiel';
import type { FunctionRegistry } from '../host/registry.js';
import { consoleLogSink, invokeFunction, type LogSink } from '../host/invoke.js';
import { newExecutionId as newId, replayRecorded, runEpisode, startedEvent, type EpisodeResult, type OrchestrationTriggerPayload, type ReplayCheck } from './episode.js';
import { at, EventType, parseJsonText, toJsonText, type HistoryEvent, type InboxEvent } from './history.js';
import { ConcurrencyError, isFinished, TaskHubStore, toStatus, type InstanceRecord, type OrchestrationStatus } from './store.js';
import { durableApiError, durableClientBinding, handleDurableRequest, type DurableEndpoint } from './webhook.js';

/** The pause after each batch of an old history's deletion: the running instances' episodes go first. */
const CLEANUP_PAUSE_MS = 250;

export interface DurableDriverOptions {
  registry: FunctionRegistry;
  connectionString: string;
  taskHub: string;
  /** host.json `extensions.durableTask.maxConcurrentActivityFunctions` (default 8) and `maxConcurrentOrchestratorFunctions` (default 4). */
  maxConcurrentActivities?: number;
  maxConcurrentOrchestrations?: number;
  /** Where handleWebhook is served, for the client binding; without it the driver serves a loopback port of its own. */
  webhookBaseUrl?: string;
  /** Durable timers (and retry back-off) wait this fraction of their duration in real time; the orchestration clock moves by the full duration. */
  timeScale?: number;
  /** Where function logs and the driver's own messages go; default: the console. */
  log?: LogSink;
  /** How long stop() waits for running activities before giving up on them; default 10 s. */
  stopTimeoutMs?: number;
  /**
   * host.json `functionTimeout`: an activity still running after this long fails with the
   * host's timeout message, its slot is given back and the orchestration's retry policy
   * decides, as in Azure. Without it one activity that never returns holds a slot for good.
   */
  activityTimeoutMs?: number;
}

/** What the driver keeps in memory about one instance. */
interface Runtime {
  id: string;
  record: InstanceRecord;
  etag: string;
  /** Committed history of the current execution; never handed to the SDK (it mutates events). */
  history: HistoryEvent[];
  /** Events not in the history yet, in memory only: after a crash, an activity whose outcome was not committed runs again (at-least-once, as in Azure). */
  inbox: InboxEvent[];
  episodeRunning: boolean;
  /** Sequence numbers of the activities started and timers armed in the current execution. */
  dispatched: Set<number>;
  lastStarted: number;
  /** Episodes that failed in a row (storage errors); sets the back-off. */
  failures: number;
}

/**
 * Runs the app's orchestrations locally, the way the Durable extension does with the Azure
 * Storage provider: state in tables, every episode through the real SDK replay, activities
 * through their registered handlers, and the extension's HTTP API for the real DurableClient.
 */
export class DurableDriver implements DurableEndpoint {
  private readonly runtimes = new Map<string, Runtime>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly activities: BulkheadPolicy;
  /** Deleting finished executions' histories: one at a time, in the background. */
  private readonly cleanups: BulkheadPolicy;
  private readonly orchestrations: BulkheadPolicy;
  private readonly log: LogSink;
  private started = false;
  private stopping = false;
  private stopped = false;

  private constructor(
    private readonly options: DurableDriverOptions,
    private readonly store: TaskHubStore,
    private readonly baseUrl: string,
    private readonly server?: http.Server,
  ) {
    this.activities = bulkhead(options.maxConcurrentActivities ?? 8, Number.POSITIVE_INFINITY);
    this.orchestrations = bulkhead(options.maxConcurrentOrchestrations ?? 4, Number.POSITIVE_INFINITY);
    this.cleanups = bulkhead(1, Number.POSITIVE_INFINITY);
    this.log = options.log ?? consoleLogSink;
  }

  static async create(options: DurableDriverOptions): Promise<DurableDriver> {
    const store = await TaskHubStore.open(options.connectionString, options.taskHub);
    if (options.webhookBaseUrl) return new DurableDriver(options, store, options.webhookBaseUrl.replace(/\/+$/, ''));
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
    const driver = new DurableDriver(options, store, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server);
    server.on('request', (req, res) => void driver.handleWebhook(req, res).then((handled) => handled || res.writeHead(404).end()));
    return driver;
  }

  /** Resumes unfinished instances from storage and begins processing. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const { instanceId } of await this.store.listUnfinished()) {
      if (!this.runtimes.has(instanceId)) this.runtimes.set(instanceId, newRuntime(await this.recorded(instanceId)));
    }
    for (const rt of this.runtimes.values()) this.resume(rt);
  }

  /** Stops taking work and waits (bounded) for activities and episodes already running. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopping = true;
    const timeout = new Promise((resolve) => setTimeout(resolve, this.options.stopTimeoutMs ?? 10_000).unref());
    await Promise.race([Promise.allSettled([...this.inflight]), timeout]);
    this.stopped = true;
    this.server?.closeAllConnections();
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }

  async startNew(orchestration: string, options: { instanceId?: string; input?: unknown } = {}): Promise<string> {
    if (this.options.registry.functions.get(orchestration)?.trigger.type !== 'orchestrationTrigger') {
      throw durableApiError(400, `The function '${orchestration}' doesn't exist, is disabled, or is not an orchestrator function.`);
    }
    const id = options.instanceId ?? newId();
    const existing = await this.store.getInstance(id);
    const exists = (status: string) => durableApiError(409, `An orchestration instance with ID '${id}' already exists and is ${status}.`);
    if (existing && !isFinished(existing.record.runtimeStatus)) throw exists(existing.record.runtimeStatus);
    const now = new Date();
    const input = options.input !== undefined ? { input: toJsonText(options.input) } : {};
    const record: InstanceRecord = { instanceId: id, name: orchestration, executionId: newId(), runtimeStatus: 'Pending', ...input, historyCount: 0, createdTime: now.toISOString(), lastUpdatedTime: now.toISOString() };
    let etag: string;
    try {
      etag = await this.store.putInstance(record, existing?.etag);
    } catch (error) {
      throw error instanceof ConcurrencyError ? exists('being started by another request') : error;
    }
    if (existing) this.deleteHistoryLater(existing.record);
    // Only the request that won the instance row replaces what this process knows about it.
    const rt = newRuntime({ record, etag, history: [] });
    rt.inbox.push(startedEvent(record, now));
    this.runtimes.set(id, rt);
    if (this.started) this.requestEpisode(rt);
    return id;
  }

  /**
   * An execution's rows are keyed by its execution id, which nothing reads again once a
   * newer one started, so they go in the background. Awaited, a paced run's history
   * (thousands of events) took 2 s to delete, and the blob trigger that started the next run
   * held its slot meanwhile. One history at a time, pausing between batches: eight paced
   * runs' histories deleted at once kept the emulator's table thread busy for the first 4 s
   * of a tenant's refresh, while the new runs waited on it for every episode.
   */
  private deleteHistoryLater({ instanceId, executionId, name }: InstanceRecord): void {
    const between = () => sleep(CLEANUP_PAUSE_MS).then(() => !this.stopping);
    this.track(
      this.cleanups
        .execute(() => (this.stopping ? undefined : this.store.deleteHistory(instanceId, executionId, between)))
        .catch((error) => this.report(name, 'warning', `could not clean up an earlier execution of ${instanceId}: ${errorText(error)}`)),
    );
  }

  async getStatus(instanceId: string): Promise<OrchestrationStatus | undefined> {
    const found = await this.store.getInstance(instanceId);
    return found && toStatus(found.record);
  }

  async waitForCompletion(instanceId: string, timeoutMs = 60_000): Promise<OrchestrationStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.getStatus(instanceId);
      if (!status) throw notFound(instanceId);
      if (isFinished(status.runtimeStatus)) return status;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`orchestration ${instanceId} did not finish within ${timeoutMs} ms: ${status.runtimeStatus}, custom status ${JSON.stringify(status.customStatus)}`);
      if (this.stopped) throw new Error(`the durable driver stopped while waiting for ${instanceId}`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, 50)).unref());
    }
  }

  /** The committed history of the instance's current execution. */
  async history(instanceId: string): Promise<HistoryEvent[]> {
    return (await this.recorded(instanceId)).history;
  }

  /** Replays the recorded history once more (tests of determinism): a finished instance must come out done, with the same output and nothing new to schedule. */
  async replay(instanceId: string): Promise<ReplayCheck> {
    const { record, history } = await this.recorded(instanceId);
    return replayRecorded(record, history, (payload) => this.invokeOrchestrator(record.name, payload));
  }

  /** The value of a `df.input.durableClient()` extra input (see DurableClientSource). */
  clientBinding(): unknown {
    return durableClientBinding(this.baseUrl, this.options.taskHub);
  }

  /** Serves the extension's HTTP API (what DurableClient calls); false when the route is not ours. */
  handleWebhook(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    return handleDurableRequest(this, req, res);
  }

  private requestEpisode(rt: Runtime): void {
    if (this.stopping || rt.episodeRunning) return;
    rt.episodeRunning = true;
    this.track(this.runEpisodes(rt));
  }

  /** Runs episodes for the instance until its inbox is empty, one at a time. */
  private async runEpisodes(rt: Runtime): Promise<void> {
    let retryInMs: number | undefined;
    try {
      await this.orchestrations.execute(async () => {
        while (rt.inbox.length > 0 && !this.stopping) await this.episode(rt);
      });
      rt.failures = 0;
    } catch (error) {
      // Storage trouble, most likely: the events are back in the inbox, so try again later.
      retryInMs = Math.min(30_000, 500 * 2 ** rt.failures++);
      this.report(rt.record.name, 'error', `episode of ${rt.id} failed; retrying in ${retryInMs} ms: ${errorText(error)}`);
    }
    rt.episodeRunning = false;
    if (retryInMs !== undefined) setTimeout(() => this.requestEpisode(rt), retryInMs).unref();
    // Events may have arrived after the last episode looked.
    else if (rt.inbox.length > 0) this.requestEpisode(rt);
  }

  private async episode(rt: Runtime): Promise<void> {
    if (isFinished(rt.record.runtimeStatus)) rt.inbox = [];
    const events = rt.inbox.splice(0);
    if (events.length === 0) return;
    const { record } = rt;
    const now = this.episodeTime(rt, events);
    let result: EpisodeResult;
    try {
      result = await runEpisode(record, rt.history, events, now, (payload) => this.invokeOrchestrator(record.name, payload));
      if (this.stopped) return;
      await this.store.writeHistory(rt.id, record.executionId, rt.history.length, result.appended);
      rt.etag = await this.store.putInstance(result.record, rt.etag);
    } catch (error) {
      rt.inbox.unshift(...events);
      if (error instanceof ConcurrencyError) return this.resync(rt);
      throw error;
    }
    rt.record = result.record;
    rt.lastStarted = now.getTime();
    if (result.failure) this.report(record.name, 'error', `instance ${rt.id} failed: ${result.failure}`);
    // After continueAsNew, what the previous execution still had coming no longer matters, nor does its history.
    if (result.continuedAsNew) {
      Object.assign(rt, { history: [], dispatched: new Set(), inbox: [startedEvent(result.record, now)] });
      this.deleteHistoryLater(record);
    } else rt.history.push(...result.appended);
    for (const work of result.newWork) {
      if (work.kind === 'activity') this.dispatchActivity(rt, work.id, work.name, toJsonText(work.input));
      else this.armTimer(rt, work.id, work.fireAt);
    }
  }

  private async invokeOrchestrator(name: string, payload: OrchestrationTriggerPayload): Promise<unknown> {
    return (await invokeFunction(this.options.registry, name, payload, { durable: this, log: this.log })).result;
  }

  /** The orchestration clock: never behind the wall clock or an earlier episode, nor before a timer that fired in this episode (with a time scale, timers fire early). */
  private episodeTime(rt: Runtime, events: InboxEvent[]): Date {
    let time = Math.max(Date.now(), rt.lastStarted + 1);
    for (const e of events) if (e.EventType === EventType.TimerFired) time = Math.max(time, Date.parse(e.FireAt));
    return new Date(time);
  }

  private dispatchActivity(rt: Runtime, taskId: number, name: string, inputJson: string | undefined): void {
    if (rt.dispatched.has(taskId) || this.stopping) return;
    rt.dispatched.add(taskId);
    const executionId = rt.record.executionId;
    const run = this.activities.execute(async () => {
      if (this.stopping) return;
      let event: InboxEvent;
      try {
        const invocation = invokeFunction(this.options.registry, name, parseJsonText(inputJson), { durable: this, log: this.log });
        const { result } = await withinFunctionTimeout(invocation, name, this.options.activityTimeoutMs);
        event = { EventType: EventType.TaskCompleted, ...at(new Date()), TaskScheduledId: taskId, Result: toJsonText(result) };
      } catch (error) {
        const err = error instanceof Error ? error : new Error(String(error));
        const failure = { Reason: `Activity function '${name}' failed: ${err.message}`, Details: err.stack ?? err.message };
        event = { EventType: EventType.TaskFailed, ...at(new Date()), TaskScheduledId: taskId, ...failure };
      }
      // After a stop the outcome is dropped: the activity runs again when the instance resumes.
      if (!this.stopped) this.deliver(rt, executionId, event);
    });
    this.track(run);
  }

  private armTimer(rt: Runtime, timerId: number, fireAt: Date): void {
    if (rt.dispatched.has(timerId) || this.stopping) return;
    rt.dispatched.add(timerId);
    const executionId = rt.record.executionId;
    const wait = Math.max(0, (fireAt.getTime() - Math.max(Date.now(), rt.lastStarted)) * (this.options.timeScale ?? 1));
    const fired = () => this.deliver(rt, executionId, { EventType: EventType.TimerFired, ...at(new Date()), TimerId: timerId, FireAt: fireAt.toISOString() });
    // Unreferenced, so it never holds a stopping process; firing for a finished or newer execution is ignored. (setTimeout's limit is
    // about 24 days; the app's timers are minutes.)
    setTimeout(fired, Math.min(wait, 2 ** 31 - 1)).unref();
  }

  /** Takes up what an earlier process left unfinished: a start, activities without an outcome, timers not yet fired. */
  private resume(rt: Runtime): void {
    if (isFinished(rt.record.runtimeStatus)) return;
    if (rt.history.length === 0 && rt.inbox.length === 0) rt.inbox.push(startedEvent(rt.record, new Date(rt.record.lastUpdatedTime)));
    const finished = new Set<number>();
    for (const e of rt.history) {
      if (e.EventType === EventType.TaskCompleted || e.EventType === EventType.TaskFailed) finished.add(e.TaskScheduledId);
      if (e.EventType === EventType.TimerFired) finished.add(e.TimerId);
    }
    for (const e of rt.history) {
      if (e.EventType === EventType.TaskScheduled && !finished.has(e.EventId)) this.dispatchActivity(rt, e.EventId, e.Name, e.Input);
      if (e.EventType === EventType.TimerCreated && !finished.has(e.EventId)) this.armTimer(rt, e.EventId, new Date(e.FireAt));
    }
    this.requestEpisode(rt);
  }

  /**
   * The instance row moved on without this runtime: an earlier episode's commit timed out
   * here but reached storage later (a frozen or failing-over service). What is stored is
   * the truth: its history replaces the one in memory, the inbox keeps only what that
   * history lacks, and what the landed episode scheduled is dispatched (once).
   */
  private async resync(rt: Runtime): Promise<void> {
    if (this.runtimes.get(rt.id) !== rt) return void (rt.inbox = []); // replaced by a newer start: nothing of it matters
    const { record, etag, history } = await this.recorded(rt.id);
    this.report(record.name, 'warning', `instance ${rt.id} was committed by a write that timed out here; continuing from storage`);
    if (record.executionId !== rt.record.executionId) {
      // The landed episode continued as new: the execution this runtime knew is over.
      this.deleteHistoryLater(rt.record);
      Object.assign(rt, { inbox: [], dispatched: new Set() });
    }
    const recorded = new Set(history.map(eventKey));
    rt.inbox = rt.inbox.filter((e) => !recorded.has(eventKey(e)));
    Object.assign(rt, { record, etag, history });
    this.resume(rt);
  }

  /** An activity's outcome or a fired timer, for the execution that asked for it (a later one ignores it). */
  private deliver(rt: Runtime, executionId: string, event: InboxEvent): void {
    if (rt.record.executionId !== executionId || this.runtimes.get(rt.id) !== rt) return;
    rt.inbox.push(event);
    if (this.started) this.requestEpisode(rt);
  }

  private async recorded(instanceId: string): Promise<{ record: InstanceRecord; etag: string; history: HistoryEvent[] }> {
    const found = await this.store.getInstance(instanceId);
    if (!found) throw notFound(instanceId);
    return { ...found, history: await this.store.loadHistory(instanceId, found.record.executionId, found.record.historyCount) };
  }

  private track(promise: Promise<unknown>): void {
    this.inflight.add(promise);
    void promise.finally(() => this.inflight.delete(promise)).catch(() => undefined);
  }

  private report(functionName: string, level: 'error' | 'warning', message: string): void {
    this.log({ level, functionName, invocationId: 'DurableDriver', message, time: new Date() });
  }
}

/**
 * The host's functionTimeout for one activity. The host then restarts the worker; here the
 * invocation's promise is left to settle on its own (JavaScript cannot stop it), and what it
 * returns is dropped: the activity failed, and its slot serves the next one.
 */
async function withinFunctionTimeout<T>(invocation: Promise<T>, name: string, timeoutMs: number | undefined): Promise<T> {
  if (timeoutMs === undefined || !Number.isFinite(timeoutMs)) return invocation;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timeout value of ${formatTimeSpan(timeoutMs)} was exceeded by function: Functions.${name}`)), timeoutMs);
    timer.unref();
  });
  invocation.catch(() => undefined);
  try {
    return await Promise.race([invocation, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Milliseconds as a .NET TimeSpan (hh:mm:ss[.fff]), as the host writes it in its message. */
function formatTimeSpan(ms: number): string {
  const pad = (n: number, width = 2) => String(Math.floor(n)).padStart(width, '0');
  const fraction = ms % 1000 ? `.${pad(ms % 1000, 3)}` : '';
  return `${pad(ms / 3_600_000)}:${pad((ms / 60_000) % 60)}:${pad((ms / 1000) % 60)}${fraction}`;
}

/** What makes an inbox event the same as one in the history: its kind and the task or timer it answers. */
function eventKey(e: HistoryEvent | InboxEvent): string {
  if (e.EventType === EventType.TaskCompleted || e.EventType === EventType.TaskFailed) return `task ${e.TaskScheduledId}`;
  if (e.EventType === EventType.TimerFired) return `timer ${e.TimerId}`;
  return `type ${e.EventType}`;
}

function newRuntime({ record, etag, history }: { record: InstanceRecord; etag: string; history: HistoryEvent[] }): Runtime {
  const lastStarted = history.reduce((t, e) => (e.EventType === EventType.OrchestratorStarted ? Math.max(t, Date.parse(e.Timestamp)) : t), 0);
  return { id: record.instanceId, record, etag, history, inbox: [], episodeRunning: false, dispatched: new Set(), lastStarted, failures: 0 };
}

const notFound = (instanceId: string) => durableApiError(404, `No instance with ID '${instanceId}' found.`);

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bulkhead, type BulkheadPolicy } from 'cockatiel';
import type { FunctionRegistry } from '../host/registry.js';
import { consoleLogSink, invokeFunction, type LogSink } from '../host/invoke.js';
import { describeActivityFailure } from './activity-failure.js';
import { replayRecorded, runEpisode, type OrchestrationTriggerPayload, type ReplayCheck } from './episode.js';
import { BadDurableRequestError, InstanceExistsError, InstanceGoneError, InstanceNotFoundError, UnknownOrchestrationError } from './errors.js';
import { EventType, parseJsonText, toJsonText, type HistoryEvent, type InboxEvent } from './history.js';
import {
  ConcurrencyError,
  InvalidInstanceIdError,
  TaskHubStore,
  TERMINAL_STATUSES,
  validateInstanceId,
  type InboxMessage,
  type InstanceRecord,
  type RuntimeStatus,
} from './store.js';
import { durableClientBinding, handleDurableRequest } from './webhook.js';

export interface DurableDriverOptions {
  registry: FunctionRegistry;
  connectionString: string;
  taskHub: string;
  /** host.json `extensions.durableTask.maxConcurrentActivityFunctions`; default 8. */
  maxConcurrentActivities?: number;
  /** host.json `extensions.durableTask.maxConcurrentOrchestratorFunctions`; default 4. */
  maxConcurrentOrchestrations?: number;
  /** base URL where handleWebhook is served, used in the client binding */
  webhookBaseUrl?: string;
  /**
   * Durable timers (and retry back-off) wait this fraction of their duration in real time;
   * the orchestration clock still moves by the full duration. Tests use e.g. 0.001.
   */
  timeScale?: number;
  /** Where function logs and the driver's own messages go; default: the console. */
  log?: LogSink;
  /** How long stop() waits for running activities before giving up on them; default 10 s. */
  stopTimeoutMs?: number;
}

export interface OrchestrationStatus {
  name: string;
  instanceId: string;
  runtimeStatus: RuntimeStatus;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  createdTime: string;
  lastUpdatedTime: string;
}

/** What the driver keeps in memory about one instance it is working on. */
interface Runtime {
  id: string;
  record: InstanceRecord;
  etag: string;
  /** Committed history of the current execution; never handed to the SDK (it mutates events). */
  history: HistoryEvent[];
  messageIds: Set<string>;
  /** Persisted messages that have not reached the history yet. */
  inbox: InboxMessage[];
  unflushed: InboxMessage[];
  flushing: boolean;
  episodeRunning: boolean;
  episodeAgain: boolean;
  /** `${executionId}:${taskId}` of activities started and timers armed. */
  dispatched: Set<string>;
  timers: Map<string, NodeJS.Timeout>;
  lastStarted: number;
  /** Replaced by a newer runtime (restart of the instance, purge, concurrent change). */
  retired: boolean;
  /** Episodes that failed in a row (storage errors); sets the back-off. */
  failures: number;
}

const MAX_TIMEOUT = 2 ** 31 - 1;
const DRIVER_LOG = 'DurableDriver';

/**
 * Runs Durable Functions orchestrations locally, the way the Durable extension does with
 * the Azure Storage provider: state in tables, every orchestrator episode through the real
 * SDK replay, activities through their registered handlers, and the extension's HTTP API
 * for the real DurableClient. The local host, the pipeline tests and the benchmark share it.
 */
export class DurableDriver {
  private readonly events = new EventEmitter();
  private readonly runtimes = new Map<string, Promise<Runtime>>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly activities: BulkheadPolicy;
  private readonly orchestrations: BulkheadPolicy;
  private readonly log: LogSink;
  private readonly timeScale: number;
  private messageCounter = 0;
  private started = false;
  private stopping = false;
  private stopped = false;

  private constructor(
    private readonly options: DurableDriverOptions,
    private readonly store: TaskHubStore,
    private baseUrl: string,
    private readonly server?: http.Server,
  ) {
    this.activities = bulkhead(options.maxConcurrentActivities ?? 8, Number.POSITIVE_INFINITY);
    this.orchestrations = bulkhead(options.maxConcurrentOrchestrations ?? 4, Number.POSITIVE_INFINITY);
    this.log = options.log ?? consoleLogSink;
    this.timeScale = options.timeScale ?? 1;
    this.events.setMaxListeners(0);
  }

  /** Opens the task hub tables; without a webhookBaseUrl, also serves the client API on a loopback port. */
  static async create(options: DurableDriverOptions): Promise<DurableDriver> {
    const store = await TaskHubStore.open(options.connectionString, options.taskHub);
    if (options.webhookBaseUrl) return new DurableDriver(options, store, options.webhookBaseUrl.replace(/\/+$/, ''));
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const driver = new DurableDriver(options, store, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server);
    server.on('request', (req, res) => {
      driver.handleWebhook(req, res).then(
        (handled) => {
          if (!handled) res.writeHead(404).end();
        },
        (error) => res.writeHead(500).end(String(error)),
      );
    });
    return driver;
  }

  get taskHub(): string {
    return this.options.taskHub;
  }

  /** Resumes unfinished instances from storage and begins processing. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const unfinished = await this.store.listInstances({ statuses: ['Pending', 'Running'] });
    await Promise.all(unfinished.map(async (record) => this.resume(await this.runtime(record.instanceId))));
  }

  /** Stops taking work and waits (bounded) for activities and episodes already running. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopping = true;
    for (const promise of this.runtimes.values()) {
      promise.then((rt) => this.clearTimers(rt), () => undefined);
    }
    const settled = Promise.allSettled([...this.inflight]);
    const timeout = new Promise((resolve) => setTimeout(resolve, this.options.stopTimeoutMs ?? 10_000).unref());
    await Promise.race([settled, timeout]);
    this.stopped = true;
    this.events.emit('stopped');
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }
  }

  // ---- the client API ----

  async startNew(orchestration: string, options: { instanceId?: string; input?: unknown } = {}): Promise<string> {
    return this.startNewJson(orchestration, options.instanceId, options.input === undefined ? undefined : toJsonText(options.input));
  }

  /** startNew with the input already as JSON text (the webhook's request body). */
  async startNewJson(orchestration: string, instanceId: string | undefined, inputJson: string | undefined): Promise<string> {
    const fn = this.options.registry.functions.get(orchestration);
    if (!fn || fn.trigger.type !== 'orchestrationTrigger') throw new UnknownOrchestrationError(orchestration);
    const id = instanceId ?? randomUUID().replaceAll('-', '');
    try {
      validateInstanceId(id);
    } catch (error) {
      if (error instanceof InvalidInstanceIdError) throw new BadDurableRequestError(error.message);
      throw error;
    }
    const existing = await this.store.getInstance(id);
    if (existing && !TERMINAL_STATUSES.has(existing.record.runtimeStatus)) throw new InstanceExistsError(id, existing.record.runtimeStatus);

    const executionId = newExecutionId();
    const now = new Date().toISOString();
    const message = this.message(executionId, {
      EventType: EventType.ExecutionStarted,
      EventId: -1,
      Timestamp: now,
      IsPlayed: false,
      Name: orchestration,
      ...(inputJson !== undefined ? { Input: inputJson } : {}),
      Version: '',
      OrchestrationInstance: { InstanceId: id, ExecutionId: executionId },
    });
    // The start message goes first: an instance row is never left without it.
    await this.store.addMessages(id, [message]);
    const record: InstanceRecord = {
      instanceId: id,
      name: orchestration,
      executionId,
      runtimeStatus: 'Pending',
      ...(inputJson !== undefined ? { input: inputJson } : {}),
      createdTime: now,
      lastUpdatedTime: now,
      historyCount: 0,
    };
    let etag: string;
    try {
      etag = await this.store.putInstance(record, existing?.etag);
    } catch (error) {
      if (error instanceof ConcurrencyError) throw new InstanceExistsError(id, 'being started by another request');
      throw error;
    }
    // Only the request that won the instance row replaces what this process knows about it.
    await this.forget(id);
    if (existing) {
      // The previous generation's rows are dead weight now (its messages would be ignored anyway).
      await this.store
        .deleteExecution(id, existing.record.executionId)
        .catch((error) => this.report(orchestration, 'warning', `could not clean up the previous run of ${id}: ${errorText(error)}`));
    }
    const rt = newRuntime(record, etag, [], [message]);
    this.runtimes.set(id, Promise.resolve(rt));
    this.changed(rt);
    if (this.started) this.requestEpisode(rt);
    return id;
  }

  async getStatus(instanceId: string): Promise<OrchestrationStatus | undefined> {
    const found = await this.store.getInstance(instanceId);
    return found ? toStatus(found.record) : undefined;
  }

  async listStatuses(filter: { statuses?: RuntimeStatus[]; createdFrom?: Date; createdTo?: Date } = {}): Promise<OrchestrationStatus[]> {
    return (await this.store.listInstances(filter)).map(toStatus);
  }

  async raiseEvent(instanceId: string, eventName: string, data?: unknown): Promise<void> {
    await this.raiseEventJson(instanceId, eventName, data === undefined ? undefined : toJsonText(data));
  }

  async raiseEventJson(instanceId: string, eventName: string, dataJson: string | undefined): Promise<void> {
    if (!eventName) throw new BadDurableRequestError('eventName must be a non-empty string');
    await this.deliver(instanceId, {
      EventType: EventType.EventRaised,
      EventId: -1,
      Timestamp: new Date().toISOString(),
      IsPlayed: false,
      Name: eventName,
      ...(dataJson !== undefined ? { Input: dataJson } : {}),
    });
  }

  async terminate(instanceId: string, reason: string): Promise<void> {
    await this.deliver(instanceId, {
      EventType: EventType.ExecutionTerminated,
      EventId: -1,
      Timestamp: new Date().toISOString(),
      IsPlayed: false,
      Input: toJsonText(reason),
    });
  }

  /** Deletes an instance with its history. */
  async purge(instanceId: string): Promise<boolean> {
    await this.forget(instanceId);
    return this.store.deleteInstance(instanceId);
  }

  async waitForCompletion(instanceId: string, timeoutMs = 60_000): Promise<OrchestrationStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.getStatus(instanceId);
      if (!status) throw new InstanceNotFoundError(instanceId);
      if (TERMINAL_STATUSES.has(status.runtimeStatus)) return status;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`orchestration ${instanceId} did not finish within ${timeoutMs} ms: ${status.runtimeStatus}, custom status ${JSON.stringify(status.customStatus)}`);
      }
      if (this.stopped) throw new Error(`the durable driver stopped while waiting for ${instanceId}`);
      // Woken by our own commits; the poll covers commits made by another process.
      const ac = new AbortController();
      await Promise.race([
        once(this.events, `changed:${instanceId}`, { signal: ac.signal }).catch(() => undefined),
        once(this.events, 'stopped', { signal: ac.signal }).catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, Math.min(left, 500)).unref()),
      ]);
      ac.abort();
    }
  }

  /** The committed history of the instance's current execution (tests check replay with it). */
  async history(instanceId: string): Promise<unknown[]> {
    const found = await this.store.getInstance(instanceId);
    if (!found) throw new InstanceNotFoundError(instanceId);
    const stored = await this.store.loadHistory(instanceId, found.record.executionId, found.record.historyCount);
    return stored.map((e) => JSON.parse(e.json) as unknown);
  }

  /**
   * Replays the instance's recorded history through its orchestrator once more (tests of
   * replay determinism): a finished instance must come out done, with the same output and
   * nothing new to schedule. Throws NonDeterminismError when the code no longer fits.
   */
  async replay(instanceId: string): Promise<ReplayCheck> {
    const found = await this.store.getInstance(instanceId);
    if (!found) throw new InstanceNotFoundError(instanceId);
    const { record } = found;
    const history = (await this.store.loadHistory(instanceId, record.executionId, record.historyCount)).map((e) => JSON.parse(e.json) as HistoryEvent);
    return replayRecorded(record, history, (payload) => this.invokeOrchestrator(record.name, payload));
  }

  /** The value of a `df.input.durableClient()` extra input. */
  clientBinding(): unknown {
    return durableClientBinding(this.baseUrl, this.options.taskHub);
  }

  /** Serves the extension's HTTP API (what DurableClient and the status URLs call); false when the route is not ours. */
  handleWebhook(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    return handleDurableRequest(this, req, res);
  }

  // ---- episodes ----

  private requestEpisode(rt: Runtime): void {
    if (this.stopping) return;
    if (rt.episodeRunning) {
      rt.episodeAgain = true;
      return;
    }
    rt.episodeRunning = true;
    this.track(
      this.orchestrations
        .execute(async () => {
          do {
            rt.episodeAgain = false;
            await this.episode(rt);
          } while (rt.episodeAgain && !this.stopping);
        })
        .then(() => {
          rt.failures = 0;
        })
        .catch((error) => {
          // Storage trouble, most likely: the messages are still in the inbox, so try again later.
          rt.failures++;
          const delay = Math.min(30_000, 500 * 2 ** (rt.failures - 1));
          this.report(rt.record.name, 'error', `episode of ${rt.id} failed; retrying in ${delay} ms: ${errorText(error)}`);
          setTimeout(() => this.requestEpisode(rt), delay).unref();
        })
        .finally(() => {
          rt.episodeRunning = false;
        }),
    );
  }

  private async episode(rt: Runtime): Promise<void> {
    if (rt.retired) return;
    const record = rt.record;
    const isCurrent = (m: InboxMessage) => m.executionId === record.executionId && !rt.messageIds.has(m.id);
    const taken = [...rt.inbox];
    const messages = TERMINAL_STATUSES.has(record.runtimeStatus) ? [] : taken.filter(isCurrent);
    if (messages.length === 0) {
      await this.dropMessages(rt, taken);
      return;
    }

    const now = this.episodeTime(rt, messages);
    const result = await runEpisode({
      record,
      history: rt.history,
      messages,
      now,
      invokeOrchestrator: (payload) => this.invokeOrchestrator(record.name, payload),
    });
    if (this.stopped) return;

    await this.store.writeHistory(
      rt.id,
      record.executionId,
      rt.history.length,
      result.appended.map((a) => ({ json: JSON.stringify(a.event), ...(a.messageId ? { messageId: a.messageId } : {}) })),
    );
    let next: InstanceRecord = {
      ...record,
      runtimeStatus: result.runtimeStatus,
      lastUpdatedTime: now.toISOString(),
      historyCount: rt.history.length + result.appended.length,
    };
    delete next.output;
    delete next.customStatus;
    if (result.output !== undefined) next.output = result.output;
    if (result.customStatus !== undefined) next.customStatus = result.customStatus;

    let restart: InboxMessage | undefined;
    if (result.continueAsNew) {
      const executionId = newExecutionId();
      const inputJson = result.continueAsNew.input === undefined ? undefined : toJsonText(result.continueAsNew.input);
      restart = this.message(executionId, {
        EventType: EventType.ExecutionStarted,
        EventId: -1,
        Timestamp: now.toISOString(),
        IsPlayed: false,
        Name: record.name,
        ...(inputJson !== undefined ? { Input: inputJson } : {}),
        Version: '',
        OrchestrationInstance: { InstanceId: rt.id, ExecutionId: executionId },
      });
      await this.store.addMessages(rt.id, [restart]);
      next = { ...next, executionId, historyCount: 0, runtimeStatus: 'Running' };
      delete next.input;
      if (inputJson !== undefined) next.input = inputJson;
    }

    try {
      rt.etag = await this.store.putInstance(next, rt.etag);
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      // Another driver committed first: forget what we know and start over from storage.
      this.report(record.name, 'warning', `instance ${rt.id} changed underneath; reloading it`);
      await this.forget(rt.id);
      this.resume(await this.runtime(rt.id));
      return;
    }

    rt.record = next;
    rt.lastStarted = now.getTime();
    if (restart) {
      rt.history = [];
      rt.messageIds = new Set();
      this.clearTimers(rt);
      rt.inbox.push(restart);
    } else {
      for (const a of result.appended) {
        rt.history.push(a.event);
        if (a.messageId) rt.messageIds.add(a.messageId);
      }
    }
    if (result.failure) this.report(record.name, 'error', `instance ${rt.id} failed: ${result.failure}`);
    if (TERMINAL_STATUSES.has(next.runtimeStatus)) this.clearTimers(rt);
    await this.dropMessages(rt, taken);

    for (const work of result.newWork) {
      if (work.kind === 'activity') this.dispatchActivity(rt, next.executionId, work.id, work.name, toJsonText(work.input));
      else if (work.armed) this.armTimer(rt, next.executionId, work.id, work.fireAt);
    }
    this.changed(rt);
    if (restart) this.requestEpisode(rt);
  }

  private async invokeOrchestrator(name: string, payload: OrchestrationTriggerPayload): Promise<unknown> {
    const { result } = await invokeFunction(this.options.registry, name, payload, { durable: this, log: this.log });
    return result;
  }

  /**
   * The orchestration clock: never behind the wall clock or an earlier episode, and never
   * before a timer that fired in this episode (with a time scale, timers fire early).
   */
  private episodeTime(rt: Runtime, messages: InboxMessage[]): Date {
    let time = Math.max(Date.now(), rt.lastStarted + 1);
    for (const m of messages) if (m.event.EventType === EventType.TimerFired) time = Math.max(time, Date.parse(m.event.FireAt));
    return new Date(time);
  }

  private async dropMessages(rt: Runtime, messages: InboxMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const ids = new Set(messages.map((m) => m.id));
    rt.inbox = rt.inbox.filter((m) => !ids.has(m.id));
    await this.store.deleteMessages(rt.id, [...ids]);
  }

  // ---- activities and timers ----

  private dispatchActivity(rt: Runtime, executionId: string, taskId: number, name: string, inputJson: string | undefined): void {
    const key = `${executionId}:${taskId}`;
    if (rt.dispatched.has(key) || this.stopping) return;
    rt.dispatched.add(key);
    this.track(
      this.activities.execute(async () => {
        if (this.stopping) return;
        let event: InboxEvent;
        const base = { EventId: -1, Timestamp: '', IsPlayed: false, TaskScheduledId: taskId };
        try {
          const fn = this.options.registry.functions.get(name);
          if (!fn || fn.trigger.type !== 'activityTrigger') {
            throw new Error(`The function '${name}' doesn't exist, is disabled, or is not an activity function.`);
          }
          const { result } = await invokeFunction(this.options.registry, name, parseJsonText(inputJson), { durable: this, log: this.log });
          event = { ...base, EventType: EventType.TaskCompleted, Result: toJsonText(result) };
        } catch (error) {
          event = { ...base, EventType: EventType.TaskFailed, ...describeActivityFailure(name, error) };
        }
        // After a stop the result is dropped: the activity runs again when the instance resumes.
        if (this.stopped) return;
        this.enqueue(rt, executionId, { ...event, Timestamp: new Date().toISOString() });
      }),
    );
  }

  private armTimer(rt: Runtime, executionId: string, timerId: number, fireAt: Date): void {
    const key = `${executionId}:${timerId}`;
    if (rt.dispatched.has(key) || this.stopping) return;
    rt.dispatched.add(key);
    const schedule = () => {
      const orchestrationNow = Math.max(Date.now(), rt.lastStarted);
      const wait = Math.max(0, (fireAt.getTime() - orchestrationNow) * this.timeScale);
      const handle = setTimeout(() => {
        rt.timers.delete(key);
        if (wait > MAX_TIMEOUT) return schedule();
        this.enqueue(rt, executionId, {
          EventType: EventType.TimerFired,
          EventId: -1,
          Timestamp: new Date().toISOString(),
          IsPlayed: false,
          TimerId: timerId,
          FireAt: fireAt.toISOString(),
        });
      }, Math.min(wait, MAX_TIMEOUT));
      handle.unref();
      rt.timers.set(key, handle);
    };
    schedule();
  }

  private clearTimers(rt: Runtime): void {
    for (const handle of rt.timers.values()) clearTimeout(handle);
    rt.timers.clear();
  }

  /** Re-runs what an earlier process left unfinished: activities without a result, timers not yet fired. */
  private resume(rt: Runtime): void {
    const executionId = rt.record.executionId;
    const finished = new Set<number>();
    const collect = (e: HistoryEvent | InboxEvent) => {
      if (e.EventType === EventType.TaskCompleted || e.EventType === EventType.TaskFailed) finished.add(e.TaskScheduledId);
      if (e.EventType === EventType.TimerFired) finished.add(e.TimerId);
    };
    rt.history.forEach(collect);
    rt.inbox.filter((m) => m.executionId === executionId).forEach((m) => collect(m.event));
    if (!TERMINAL_STATUSES.has(rt.record.runtimeStatus)) {
      for (const e of rt.history) {
        if (finished.has(e.EventId)) continue;
        if (e.EventType === EventType.TaskScheduled) this.dispatchActivity(rt, executionId, e.EventId, e.Name, e.Input);
        if (e.EventType === EventType.TimerCreated) this.armTimer(rt, executionId, e.EventId, new Date(e.FireAt));
      }
    }
    if (rt.inbox.length > 0) this.requestEpisode(rt);
  }

  // ---- messages ----

  private async deliver(instanceId: string, event: InboxEvent): Promise<void> {
    const rt = await this.runtime(instanceId);
    if (TERMINAL_STATUSES.has(rt.record.runtimeStatus)) throw new InstanceGoneError(instanceId, rt.record.runtimeStatus);
    const message = this.message(rt.record.executionId, event);
    await this.store.addMessages(instanceId, [message]);
    if (!rt.inbox.some((m) => m.id === message.id)) rt.inbox.push(message);
    if (this.started) this.requestEpisode(rt);
  }

  /** Queues a message for an instance; batches of them are persisted together, then an episode runs. */
  private enqueue(rt: Runtime, executionId: string, event: InboxEvent): void {
    if (rt.retired) return;
    rt.unflushed.push(this.message(executionId, event));
    if (rt.flushing) return;
    rt.flushing = true;
    this.track(
      (async () => {
        try {
          while (rt.unflushed.length > 0 && !this.stopped) {
            const batch = rt.unflushed.splice(0, 100);
            try {
              await this.store.addMessages(rt.id, batch);
            } catch (error) {
              rt.unflushed.unshift(...batch);
              this.report(rt.record.name, 'warning', `could not record results for ${rt.id}, retrying: ${errorText(error)}`);
              await new Promise((resolve) => setTimeout(resolve, 1_000).unref());
              continue;
            }
            rt.inbox.push(...batch);
            if (this.started) this.requestEpisode(rt);
          }
        } finally {
          rt.flushing = false;
        }
      })(),
    );
  }

  private message(executionId: string, event: InboxEvent): InboxMessage {
    // Row keys sort in arrival order, also across restarts of the process.
    const id = `${String(Date.now()).padStart(15, '0')}.${String(this.messageCounter++).padStart(9, '0')}.${randomUUID().slice(0, 8)}`;
    return { id, executionId, event };
  }

  // ---- runtimes ----

  private runtime(instanceId: string): Promise<Runtime> {
    let rt = this.runtimes.get(instanceId);
    if (!rt) {
      rt = this.loadRuntime(instanceId);
      this.runtimes.set(instanceId, rt);
      rt.catch(() => this.runtimes.delete(instanceId));
    }
    return rt;
  }

  private async loadRuntime(instanceId: string): Promise<Runtime> {
    const found = await this.store.getInstance(instanceId);
    if (!found) throw new InstanceNotFoundError(instanceId);
    const { record, etag } = found;
    const [stored, inbox] = await Promise.all([
      this.store.loadHistory(instanceId, record.executionId, record.historyCount),
      this.store.loadMessages(instanceId),
    ]);
    const rt = newRuntime(
      record,
      etag,
      stored.map((e) => JSON.parse(e.json) as HistoryEvent),
      inbox,
    );
    for (const e of stored) if (e.messageId) rt.messageIds.add(e.messageId);
    for (const e of rt.history) if (e.EventType === EventType.OrchestratorStarted) rt.lastStarted = Math.max(rt.lastStarted, Date.parse(e.Timestamp));
    return rt;
  }

  /** Drops the in-memory state of an instance; work still running for it is ignored when it ends. */
  private async forget(instanceId: string): Promise<void> {
    const pending = this.runtimes.get(instanceId);
    this.runtimes.delete(instanceId);
    const rt = await pending?.catch(() => undefined);
    if (!rt) return;
    rt.retired = true;
    this.clearTimers(rt);
  }

  private changed(rt: Runtime): void {
    this.events.emit(`changed:${rt.id}`);
  }

  private track<T>(promise: Promise<T>): void {
    this.inflight.add(promise);
    void promise.finally(() => this.inflight.delete(promise)).catch(() => undefined);
  }

  private report(functionName: string, level: 'error' | 'warning' | 'information', message: string): void {
    this.log({ level, functionName: functionName || DRIVER_LOG, invocationId: DRIVER_LOG, message, time: new Date() });
  }
}

function newRuntime(record: InstanceRecord, etag: string, history: HistoryEvent[], inbox: InboxMessage[]): Runtime {
  return {
    id: record.instanceId,
    record,
    etag,
    history,
    messageIds: new Set(),
    inbox,
    unflushed: [],
    flushing: false,
    episodeRunning: false,
    episodeAgain: false,
    dispatched: new Set(),
    timers: new Map(),
    lastStarted: 0,
    retired: false,
    failures: 0,
  };
}

function newExecutionId(): string {
  return randomUUID().replaceAll('-', '');
}

function toStatus(record: InstanceRecord): OrchestrationStatus {
  return {
    name: record.name,
    instanceId: record.instanceId,
    runtimeStatus: record.runtimeStatus,
    input: parseJsonText(record.input) ?? null,
    output: parseJsonText(record.output) ?? null,
    customStatus: parseJsonText(record.customStatus) ?? null,
    createdTime: record.createdTime,
    lastUpdatedTime: record.lastUpdatedTime,
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

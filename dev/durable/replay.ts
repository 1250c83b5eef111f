import { EventType, type HistoryEvent } from './history.js';

/**
 * The extension's half of the out-of-process replay protocol (replay schema V3).
 *
 * After every episode the SDK returns the complete list of actions the orchestrator has
 * taken since it started. The Durable extension does not trust the SDK's bookkeeping: it
 * replays that list through DurableTask.Core, which
 *  - awaits the top-level actions one after another (a WhenAll waits for all of its
 *    children, even after one failed; a WhenAny for the first);
 *  - gives every activity call, timer and retry step the next sequence number, in the
 *    order it performs them while walking the history;
 *  - checks each recorded TaskScheduled / TimerCreated against what the replay asked for
 *    under that number (non-determinism detection);
 *  - retries CallActivityWithRetry itself: failure, then a retry timer, then a new attempt,
 *    each with its own sequence number (the SDK expects exactly these events).
 * This module does the same walk and returns what is new: the activities and timers the
 * driver must record and run.
 */

export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  WhenAny: 11,
  WhenAll: 12,
  LockEntities: 13,
  ReleaseEntities: 14,
} as const;

/** An action object as the SDK builds it (durable-functions `actions/*`), read structurally. */
export interface SdkAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  retryOptions?: {
    firstRetryIntervalInMilliseconds: number;
    maxNumberOfAttempts: number;
    backoffCoefficient?: number;
    maxRetryIntervalInMilliseconds?: number;
  };
  fireAt?: Date | string;
  isCanceled?: boolean;
  externalEventName?: string;
  compoundActions?: SdkAction[];
}

/** The orchestration code no longer matches its recorded history. */
export class NonDeterminismError extends Error {
  override name = 'NonDeterministicOrchestrationException';
}

/** An SDK feature the local driver does not implement (sub-orchestrations, entities, durable HTTP). */
export class UnsupportedActionError extends Error {
  override name = 'UnsupportedActionError';
}

/**
 * The SDK and the extension would number the same tasks differently: in Azure this
 * schedules activities twice or hands results to the wrong task, so we stop instead.
 */
export class ReplayDivergenceError extends Error {
  override name = 'ReplayDivergenceError';
}

export type NewWork =
  | { kind: 'activity'; id: number; name: string; input: unknown }
  | { kind: 'timer'; id: number; fireAt: Date; armed: boolean };

export interface ReplayOutcome {
  /** Activities and timers asked for but not yet in the history, by sequence number. */
  newWork: NewWork[];
  /** Every top-level action was reached and the last one finished: a done orchestrator may complete now. */
  settled: boolean;
  /** Input of the next generation when the orchestrator called continueAsNew. */
  continueAsNew?: { input: unknown };
}

/** The activity input the orchestrator passed: the SDK pre-encodes strings as JSON text. */
export function activityInput(action: SdkAction): unknown {
  return typeof action.input === 'string' ? JSON.parse(action.input) : action.input;
}

/** DurableTask.Core's back-off: first interval times coefficient^(failed attempts - 1), capped. */
export function retryDelayMs(options: NonNullable<SdkAction['retryOptions']>, failedAttempts: number): number {
  const coefficient = options.backoffCoefficient ?? 1;
  const delay = options.firstRetryIntervalInMilliseconds * Math.pow(coefficient, failedAttempts - 1);
  const cap = options.maxRetryIntervalInMilliseconds;
  return cap && cap > 0 ? Math.min(delay, cap) : delay;
}

type Parent = { childDone(child: Node): void };

abstract class Node {
  done = false;
  failed = false;
  parent?: Parent;
  /** What the SDK believes: its Task.all gives up at the first failure. */
  get doneForSdk(): boolean {
    return this.done;
  }
  finish(failed: boolean): void {
    if (this.done) return;
    this.done = true;
    this.failed = failed;
    this.parent?.childDone(this);
  }
}

class Leaf extends Node {}

class Compound extends Node implements Parent {
  constructor(
    readonly kind: 'all' | 'any',
    readonly children: Node[],
  ) {
    super();
    for (const child of children) child.parent = this;
  }
  override get doneForSdk(): boolean {
    if (this.kind === 'all') return this.done || this.children.some((c) => c.done && c.failed) || this.children.every((c) => c.doneForSdk);
    return this.done || this.children.some((c) => c.doneForSdk);
  }
  childDone(child: Node): void {
    if (this.kind === 'any') return this.finish(false);
    if (this.children.every((c) => c.done)) this.finish(this.children.some((c) => c.failed));
    else if (child.failed) this.parent?.childDone(this);
  }
  /** A compound made of finished children (possible when it wraps buffered events) finishes at once. */
  settleIfReady(): void {
    if (this.kind === 'any' && this.children.some((c) => c.done)) this.finish(false);
    else if (this.kind === 'all' && this.children.every((c) => c.done)) this.finish(this.children.some((c) => c.failed));
  }
}

interface Slot {
  expects: 'TaskScheduled' | 'TimerCreated';
  name?: string;
  matched: boolean;
  /** For timers the history does not have yet. */
  fireAt?: Date;
  armed?: boolean;
  input?: unknown;
  complete(success: boolean): void;
}

export function replayActions(history: HistoryEvent[], actions: SdkAction[]): ReplayOutcome {
  return new ExtensionReplay(actions).run(history);
}

class ExtensionReplay {
  private nextId = 0;
  private cursor = 0;
  private current?: Node;
  private now = new Date(0);
  private readonly slots = new Map<number, Slot>();
  private readonly waiting = new Map<string, Leaf[]>();
  private readonly buffered = new Map<string, number>();
  private readonly seen = new Set<SdkAction>();
  private continueAsNew?: { input: unknown };

  constructor(private readonly actions: SdkAction[]) {}

  run(history: HistoryEvent[]): ReplayOutcome {
    for (const event of history) this.process(event);
    const newWork: NewWork[] = [];
    for (const [id, slot] of [...this.slots].sort(([a], [b]) => a - b)) {
      if (slot.matched) continue;
      if (slot.expects === 'TaskScheduled') newWork.push({ kind: 'activity', id, name: slot.name!, input: slot.input });
      else newWork.push({ kind: 'timer', id, fireAt: slot.fireAt!, armed: slot.armed ?? true });
    }
    const settled = this.cursor >= this.actions.length && (!this.current || this.current.done);
    return { newWork, settled, ...(this.continueAsNew ? { continueAsNew: this.continueAsNew } : {}) };
  }

  private process(event: HistoryEvent): void {
    switch (event.EventType) {
      case EventType.OrchestratorStarted:
        this.now = new Date(event.Timestamp);
        break;
      case EventType.ExecutionStarted:
        this.advance();
        break;
      case EventType.TaskScheduled:
        this.match(event.EventId, 'TaskScheduled', event.Name);
        break;
      case EventType.TimerCreated:
        this.match(event.EventId, 'TimerCreated');
        break;
      case EventType.TaskCompleted:
        this.slots.get(event.TaskScheduledId)?.complete(true);
        this.afterCompletion();
        break;
      case EventType.TaskFailed:
        this.slots.get(event.TaskScheduledId)?.complete(false);
        this.afterCompletion();
        break;
      case EventType.TimerFired:
        this.slots.get(event.TimerId)?.complete(true);
        this.afterCompletion();
        break;
      case EventType.EventRaised:
        this.raise(event.Name);
        this.afterCompletion();
        break;
      default:
        break;
    }
  }

  /** DurableTask.Core's check: what the history recorded under this number is what the code asks for now. */
  private match(id: number, recorded: Slot['expects'], name?: string): void {
    const slot = this.slots.get(id);
    const what = recorded === 'TaskScheduled' ? `an activity task named '${name}'` : 'a durable timer';
    if (!slot) {
      throw new NonDeterminismError(
        `Non-deterministic workflow detected: a previous execution of this orchestration scheduled ${what} with sequence ID ${id}, ` +
          `but the current replay execution hasn't (yet?) scheduled this task. Was a change made to the orchestrator code after this instance had already started running?`,
      );
    }
    if (slot.expects !== recorded || (recorded === 'TaskScheduled' && slot.name !== name)) {
      const now = slot.expects === 'TaskScheduled' ? `an activity task named '${slot.name}'` : 'a durable timer';
      throw new NonDeterminismError(
        `Non-deterministic workflow detected: a previous execution of this orchestration scheduled ${what} with sequence ID ${id}, ` +
          `but the current replay execution scheduled ${now} under that ID. Was a change made to the orchestrator code after this instance had already started running?`,
      );
    }
    slot.matched = true;
  }

  private newId(): number {
    const current = this.current;
    if (current && !current.done && current.doneForSdk && this.actionsAheadUseIds()) {
      throw new ReplayDivergenceError(
        'The orchestrator went on after a Task.all failed while other tasks of that Task.all were still retrying. ' +
          'The Durable extension waits for every task of a Task.all before it schedules anything that follows, so it would number ' +
          'the retries and the following tasks differently from the JavaScript SDK (activities scheduled twice, results handed to the wrong task). ' +
          'Let every task of the Task.all finish before scheduling more work (e.g. catch failures inside each activity and return them as values).',
      );
    }
    return this.nextId++;
  }

  private actionsAheadUseIds(): boolean {
    const usesId = (a: SdkAction): boolean =>
      a.actionType === ActionType.CallActivity ||
      a.actionType === ActionType.CallActivityWithRetry ||
      a.actionType === ActionType.CreateTimer ||
      (a.compoundActions ?? []).some(usesId);
    return this.actions.slice(this.cursor).some(usesId);
  }

  /** Awaits the top-level actions in order, as the extension's replay loop does. */
  private advance(): void {
    while ((!this.current || this.current.done) && this.cursor < this.actions.length) {
      const action = this.actions[this.cursor++]!;
      if (action.actionType === ActionType.ContinueAsNew) {
        this.continueAsNew = { input: activityInput(action) };
        this.current = undefined;
        continue;
      }
      this.current = this.invoke(action);
    }
  }

  private invoke(action: SdkAction): Node {
    if (this.seen.has(action)) {
      throw new ReplayDivergenceError(
        `A task (${describe(action)}) was yielded again inside a new Task.any/Task.all after it had been scheduled. ` +
          'The Durable extension schedules every task of a Task.any/Task.all it receives, so in Azure this activity would run a second time ' +
          'and results would reach the wrong tasks (azure-functions-durable-js issue #574). Build each Task.any/Task.all from tasks that were never yielded before.',
      );
    }
    this.seen.add(action);
    switch (action.actionType) {
      case ActionType.CallActivity:
        return this.activity(action);
      case ActionType.CallActivityWithRetry:
        return this.retryingActivity(action);
      case ActionType.CreateTimer:
        return this.timer(action);
      case ActionType.WaitForExternalEvent:
        return this.externalEvent(action.externalEventName!);
      case ActionType.WhenAll:
      case ActionType.WhenAny: {
        const children = (action.compoundActions ?? []).map((child) => this.invoke(child));
        const node = new Compound(action.actionType === ActionType.WhenAll ? 'all' : 'any', children);
        node.settleIfReady();
        return node;
      }
      default:
        throw new UnsupportedActionError(
          `The local durable driver does not support ${describe(action)}: sub-orchestrations, entities and durable HTTP calls are not implemented.`,
        );
    }
  }

  private activity(action: SdkAction): Leaf {
    const node = new Leaf();
    const name = action.functionName!;
    this.slots.set(this.newId(), { expects: 'TaskScheduled', name, input: activityInput(action), matched: false, complete: (ok) => node.finish(!ok) });
    return node;
  }

  private timer(action: SdkAction): Leaf {
    const node = new Leaf();
    const fireAt = new Date(action.fireAt!);
    // A timer cancelled in code is still created (its number is taken) but nothing waits for it.
    const armed = !action.isCanceled;
    this.slots.set(this.newId(), { expects: 'TimerCreated', fireAt, armed, matched: false, complete: () => node.finish(false) });
    if (!armed) node.finish(false);
    return node;
  }

  private retryingActivity(action: SdkAction): Leaf {
    const node = new Leaf();
    const options = action.retryOptions!;
    const name = action.functionName!;
    const input = activityInput(action);
    let failures = 0;
    const attempt = () => {
      this.slots.set(this.newId(), {
        expects: 'TaskScheduled',
        name,
        input,
        matched: false,
        complete: (ok) => (ok ? node.finish(false) : failed()),
      });
    };
    // Like DurableTask.Core's RetryInterceptor: every failure is followed by a retry timer,
    // even the last one; when that timer fires with no attempts left, the task fails.
    const failed = () => {
      failures++;
      const fireAt = new Date(this.now.getTime() + retryDelayMs(options, failures));
      this.slots.set(this.newId(), {
        expects: 'TimerCreated',
        fireAt,
        matched: false,
        complete: () => (failures >= options.maxNumberOfAttempts ? node.finish(true) : attempt()),
      });
    };
    attempt();
    return node;
  }

  private externalEvent(name: string): Leaf {
    const node = new Leaf();
    const pending = this.buffered.get(name) ?? 0;
    if (pending > 0) {
      this.buffered.set(name, pending - 1);
      node.finish(false);
      return node;
    }
    this.waiting.set(name, [...(this.waiting.get(name) ?? []), node]);
    return node;
  }

  private raise(name: string): void {
    const waiters = this.waiting.get(name);
    // The SDK hands a raised event to the most recent waiter; an event nobody waits for is kept.
    const waiter = waiters?.pop();
    if (waiter) {
      waiter.finish(false);
    } else {
      this.buffered.set(name, (this.buffered.get(name) ?? 0) + 1);
    }
  }

  /** Runs after every completion: the awaited action may be done, so the replay moves on. */
  private afterCompletion(): void {
    if (this.current?.done) this.advance();
  }
}

function describe(action: SdkAction): string {
  const names: Record<number, string> = Object.fromEntries(Object.entries(ActionType).map(([k, v]) => [v, k]));
  const kind = names[action.actionType] ?? `action type ${action.actionType}`;
  return action.functionName ? `${kind} '${action.functionName}'` : kind;
}

import { EventType, type HistoryEvent } from './history.js';

/**
 * The extension's half of the out-of-process replay protocol (replay schema V3). The SDK
 * returns every action since the start after each episode, and the extension replays that
 * list through DurableTask.Core rather than trust it: the top-level actions awaited in
 * turn (a Task.all waits for all of its tasks, even after one failed), each activity call,
 * timer and retry step numbered in the order it is reached, each recorded TaskScheduled /
 * TimerCreated checked against what the replay asks for under its number, and
 * CallActivityWithRetry retried by the extension itself (failure, retry timer, attempt).
 * This walk does the same and returns the work that is new.
 */

/** The SDK's action types the app uses (durable-functions `ActionType`). */
export const ActionType = { CallActivity: 0, CallActivityWithRetry: 1, ContinueAsNew: 4, CreateTimer: 5, WhenAll: 12 } as const;

/** An action object as the SDK builds it (durable-functions `actions/*`), read structurally. */
export interface SdkAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  retryOptions?: { firstRetryIntervalInMilliseconds: number; maxNumberOfAttempts: number; backoffCoefficient?: number; maxRetryIntervalInMilliseconds?: number };
  fireAt?: Date | string;
  compoundActions?: SdkAction[];
}

/** The orchestration code no longer matches its recorded history. */
export class NonDeterminismError extends Error {
  override name = 'NonDeterministicOrchestrationException';
}

/** An SDK feature this driver does not implement (external events, Task.any, sub-orchestrations, entities, durable HTTP). */
export class UnsupportedActionError extends Error {
  override name = 'UnsupportedActionError';
}

/** The SDK and the extension would number the same tasks differently: in Azure this schedules activities twice or hands results to the wrong task. */
export class ReplayDivergenceError extends Error {
  override name = 'ReplayDivergenceError';
}

export type NewWork = { kind: 'activity'; id: number; name: string; input: unknown } | { kind: 'timer'; id: number; fireAt: Date };

export interface ReplayOutcome {
  /** Activities and timers asked for but not yet in the history, by sequence number. */
  newWork: NewWork[];
  /** Every top-level action was reached and the last one finished: a done orchestrator may complete now. */
  settled: boolean;
  /** Input of the next generation when the orchestrator called continueAsNew. */
  continueAsNew?: { input: unknown };
}

/** The input the orchestrator passed: the SDK pre-encodes strings as JSON text. */
const actionInput = (action: SdkAction): unknown => (typeof action.input === 'string' ? JSON.parse(action.input) : action.input);

/** DurableTask.Core's back-off: first interval times coefficient^(failed attempts - 1), capped. */
export function retryDelayMs(options: NonNullable<SdkAction['retryOptions']>, failedAttempts: number): number {
  const delay = options.firstRetryIntervalInMilliseconds * Math.pow(options.backoffCoefficient ?? 1, failedAttempts - 1);
  const cap = options.maxRetryIntervalInMilliseconds;
  return cap && cap > 0 ? Math.min(delay, cap) : delay;
}

/** A task being awaited: an activity (with its retries), a timer, or a Task.all of them. */
class Task {
  done = false;
  failed = false;
  constructor(
    private readonly parent?: Task,
    readonly children: Task[] = [],
  ) {}
  /** What the SDK believes: its Task.all gives up at the first failure. */
  get doneForSdk(): boolean {
    return this.done || this.children.some((c) => c.done && c.failed) || (this.children.length > 0 && this.children.every((c) => c.doneForSdk));
  }
  finish(failed: boolean): void {
    if (this.done) return;
    [this.done, this.failed] = [true, failed];
    this.parent?.childDone(this);
  }
  childDone(child: Task): void {
    if (this.children.every((c) => c.done)) this.finish(this.children.some((c) => c.failed));
    else if (child.failed) this.parent?.childDone(this);
  }
}

/** A sequence number given out by the walk: the work it stands for, and whether the history has recorded it. */
interface Slot {
  work: NewWork;
  matched: boolean;
  complete(success: boolean): void;
}

export function replayActions(history: HistoryEvent[], actions: SdkAction[]): ReplayOutcome {
  return new ExtensionReplay(actions).run(history);
}

class ExtensionReplay {
  private nextId = 0;
  private cursor = 0;
  private current?: Task;
  private now = new Date(0);
  private readonly slots = new Map<number, Slot>();
  private readonly seen = new Set<SdkAction>();
  private continueAsNew?: { input: unknown };

  constructor(private readonly actions: SdkAction[]) {}

  run(history: HistoryEvent[]): ReplayOutcome {
    for (const event of history) this.process(event);
    const newWork = [...this.slots.values()].filter((s) => !s.matched).map((s) => s.work);
    const settled = this.cursor >= this.actions.length && (!this.current || this.current.done);
    return { newWork, settled, ...(this.continueAsNew ? { continueAsNew: this.continueAsNew } : {}) };
  }

  private process(event: HistoryEvent): void {
    if (event.EventType === EventType.OrchestratorStarted) this.now = new Date(event.Timestamp);
    else if (event.EventType === EventType.ExecutionStarted) this.advance();
    else if (event.EventType === EventType.TaskScheduled) this.match(event.EventId, { kind: 'activity', name: event.Name });
    else if (event.EventType === EventType.TimerCreated) this.match(event.EventId, { kind: 'timer' });
    else if (event.EventType === EventType.TaskCompleted || event.EventType === EventType.TaskFailed || event.EventType === EventType.TimerFired) {
      const id = event.EventType === EventType.TimerFired ? event.TimerId : event.TaskScheduledId;
      this.slots.get(id)?.complete(event.EventType !== EventType.TaskFailed);
      // The awaited action may be done now, so the replay moves on.
      if (this.current?.done) this.advance();
    }
  }

  /** DurableTask.Core's check: what the history recorded under this number is what the code asks for now. */
  private match(id: number, recorded: { kind: NewWork['kind']; name?: string }): void {
    const slot = this.slots.get(id);
    const describe = (work: { kind: string; name?: string }) => (work.kind === 'activity' ? `an activity task named '${work.name}'` : 'a durable timer');
    if (!slot || describe(slot.work) !== describe(recorded)) {
      const asked = slot ? `scheduled ${describe(slot.work)} under that ID` : "hasn't (yet?) scheduled this task";
      throw new NonDeterminismError(
        `Non-deterministic workflow detected: a previous execution of this orchestration scheduled ${describe(recorded)} with sequence ID ${id}, ` +
          `but the current replay execution ${asked}. Was a change made to the orchestrator code after this instance had already started running?`,
      );
    }
    slot.matched = true;
  }

  private schedule(work: (id: number) => NewWork, complete: Slot['complete']): void {
    // The SDK's Task.all failed at its first failure and the code went on (it returned actions
    // beyond it) while the extension still waits for the rest of that Task.all.
    if (this.current && !this.current.done && this.current.doneForSdk && this.actions.slice(this.cursor).some(usesId)) {
      const why = 'the extension waits for every task of a Task.all before what follows, so it would number the retries and the next tasks otherwise than the SDK';
      throw new ReplayDivergenceError(`The orchestrator went on after a Task.all failed while its other tasks still retried: ${why}. Let every task finish first.`);
    }
    const id = this.nextId++;
    this.slots.set(id, { work: work(id), matched: false, complete });
  }

  /** Awaits the top-level actions in order, as the extension's replay loop does. */
  private advance(): void {
    while ((!this.current || this.current.done) && this.cursor < this.actions.length) {
      const action = this.actions[this.cursor++]!;
      if (action.actionType === ActionType.ContinueAsNew) {
        this.continueAsNew = { input: actionInput(action) };
        this.current = undefined;
      } else {
        this.current = this.invoke(action);
      }
    }
  }

  private invoke(action: SdkAction, parent?: Task): Task {
    if (this.seen.has(action)) {
      const why = 'the extension schedules every task of a compound task it receives, so in Azure it would run twice (azure-functions-durable-js issue #574)';
      throw new ReplayDivergenceError(`A task (${describe(action)}) was yielded again inside a new Task.all: ${why}. Build each Task.all from new tasks.`);
    }
    this.seen.add(action);
    const task = new Task(parent);
    const name = action.functionName!;
    switch (action.actionType) {
      case ActionType.CallActivity:
        this.schedule((id) => ({ kind: 'activity', id, name, input: actionInput(action) }), (ok) => task.finish(!ok));
        break;
      case ActionType.CallActivityWithRetry:
        this.retrying(action, task);
        break;
      case ActionType.CreateTimer:
        this.schedule((id) => ({ kind: 'timer', id, fireAt: new Date(action.fireAt!) }), () => task.finish(false));
        break;
      case ActionType.WhenAll:
        task.children.push(...(action.compoundActions ?? []).map((child) => this.invoke(child, task)));
        if (task.children.every((c) => c.done)) task.finish(task.children.some((c) => c.failed));
        break;
      default:
        throw new UnsupportedActionError(`The local durable driver does not support ${describe(action)}: it implements activities (with retry), timers, Task.all and continueAsNew.`);
    }
    return task;
  }

  /** Like DurableTask.Core's RetryInterceptor: every failure is followed by a retry timer, even the last; when that fires with no attempts left, the task fails. */
  private retrying(action: SdkAction, task: Task): void {
    const options = action.retryOptions!;
    const work = (id: number): NewWork => ({ kind: 'activity', id, name: action.functionName!, input: actionInput(action) });
    let failures = 0;
    const attempt = () => this.schedule(work, (ok) => (ok ? task.finish(false) : failed()));
    const failed = () => {
      const fireAt = new Date(this.now.getTime() + retryDelayMs(options, ++failures));
      this.schedule((id) => ({ kind: 'timer', id, fireAt }), () => (failures >= options.maxNumberOfAttempts ? task.finish(true) : attempt()));
    };
    attempt();
  }
}

function usesId(action: SdkAction): boolean {
  return action.actionType !== ActionType.ContinueAsNew && (action.actionType !== ActionType.WhenAll || (action.compoundActions ?? []).some(usesId));
}

function describe(action: SdkAction): string {
  const kind = Object.entries(ActionType).find(([, type]) => type === action.actionType)?.[0] ?? `action type ${action.actionType}`;
  return action.functionName ? `${kind} '${action.functionName}'` : kind;
}

import { at, EventType, toJsonText, type ExecutionStartedEvent, type HistoryEvent, type InboxEvent } from './history.js';
import { NonDeterminismError, ReplayDivergenceError, UnsupportedActionError, replayActions, type NewWork, type SdkAction } from './replay.js';
import { randomUUID } from 'node:crypto';
import type { InstanceRecord, RuntimeStatus } from './store.js';

/**
 * One orchestrator episode, as the Durable extension runs it: the committed history plus
 * the new events go to the orchestration trigger (the real SDK replays the code against
 * them), and the returned actions are checked and turned into new history events.
 */

/** The orchestration trigger's binding payload, as the extension sends it (replay schema V3: every action since the start in one flat list). */
export type OrchestrationTriggerPayload = ReturnType<typeof triggerPayload>;
const OUT_OF_PROC_DATA = '\n\n$OutOfProcData$:';
export const newExecutionId = () => randomUUID().replaceAll('-', '');

function triggerPayload(record: InstanceRecord, history: HistoryEvent[], isReplaying: boolean) {
  return {
    // The SDK rewrites each event's Timestamp in place (a string becomes a Date), and nothing
    // else: a copy of each event keeps ours untouched. Not a deep copy: every episode replays
    // the whole history, and copying its JSON texts each time was a good part of what a
    // paced run allocated.
    history: history.map((event) => ({ ...event })),
    input: record.input === undefined ? undefined : (JSON.parse(record.input) as unknown),
    instanceId: record.instanceId,
    isReplaying,
    parentInstanceId: null,
    upperSchemaVersion: 2,
    maximumShortTimerDuration: '6.00:00:00',
    longRunningTimerIntervalDuration: '3.00:00:00',
    defaultHttpAsyncRequestSleepTimeMillseconds: 30_000,
  };
}

/** What the SDK's orchestrator returns (OrchestratorState). */
interface OrchestratorState {
  isDone: boolean;
  actions: SdkAction[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
}

export interface EpisodeResult {
  appended: HistoryEvent[];
  /** The instance row that commits the episode: its outcome, or the next generation's start after continueAsNew. */
  record: InstanceRecord;
  newWork: NewWork[];
  continuedAsNew: boolean;
  /** Why the instance failed, for the log. */
  failure?: string;
}

type InvokeOrchestrator = (payload: OrchestrationTriggerPayload) => Promise<unknown>;

export async function runEpisode(record: InstanceRecord, committed: HistoryEvent[], events: InboxEvent[], now: Date, invoke: InvokeOrchestrator): Promise<EpisodeResult> {
  const appended: HistoryEvent[] = [{ EventType: EventType.OrchestratorStarted, ...at(now) }, ...events.map((e) => ({ ...e, IsPlayed: false }))];
  const history = [...committed, ...appended];
  /** Closes the episode; the custom status stays what it was unless the orchestrator set one. */
  const end = (runtimeStatus: RuntimeStatus, customStatus: unknown, output?: string, rest: Partial<EpisodeResult> = {}): EpisodeResult => {
    appended.push({ EventType: EventType.OrchestratorCompleted, ...at(now) });
    const next: InstanceRecord = { ...record, runtimeStatus, lastUpdatedTime: now.toISOString(), historyCount: committed.length + appended.length };
    delete next.output;
    if (output !== undefined) next.output = output;
    if (customStatus !== undefined) next.customStatus = toJsonText(customStatus);
    return { appended, record: next, newWork: [], continuedAsNew: false, ...rest };
  };
  const fail = (message: string, customStatus: unknown) => {
    const failure = `Orchestrator function '${record.name}' failed: ${message}`;
    appended.push({ EventType: EventType.ExecutionCompleted, OrchestrationStatus: 'Failed', Result: toJsonText(failure), ...at(now) });
    return end('Failed', customStatus, toJsonText(failure), { failure });
  };

  let state: OrchestratorState;
  try {
    state = (await invoke(triggerPayload(record, history, committed.length > 0))) as OrchestratorState;
    if (!state || !Array.isArray(state.actions)) throw new Error(`orchestrator '${record.name}' did not return an orchestrator state; is it registered with df.app.orchestration?`);
  } catch (error) {
    const { message, state: failedState } = splitOrchestrationFailure(error);
    return fail(message, failedState?.customStatus);
  }
  let outcome;
  try {
    outcome = replayActions(history, state.actions[0] ?? []);
  } catch (error) {
    if (!(error instanceof NonDeterminismError || error instanceof ReplayDivergenceError || error instanceof UnsupportedActionError)) throw error;
    return fail(`${error.name}: ${error.message}`, state.customStatus);
  }
  for (const work of outcome.newWork) {
    appended.push(
      work.kind === 'activity'
        ? { EventType: EventType.TaskScheduled, Name: work.name, Input: toJsonText(work.input), ...at(now), EventId: work.id }
        : { EventType: EventType.TimerCreated, FireAt: work.fireAt.toISOString(), ...at(now), EventId: work.id },
    );
  }
  if (!state.isDone || !outcome.settled) return end('Running', state.customStatus, undefined, state.isDone && outcome.continueAsNew ? {} : { newWork: outcome.newWork });
  if (!outcome.continueAsNew) {
    const output = toJsonText(state.output);
    appended.push({ EventType: EventType.ExecutionCompleted, OrchestrationStatus: 'Completed', Result: output, ...at(now) });
    return end('Completed', state.customStatus, output);
  }
  // The next generation: same instance, a new execution whose input is the one continueAsNew passed.
  appended.push({ EventType: EventType.ExecutionCompleted, OrchestrationStatus: 'ContinuedAsNew', ...at(now) });
  const ended = end('Running', state.customStatus, undefined, { continuedAsNew: true });
  const { input: _previous, ...next } = ended.record;
  const input = outcome.continueAsNew.input;
  ended.record = { ...next, executionId: newExecutionId(), historyCount: 0, ...(input !== undefined ? { input: toJsonText(input) } : {}) };
  return ended;
}

/** A replay of a recorded history: done (returned or continued as new) on the history alone, and the tasks it asks for that the history lacks. */
export type ReplayCheck = { isDone: boolean; output: unknown; customStatus: unknown; newWork: NewWork[] };

/** Runs the orchestrator once more over a recorded history, as a replay after a restart would; throws NonDeterminismError when the code no longer fits. */
export async function replayRecorded(record: InstanceRecord, history: HistoryEvent[], invoke: InvokeOrchestrator): Promise<ReplayCheck> {
  const played = history.map((e) => ({ ...e, IsPlayed: true }));
  const state = (await invoke(triggerPayload(record, played, true))) as OrchestratorState;
  const outcome = replayActions(played, state.actions[0] ?? []);
  return { isDone: state.isDone && outcome.settled, output: state.output, customStatus: state.customStatus, newWork: outcome.newWork };
}

/** The SDK reports an orchestrator failure as an error whose message carries the state after a marker. */
function splitOrchestrationFailure(error: unknown): { message: string; state?: OrchestratorState } {
  const text = error instanceof Error ? error.message : String(error);
  const marker = text.indexOf(OUT_OF_PROC_DATA);
  if (marker < 0) return { message: text };
  try {
    const state = JSON.parse(text.slice(marker + OUT_OF_PROC_DATA.length)) as OrchestratorState;
    // The SDK passes a flag, not the error, as the message part; the error text is in the state.
    return { message: state.error ?? text.slice(0, marker), state };
  } catch {
    return { message: text.slice(0, marker) };
  }
}

/** The event that starts an execution, made from its instance row (which holds the input). */
export function startedEvent(record: InstanceRecord, time: Date): ExecutionStartedEvent {
  const { instanceId, executionId, name, input } = record;
  const instance = { InstanceId: instanceId, ExecutionId: executionId };
  return { EventType: EventType.ExecutionStarted, ...at(time), Name: name, ...(input !== undefined ? { Input: input } : {}), Version: '', OrchestrationInstance: instance };
}

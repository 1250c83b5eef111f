import { EventType, toJsonText, type HistoryEvent, type InboxEvent } from './history.js';
import { NonDeterminismError, ReplayDivergenceError, UnsupportedActionError, replayActions, type NewWork, type SdkAction } from './replay.js';
import type { InboxMessage, InstanceRecord, RuntimeStatus } from './store.js';

/**
 * One orchestrator episode, as the Durable extension runs it: the committed history plus
 * the new messages go to the orchestration trigger (the real SDK replays the code against
 * them), and the returned actions are checked and turned into new history events.
 */

/** Replay schema V3: the SDK returns every action since the start in one flat list. */
export const REPLAY_SCHEMA_V3 = 2;
const OUT_OF_PROC_DATA = '\n\n$OutOfProcData$:';

/** The orchestration trigger's binding payload, as the extension sends it. */
export interface OrchestrationTriggerPayload {
  history: HistoryEvent[];
  input: unknown;
  instanceId: string;
  isReplaying: boolean;
  parentInstanceId: string | null;
  upperSchemaVersion: number;
  maximumShortTimerDuration: string;
  longRunningTimerIntervalDuration: string;
  defaultHttpAsyncRequestSleepTimeMillseconds: number;
}

/** What the SDK's orchestrator returns (OrchestratorState). */
interface OrchestratorState {
  isDone: boolean;
  actions: SdkAction[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
}

export interface AppendedEvent {
  event: HistoryEvent;
  messageId?: string;
}

export interface EpisodeResult {
  appended: AppendedEvent[];
  runtimeStatus: RuntimeStatus;
  /** JSON text; for a failed instance the error message. */
  output?: string;
  customStatus?: string;
  newWork: NewWork[];
  continueAsNew?: { input: unknown };
  /** Why the instance failed, for the log. */
  failure?: string;
}

export interface EpisodeContext {
  record: InstanceRecord;
  /** Committed history of the current execution. */
  history: HistoryEvent[];
  /** New messages, oldest first, already filtered to this execution. */
  messages: InboxMessage[];
  now: Date;
  /** Calls the registered orchestration handler with the trigger payload. */
  invokeOrchestrator(payload: OrchestrationTriggerPayload): Promise<unknown>;
}

const at = (now: Date) => ({ EventId: -1, Timestamp: now.toISOString(), IsPlayed: false });

export async function runEpisode(ctx: EpisodeContext): Promise<EpisodeResult> {
  const { record, now } = ctx;
  const fresh = ctx.messages.filter((m) => !(m.event.EventType === EventType.ExecutionStarted && ctx.history.length > 0));
  const appended: AppendedEvent[] = [{ event: { EventType: EventType.OrchestratorStarted, ...at(now) } }];
  for (const message of fresh) appended.push({ event: { ...message.event, IsPlayed: false } as InboxEvent, messageId: message.id });

  const terminated = fresh.find((m) => m.event.EventType === EventType.ExecutionTerminated);
  if (terminated) {
    const reason = (terminated.event as { Input?: string }).Input;
    appended.push({ event: { EventType: EventType.ExecutionCompleted, OrchestrationStatus: 'Terminated', ...(reason ? { Result: reason } : {}), ...at(now) } });
    appended.push({ event: { EventType: EventType.OrchestratorCompleted, ...at(now) } });
    return { appended, runtimeStatus: 'Terminated', ...(reason ? { output: reason } : {}), ...keepCustomStatus(record), newWork: [] };
  }

  const history = [...ctx.history, ...appended.map((a) => a.event)];
  const payload: OrchestrationTriggerPayload = {
    // The SDK rewrites timestamps in place; hand it a copy and keep ours untouched.
    history: JSON.parse(JSON.stringify(history)) as HistoryEvent[],
    input: record.input === undefined ? undefined : JSON.parse(record.input),
    instanceId: record.instanceId,
    isReplaying: ctx.history.length > 0,
    parentInstanceId: null,
    upperSchemaVersion: REPLAY_SCHEMA_V3,
    maximumShortTimerDuration: '6.00:00:00',
    longRunningTimerIntervalDuration: '3.00:00:00',
    defaultHttpAsyncRequestSleepTimeMillseconds: 30_000,
  };

  let state: OrchestratorState;
  try {
    state = (await ctx.invokeOrchestrator(payload)) as OrchestratorState;
    if (!state || !Array.isArray(state.actions)) throw new Error(`orchestrator '${record.name}' did not return an orchestrator state; is it registered with df.app.orchestration?`);
  } catch (error) {
    const { message, state: failedState } = splitOrchestrationFailure(error);
    return fail(record, appended, now, `Orchestrator function '${record.name}' failed: ${message}`, failedState?.customStatus);
  }
  const customStatus = state.customStatus === undefined ? keepCustomStatus(record) : { customStatus: toJsonText(state.customStatus) };

  let outcome;
  try {
    outcome = replayActions(history, state.actions[0] ?? []);
  } catch (error) {
    if (error instanceof NonDeterminismError || error instanceof ReplayDivergenceError || error instanceof UnsupportedActionError) {
      return fail(record, appended, now, `Orchestrator function '${record.name}' failed: ${error.name}: ${error.message}`, state.customStatus);
    }
    throw error;
  }

  for (const work of outcome.newWork) {
    appended.push({
      event:
        work.kind === 'activity'
          ? { EventType: EventType.TaskScheduled, Name: work.name, Input: toJsonText(work.input), ...at(now), EventId: work.id }
          : { EventType: EventType.TimerCreated, FireAt: work.fireAt.toISOString(), ...at(now), EventId: work.id },
    });
  }

  let runtimeStatus: RuntimeStatus = 'Running';
  let output: string | undefined;
  if (state.isDone && outcome.settled) {
    if (outcome.continueAsNew) {
      appended.push({ event: { EventType: EventType.ExecutionCompleted, OrchestrationStatus: 'ContinuedAsNew', ...at(now) } });
    } else {
      output = toJsonText(state.output);
      runtimeStatus = 'Completed';
      appended.push({ event: { EventType: EventType.ExecutionCompleted, OrchestrationStatus: 'Completed', Result: output, ...at(now) } });
    }
  }
  appended.push({ event: { EventType: EventType.OrchestratorCompleted, ...at(now) } });
  return {
    appended,
    runtimeStatus,
    ...(output !== undefined ? { output } : {}),
    ...customStatus,
    newWork: runtimeStatus === 'Running' && !(state.isDone && outcome.continueAsNew) ? outcome.newWork : [],
    ...(state.isDone && outcome.settled && outcome.continueAsNew ? { continueAsNew: outcome.continueAsNew } : {}),
  };
}

export interface ReplayCheck {
  /** The orchestrator returned (or called continueAsNew) on the recorded history alone. */
  isDone: boolean;
  output: unknown;
  customStatus: unknown;
  /** Tasks the replay asks for that the history does not have: empty for a finished instance. */
  newWork: NewWork[];
}

/**
 * Runs the orchestrator once more over a recorded history, as a replay after a restart
 * would. Throws NonDeterminismError when the code no longer matches the history.
 */
export async function replayRecorded(
  record: InstanceRecord,
  history: HistoryEvent[],
  invokeOrchestrator: (payload: OrchestrationTriggerPayload) => Promise<unknown>,
): Promise<ReplayCheck> {
  const played = history.map((e) => ({ ...e, IsPlayed: true }));
  const state = (await invokeOrchestrator({
    history: JSON.parse(JSON.stringify(played)) as HistoryEvent[],
    input: record.input === undefined ? undefined : JSON.parse(record.input),
    instanceId: record.instanceId,
    isReplaying: true,
    parentInstanceId: null,
    upperSchemaVersion: REPLAY_SCHEMA_V3,
    maximumShortTimerDuration: '6.00:00:00',
    longRunningTimerIntervalDuration: '3.00:00:00',
    defaultHttpAsyncRequestSleepTimeMillseconds: 30_000,
  })) as OrchestratorState;
  const outcome = replayActions(played, state.actions[0] ?? []);
  return { isDone: state.isDone && outcome.settled, output: state.output, customStatus: state.customStatus, newWork: outcome.newWork };
}

function keepCustomStatus(record: InstanceRecord): { customStatus?: string } {
  return record.customStatus === undefined ? {} : { customStatus: record.customStatus };
}

function fail(record: InstanceRecord, appended: AppendedEvent[], now: Date, message: string, customStatus: unknown): EpisodeResult {
  const output = toJsonText(message);
  appended.push({ event: { EventType: EventType.ExecutionCompleted, OrchestrationStatus: 'Failed', Result: output, ...at(now) } });
  appended.push({ event: { EventType: EventType.OrchestratorCompleted, ...at(now) } });
  return {
    appended,
    runtimeStatus: 'Failed',
    output,
    ...(customStatus === undefined ? keepCustomStatus(record) : { customStatus: toJsonText(customStatus) }),
    newWork: [],
    failure: message,
  };
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

/**
 * History events in the shape the Durable extension hands to the JavaScript SDK
 * (DurableTask.Core's names and fields, PascalCase). The SDK parses `Result` and `Input`
 * with JSON.parse, so those stay JSON text.
 */
export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
} as const;

type Event<T extends number, Fields = object> = { EventType: T; EventId: number; Timestamp: string; IsPlayed: boolean } & Fields;

export type ExecutionStartedEvent = Event<
  typeof EventType.ExecutionStarted,
  { Name: string; Input?: string; Version: string; OrchestrationInstance: { InstanceId: string; ExecutionId: string } }
>;
export type ExecutionCompletedEvent = Event<typeof EventType.ExecutionCompleted, { OrchestrationStatus: 'Completed' | 'Failed' | 'ContinuedAsNew'; Result?: string }>;
export type TaskScheduledEvent = Event<typeof EventType.TaskScheduled, { Name: string; Input?: string }>;
export type TaskCompletedEvent = Event<typeof EventType.TaskCompleted, { TaskScheduledId: number; Result: string }>;
export type TaskFailedEvent = Event<typeof EventType.TaskFailed, { TaskScheduledId: number; Reason: string; Details: string }>;
export type TimerCreatedEvent = Event<typeof EventType.TimerCreated, { FireAt: string }>;
export type TimerFiredEvent = Event<typeof EventType.TimerFired, { TimerId: number; FireAt: string }>;

export type HistoryEvent =
  | ExecutionStartedEvent
  | ExecutionCompletedEvent
  | TaskScheduledEvent
  | TaskCompletedEvent
  | TaskFailedEvent
  | TimerCreatedEvent
  | TimerFiredEvent
  | Event<typeof EventType.OrchestratorStarted>
  | Event<typeof EventType.OrchestratorCompleted>;

/** What wakes an orchestration: its start, an activity's outcome, a timer (the extension's control-queue messages). */
export type InboxEvent = ExecutionStartedEvent | TaskCompletedEvent | TaskFailedEvent | TimerFiredEvent;

/** The fields every event has, for an event recorded now. */
export const at = (now: Date) => ({ EventId: -1, Timestamp: now.toISOString(), IsPlayed: false });

/** JSON text for a value crossing the history: `undefined` travels as `null`, as it does through the extension. */
export function toJsonText(value: unknown): string {
  const text = JSON.stringify(value === undefined ? null : value);
  // JSON.stringify returns undefined for functions and symbols; those cannot cross a history.
  if (text === undefined) throw new TypeError(`a value of type ${typeof value} cannot be serialized into the orchestration history`);
  return text;
}

export function parseJsonText(text: string | undefined): unknown {
  return text === undefined || text === '' ? undefined : JSON.parse(text);
}

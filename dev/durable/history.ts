/**
 * History events in the shape the Durable extension hands to the JavaScript SDK (the
 * DurableTask.Core event names and fields, PascalCase). The SDK reads `EventType`,
 * `EventId`, `Timestamp`, `IsPlayed` and the per-type fields below; it parses `Result`
 * and `Input` with JSON.parse, so those stay JSON text.
 */
export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventRaised: 15,
  ContinueAsNew: 16,
} as const;

export type EventTypeName = keyof typeof EventType;

interface Base {
  EventId: number;
  Timestamp: string;
  IsPlayed: boolean;
}

export interface ExecutionStartedEvent extends Base {
  EventType: typeof EventType.ExecutionStarted;
  Name: string;
  Input?: string;
  Version: string;
  OrchestrationInstance: { InstanceId: string; ExecutionId: string };
}
export interface ExecutionCompletedEvent extends Base {
  EventType: typeof EventType.ExecutionCompleted;
  OrchestrationStatus: 'Completed' | 'Failed' | 'Terminated' | 'ContinuedAsNew';
  Result?: string;
}
export interface ExecutionTerminatedEvent extends Base {
  EventType: typeof EventType.ExecutionTerminated;
  Input?: string;
}
export interface TaskScheduledEvent extends Base {
  EventType: typeof EventType.TaskScheduled;
  Name: string;
  Input?: string;
}
export interface TaskCompletedEvent extends Base {
  EventType: typeof EventType.TaskCompleted;
  TaskScheduledId: number;
  Result: string;
}
export interface FailureDetailsPayload {
  ErrorType: string;
  ErrorMessage: string;
  StackTrace?: string;
  IsNonRetriable?: boolean;
  Properties?: Record<string, unknown>;
}
export interface TaskFailedEvent extends Base {
  EventType: typeof EventType.TaskFailed;
  TaskScheduledId: number;
  Reason: string;
  Details: string;
  FailureDetails?: FailureDetailsPayload;
}
export interface TimerCreatedEvent extends Base {
  EventType: typeof EventType.TimerCreated;
  FireAt: string;
}
export interface TimerFiredEvent extends Base {
  EventType: typeof EventType.TimerFired;
  TimerId: number;
  FireAt: string;
}
export interface OrchestratorStartedEvent extends Base {
  EventType: typeof EventType.OrchestratorStarted;
}
export interface OrchestratorCompletedEvent extends Base {
  EventType: typeof EventType.OrchestratorCompleted;
}
export interface EventRaisedEvent extends Base {
  EventType: typeof EventType.EventRaised;
  Name: string;
  Input?: string;
}
export interface ContinueAsNewEvent extends Base {
  EventType: typeof EventType.ContinueAsNew;
  Result?: string;
}

export type HistoryEvent =
  | ExecutionStartedEvent
  | ExecutionCompletedEvent
  | ExecutionTerminatedEvent
  | TaskScheduledEvent
  | TaskCompletedEvent
  | TaskFailedEvent
  | TimerCreatedEvent
  | TimerFiredEvent
  | OrchestratorStartedEvent
  | OrchestratorCompletedEvent
  | EventRaisedEvent
  | ContinueAsNewEvent;

/** The messages that wake an orchestration (the extension's control-queue messages). */
export type InboxEvent = TaskCompletedEvent | TaskFailedEvent | TimerFiredEvent | EventRaisedEvent | ExecutionStartedEvent | ExecutionTerminatedEvent;

/** JSON text for a value crossing the history: `undefined` travels as `null`, as it does through the extension. */
export function toJsonText(value: unknown): string {
  const text = JSON.stringify(value === undefined ? null : value);
  // JSON.stringify returns undefined for functions and symbols; those cannot cross a history.
  if (text === undefined) throw new TypeError(`a value of type ${typeof value} cannot be serialized into the orchestration history`);
  return text;
}

export function parseJsonText(text: string | undefined | null): unknown {
  return text === undefined || text === null || text === '' ? undefined : JSON.parse(text);
}

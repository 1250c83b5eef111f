import type { FailureDetailsPayload } from './history.js';

/**
 * How a failed activity reaches the orchestrator. With an exception-properties provider
 * registered (`df.app.setExceptionPropertiesProvider`), the SDK's activity wrapper puts a
 * JSON failure description into the error message; the extension turns it into
 * `FailureDetails`. Otherwise the orchestrator sees `Reason` and `Details`.
 */
export interface ActivityFailure {
  Reason: string;
  Details: string;
  FailureDetails?: FailureDetailsPayload;
}

export function describeActivityFailure(activity: string, error: unknown): ActivityFailure {
  const err = error instanceof Error ? error : new Error(String(error));
  const structured = parseStructured(err.message);
  if (structured) {
    return {
      Reason: `Activity function '${activity}' failed: ${structured.errorMessage}`,
      Details: structured.stackTrace ?? '',
      FailureDetails: {
        ErrorType: structured.errorType,
        ErrorMessage: structured.errorMessage,
        ...(structured.stackTrace ? { StackTrace: structured.stackTrace } : {}),
        IsNonRetriable: structured.isNonRetriable ?? false,
        ...(structured.properties ? { Properties: structured.properties } : {}),
      },
    };
  }
  return { Reason: `Activity function '${activity}' failed: ${err.message}`, Details: err.stack ?? err.message };
}

interface StructuredFailure {
  errorType: string;
  errorMessage: string;
  stackTrace?: string;
  isNonRetriable?: boolean;
  properties?: Record<string, unknown>;
}

function parseStructured(message: string): StructuredFailure | undefined {
  if (!message.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(message) as Partial<StructuredFailure>;
    if (typeof value.errorType === 'string' && typeof value.errorMessage === 'string' && value.properties) return value as StructuredFailure;
  } catch {
    // An ordinary message that happens to start with a brace.
  }
  return undefined;
}

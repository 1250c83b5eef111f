/** Errors of the durable client API, each with the HTTP status the extension's webhook answers with. */
export class DurableApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InstanceNotFoundError extends DurableApiError {
  constructor(instanceId: string) {
    super(`No instance with ID '${instanceId}' found.`, 404);
  }
}

/** The instance finished: events and termination requests are no longer accepted. */
export class InstanceGoneError extends DurableApiError {
  constructor(instanceId: string, status: string) {
    super(`The instance '${instanceId}' is ${status} and accepts no more requests.`, 410);
  }
}

export class InstanceExistsError extends DurableApiError {
  constructor(instanceId: string, status: string) {
    super(`An orchestration instance with ID '${instanceId}' already exists and is ${status}.`, 409);
  }
}

export class UnknownOrchestrationError extends DurableApiError {
  constructor(name: string) {
    super(`The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`, 400);
  }
}

export class BadDurableRequestError extends DurableApiError {
  constructor(message: string) {
    super(message, 400);
  }
}

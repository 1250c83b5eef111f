import type { OrchestrationContext, Task } from 'durable-functions';

/**
 * Waits until every task has an outcome, success or failure. Task.all fails fast on the
 * first failure while the others still run; those are then awaited one by one (a task
 * already scheduled is not scheduled again when yielded alone). An empty list needs no wait.
 */
export function* settleAll(context: OrchestrationContext, tasks: Task[]): Generator<Task, void, any> {
  if (tasks.length === 0) return;
  try {
    yield context.df.Task.all(tasks);
  } catch {
    for (const task of tasks) {
      if (task.isCompleted || task.isFaulted) continue;
      try {
        yield task;
      } catch {
        // Its failure is read from the task by the caller.
      }
    }
  }
}

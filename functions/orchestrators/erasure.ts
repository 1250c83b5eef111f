import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import type { ErasureTarget } from '../../shared/privacy/erasure-store.js';
import { ERASURE_ORCHESTRATION, erasureActivities } from './names.js';

/**
 * One erasure: find every audience whose ledger tracks the person, take them out of each
 * (in parallel; a retryable destination failure is tried again with backoff), scrub the
 * stored reports, record the outcome. The input is the erasure's id only: the address
 * stays out of the orchestration's history.
 */
const retry = new df.RetryOptions(2_000, 5);
retry.backoffCoefficient = 2;
retry.maxRetryIntervalInMilliseconds = 60_000;

const erasure: OrchestrationHandler = function* (context: OrchestrationContext): Generator<Task, unknown, any> {
  const { erasureId } = context.df.getInput<{ erasureId: string }>();
  const targets = (yield context.df.callActivityWithRetry(erasureActivities.findTargets, retry, { erasureId })) as ErasureTarget[];
  const pending = targets.filter((t) => t.outcome === 'pending');
  const tasks = pending.map((target) => context.df.callActivityWithRetry(erasureActivities.eraseFromAudience, retry, { erasureId, target }));
  if (tasks.length > 0) {
    try {
      yield context.df.Task.all(tasks);
    } catch {
      // Each task's failure is recorded below; the others still finish.
      for (const task of tasks) if (!task.isCompleted && !task.isFaulted) yield task;
    }
  }
  const failed = tasks.flatMap((task, i) => (task.isFaulted ? [pending[i]!] : []));
  if (failed.length > 0) yield context.df.callActivity(erasureActivities.recordFailures, { erasureId, failed });
  const scrubbed = (yield context.df.callActivityWithRetry(erasureActivities.scrubReports, retry, { erasureId })) as number;
  return yield context.df.callActivityWithRetry(erasureActivities.finish, retry, {
    erasureId,
    reportsScrubbed: scrubbed,
    now: context.df.currentUtcDateTime.toISOString(),
  });
};

df.app.orchestration(ERASURE_ORCHESTRATION, erasure);

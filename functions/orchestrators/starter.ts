import * as df from 'durable-functions';
import type { DurableClient } from 'durable-functions';
import type { RunStarter } from '../../shared/pipeline/runs/run-service.js';
import type { RunInput } from '../../shared/pipeline/run-steps.js';
import { EXPORT_RUN_ORCHESTRATION } from './names.js';

const active = new Set<string>([
  df.OrchestrationRuntimeStatus.Pending,
  df.OrchestrationRuntimeStatus.Running,
  df.OrchestrationRuntimeStatus.ContinuedAsNew,
]);

/** The durable client, seen by the run service as "what is active" and "start one". */
export function runStarter(client: DurableClient): RunStarter {
  return {
    async activeInput(instanceId) {
      try {
        const status = await client.getStatus(instanceId);
        return active.has(status.runtimeStatus) ? (status.input as RunInput) : undefined;
      } catch (error) {
        // The client reports an unknown instance as an error mentioning the extension's 404.
        if (/\b404\b/.test((error as Error).message)) return undefined;
        throw error;
      }
    },
    async start(instanceId, input) {
      await client.startNew(EXPORT_RUN_ORCHESTRATION, { instanceId, input });
    },
  };
}

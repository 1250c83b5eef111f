import type { Services } from '../services.js';
import type { Run, RunTrigger } from '../domain/run.js';
import type { Export } from '../domain/export.js';
import { RunStore } from '../storage/run-store.js';
import type { RunInput } from './run-steps.js';

/**
 * Starting runs. One orchestration instance per export (its id derives from the export),
 * so "one active run per export" is the orchestration engine's guarantee, not a flag of
 * ours that a crash could leave set.
 */
export interface RunStarter {
  /** The input of the export's instance when it is Pending or Running; undefined when none is active. */
  activeInput(instanceId: string): Promise<RunInput | undefined>;
  start(instanceId: string, input: RunInput): Promise<void>;
}

export const runInstanceId = (exportId: string) => `export-${exportId}`;

export type StartRunResult = { started: true; run: Run } | { started: false; activeRunId: string };

export async function startRun(
  services: Services,
  starter: RunStarter,
  exp: Pick<Export, 'id' | 'destinationType' | 'segments'>,
  trigger: RunTrigger,
  now = new Date(),
): Promise<StartRunResult> {
  const instanceId = runInstanceId(exp.id);
  const active = await starter.activeInput(instanceId);
  if (active) return { started: false, activeRunId: active.runId };
  const run: Run = {
    id: RunStore.newRunId(now.getTime()),
    exportId: exp.id,
    destinationType: exp.destinationType,
    trigger,
    status: 'queued',
    segments: exp.segments.map((segment) => ({
      segment, read: 0, valid: 0, invalid: 0, duplicate: 0, skipped: 0, sent: 0, accepted: 0, rejected: 0, status: 'pending',
    })),
    startedAt: now.toISOString(),
  };
  await services.runs.create(run);
  try {
    await starter.start(instanceId, { runId: run.id, exportId: exp.id, trigger });
  } catch (error) {
    // Lost a race with another starter: the engine refused a second active instance. The
    // record of a run that never ran is removed, so the history holds only real runs and
    // the caller gets the same 409 as one who asked a moment later.
    const winner = await starter.activeInput(instanceId);
    if (winner) {
      await services.runs.remove(run.id, exp.id);
      return { started: false, activeRunId: winner.runId };
    }
    await services.runs.update(run.id, exp.id, (r) => ({
      ...r,
      status: 'failed',
      reason: `could-not-start: ${oneLine((error as Error).message)}`,
      finishedAt: new Date().toISOString(),
    }));
    throw error;
  }
  return { started: true, run };
}

/** Starts a run of every export the predicate selects; an export with an active run keeps it. */
export async function startRuns(
  services: Services,
  starter: RunStarter,
  exportsToRun: Export[],
  trigger: RunTrigger,
): Promise<StartRunResult[]> {
  const results: StartRunResult[] = [];
  for (const exp of exportsToRun) results.push(await startRun(services, starter, exp, trigger));
  return results;
}

const oneLine = (text: string) => text.split('\n')[0]!.slice(0, 200);

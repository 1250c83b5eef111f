import { bulkhead } from 'cockatiel';
import type { Services } from '../../services.js';
import type { Run, RunTrigger } from '../../domain/run.js';
import type { Export } from '../../domain/export.js';
import { RunStore } from '../../storage/run-store.js';
import type { RunInput } from '../run-steps.js';

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

export type StartRunResult = { started: true; run: Run } | { started: false; activeRunId: string; followUp?: boolean };

export interface StartOptions {
  /** Sync in full (see RunInput.full). */
  full?: boolean;
  /** While a run is active, queue one follow-up run instead (a newer segment file must never be dropped). */
  followUpCause?: string;
  now?: Date;
}

/** A queued run record of an export; its orchestration is started (or continued) by the caller. */
export async function createRunRecord(services: Services, exp: Pick<Export, 'id' | 'destinationType' | 'segments'>, trigger: RunTrigger, options: { full?: boolean; now?: Date } = {}): Promise<Run> {
  const now = options.now ?? new Date();
  const run: Run = {
    id: RunStore.newRunId(now.getTime()),
    exportId: exp.id,
    destinationType: exp.destinationType,
    trigger,
    ...(options.full ? { full: true } : {}),
    status: 'queued',
    segments: exp.segments.map((segment) => ({
      segment, read: 0, valid: 0, invalid: 0, duplicate: 0, suppressed: 0, skipped: 0, unchanged: 0, sent: 0, accepted: 0, rejected: 0, status: 'pending',
    })),
    startedAt: now.toISOString(),
  };
  await services.runs.create(run);
  return run;
}

const runInput = (run: Run): RunInput => ({ runId: run.id, exportId: run.exportId, trigger: run.trigger, ...(run.full ? { full: true } : {}) });

export async function startRun(
  services: Services,
  starter: RunStarter,
  exp: Pick<Export, 'id' | 'destinationType' | 'segments'>,
  trigger: RunTrigger,
  options: StartOptions = {},
): Promise<StartRunResult> {
  const instanceId = runInstanceId(exp.id);
  const busy = async (activeRunId: string): Promise<StartRunResult> => {
    if (!options.followUpCause) return { started: false, activeRunId };
    await services.followUps.request({ exportId: exp.id, trigger, requestedAt: (options.now ?? new Date()).toISOString(), cause: options.followUpCause });
    return { started: false, activeRunId, followUp: true };
  };
  const active = await activeRun(services, starter, instanceId);
  if (active) return busy(active.runId);
  const run = await createRunRecord(services, exp, trigger, options);
  try {
    await starter.start(instanceId, runInput(run));
  } catch (error) {
    // Lost a race with another starter: the engine refused a second active instance. The
    // record of a run that never ran is removed, so the history holds only real runs and
    // the caller gets the same 409 as one who asked a moment later.
    const winner = await starter.activeInput(instanceId);
    if (winner) {
      await services.runs.remove(run.id, exp.id);
      return busy(winner.runId);
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

const TERMINAL = new Set(['succeeded', 'partially-succeeded', 'failed', 'skipped']);

/**
 * The export's active run. An instance whose run record is already final is only closing
 * (its last steps after the record): it is given a moment to end instead of refusing the caller.
 */
async function activeRun(services: Services, starter: RunStarter, instanceId: string): Promise<RunInput | undefined> {
  for (let attempt = 0; ; attempt++) {
    const active = await starter.activeInput(instanceId);
    if (!active || attempt >= 20) return active;
    const run = await services.runs.find(active.runId);
    if (!run || !TERMINAL.has(run.status)) return active;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts a run of every export given; an export with an active run keeps it (and, with followUpCause, gets a follow-up). */
export async function startRuns(
  services: Services,
  starter: RunStarter,
  exportsToRun: Export[],
  trigger: RunTrigger,
  options: StartOptions = {},
): Promise<StartRunResult[]> {
  // Side by side: each start is a few storage round trips and the exports are independent.
  // A start that fails fails the caller (the blob trigger tries the file again) once the
  // others are done; those find their runs active then, as before for the exports ahead of it.
  const starts = bulkhead(STARTS_AT_ONCE, Number.POSITIVE_INFINITY);
  const settled = await Promise.allSettled(exportsToRun.map((exp) => starts.execute(() => startRun(services, starter, exp, trigger, options))));
  const failed = settled.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<StartRunResult>).value);
}

/** Runs started at once by one trigger: a schedule may start a whole tenant's exports. */
const STARTS_AT_ONCE = 8;

/**
 * Called by a run as it ends: the follow-up asked for meanwhile, as the input of the next
 * run (a new queued record), or undefined.
 */
export async function claimFollowUp(services: Services, exportId: string, now: Date): Promise<RunInput | undefined> {
  const request = await services.followUps.claim(exportId);
  if (!request) return undefined;
  const exp = await services.exports.find(exportId);
  if (!exp || !exp.enabled) return undefined;
  return runInput(await createRunRecord(services, exp, request.trigger, { now }));
}

/**
 * The minute timer's safety net: a follow-up requested just as its run was ending (after
 * the run looked) is started here, once no run of the export is active.
 */
export async function startUnclaimedFollowUps(services: Services, starter: RunStarter, now = new Date()): Promise<StartRunResult[]> {
  const results: StartRunResult[] = [];
  for await (const request of services.followUps.all()) {
    if (await starter.activeInput(runInstanceId(request.exportId))) continue;
    const input = await claimFollowUp(services, request.exportId, now);
    if (!input) continue;
    const instanceId = runInstanceId(request.exportId);
    try {
      await starter.start(instanceId, input);
      results.push({ started: true, run: (await services.runs.find(input.runId))! });
    } catch {
      // A run started meanwhile: the request goes back for that run to claim.
      await services.runs.update(input.runId, input.exportId, (r) => ({ ...r, status: 'skipped', reason: 'another run started first; it takes the follow-up', finishedAt: now.toISOString() }));
      await services.followUps.request(request);
    }
  }
  return results;
}

const oneLine = (text: string) => text.split('\n')[0]!.slice(0, 200);

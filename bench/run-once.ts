import { setTimeout as sleep } from 'node:timers/promises';
import { connectDestination } from '../shared/destinations/connect.js';
import { getDestination } from '../shared/destinations/registry.js';
import { earlySendRule } from '../shared/pipeline/limits.js';
import { ensureAudienceStep, prepareSegmentStep } from '../shared/pipeline/run-steps.js';
import { sliceRest } from '../shared/pipeline/run-files/work-files.js';
import { createServices, type Services } from '../shared/services.js';
import { commitLedger } from '../shared/sync/commit.js';
import { planChanges } from '../shared/sync/plan.js';
import { bulkPollMs, checkBulkSend, MAX_BULK_JOB_MS, startBulkSend, type BulkSendInput } from '../shared/sync/bulk-send.js';
import type { PlannedChanges } from '../shared/sync/plan.js';
import { sendChanges, type SendInput } from '../shared/sync/send.js';

/**
 * Child process of the benchmark: one run of one segment, step by step as the
 * orchestration's activities run it (prepare, sending while preparing where the run starts
 * from nothing tracked, audience, plan, a bulk job where the changes are over the
 * destination's bulk threshold, send, commit), in a fresh process that loads only
 * what a Functions worker loads for them: no local host, no durable driver, no benchmark.
 * Its peak RSS is the app's share of the run.
 * argv: <exportId> <segment> <blobName> [full]; the app's settings come from the environment.
 */
async function main(): Promise<void> {
  const [exportId, segment, blobName, mode] = process.argv.slice(2);
  if (!exportId || !segment || !blobName) throw new Error('usage: run-once <exportId> <segment> <blobName> [full]');
  const services = createServices();
  if (process.env.BENCH_RATE_LIMITS === 'off') {
    // As in the benchmark's own process: the simulators take what comes, and so does our limiter.
    services.destinationClient = (connection, settings) =>
      connectDestination({ secrets: services.secrets, endpoints: services.config.destinations, http: { requestsPerSecond: 100_000 } }, connection, settings);
  }
  const { config } = services;
  const exp = (await services.exports.find(exportId))!;
  const destination = getDestination(exp.destinationType);
  const runId = `memory-${process.pid}`;
  const started = performance.now();
  const ref = { runId, exportId, segment, segmentIndex: 0 };

  const rule = config.sendWhilePreparing && !destination.audienceCreationNeedsMembers ? earlySendRule(destination.limits, 0, exp.truncate) : undefined;
  const prepared = await prepareSegmentStep(services, { ...ref, blobName, ...(rule ? { sendWhilePreparing: rule } : {}) });
  if ('failed' in prepared) throw new Error(`prepare: ${prepared.failed}`);
  const early = prepared.sentWhilePreparing;
  let audience = early && { audienceId: early.audienceId, created: early.created };
  const delivered = (early?.files ?? []).map((file) => ({ name: file.name, records: file.done }));
  if (!audience) {
    const firstWorkFile = destination.audienceCreationNeedsMembers ? prepared.workFiles[0] : undefined;
    let ensured = await ensureAudienceStep(services, { ...ref, ...(firstWorkFile ? { firstWorkFile } : {}) });
    // Refused a turn at the rate: the orchestration's durable timer, here a sleep.
    while ('failed' in ensured && ensured.failed.paced) {
      await sleep(ensured.failed.retryAfterMs ?? 0);
      ensured = await ensureAudienceStep(services, { ...ref, ...(firstWorkFile ? { firstWorkFile } : {}) });
    }
    if ('failed' in ensured) throw new Error(`audience: ${ensured.failed.reason}`);
    if (ensured.membersIncluded && firstWorkFile) delivered.push(firstWorkFile);
    audience = ensured;
  }
  const plan = await planChanges(services, {
    ...ref,
    audienceId: audience.audienceId,
    audienceCreated: audience.created,
    membership: prepared.workFiles,
    delivered,
    replaced: early?.replaced ?? false,
    full: mode === 'full',
    now: new Date().toISOString(),
  });
  // As the orchestration's bulk stage: a change set over the threshold goes as one job.
  const threshold = destination.bulkThreshold?.(config.destinations);
  if (threshold !== undefined) {
    const job = (kind: 'add' | 'remove', slices: PlannedChanges['adds'], replace: boolean): BulkSendInput => ({
      ...ref, audienceId: audience.audienceId, kind, slices, ...(replace ? { replace: true } : {}),
    });
    if (records(plan.adds) > threshold && (await sendInBulk(services, job('add', plan.adds, plan.replaceFirst)))) Object.assign(plan, { adds: [], replaceFirst: false });
    if (records(plan.removes) > threshold && (await sendInBulk(services, job('remove', plan.removes, false)))) Object.assign(plan, { removes: [] });
  }
  const sends: SendInput[] = [
    ...plan.removes.map((slice) => ({ kind: 'remove' as const, slice })),
    ...plan.adds.map((slice, k) => ({ kind: 'add' as const, slice, replaceFirst: plan.replaceFirst && k === 0 })),
  ].map((send) => ({ ...ref, audienceId: audience.audienceId, batchSize: destination.limits.batchSize, ...send }));
  // As the orchestration does: a window of uploads at a time, the replacing batch first.
  for (let start = 0; start < sends.length; start += config.maxUploadsInFlight) {
    await Promise.all(sends.slice(start, start + config.maxUploadsInFlight).map((send) => sendUntilDone(services, send)));
  }
  const committed = await commitLedger(services, { ...ref, audienceId: audience.audienceId, now: new Date().toISOString() });
  const seconds = (performance.now() - started) / 1000;
  // maxRSS is the kernel's high-water mark for this process, in KiB.
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const sentEarly = (early?.files ?? []).reduce((sum, file) => sum + file.done, 0);
  process.stdout.write(JSON.stringify({ valid: prepared.valid, sentWhilePreparing: sentEarly, added: committed.added, removed: committed.removed, ledgerAfter: committed.ledgerAfter, seconds, peakRssMb }) + '\n');
  process.exit(0);
}

const records = (slices: { records: number }[]) => slices.reduce((sum, slice) => sum + slice.records, 0);

/**
 * One bulk job, started and then checked on the orchestration's schedule; false when it
 * failed or outlived the orchestration's limit, and the batches take over as in a run.
 */
async function sendInBulk(services: Services, input: BulkSendInput): Promise<boolean> {
  const started = await startBulkSend(services, input);
  if ('failed' in started) return false;
  const deadline = Date.now() + MAX_BULK_JOB_MS;
  for (let round = 0; Date.now() < deadline; round++) {
    await sleep(bulkPollMs(round));
    const checked = await checkBulkSend(services, { ...input, jobId: started.jobId });
    if (checked.state === 'done') return true;
    if (checked.state === 'failed') return false;
  }
  return false;
}

/** One slice to its end: a step refused a turn at the rate goes again from where it stopped once its turn comes, as the orchestration requeues it. */
async function sendUntilDone(services: Services, send: SendInput): Promise<void> {
  let input = send;
  for (;;) {
    const result = await sendChanges(services, input);
    if (!result.failed) return;
    if (!result.failed.paced) throw new Error(`send: ${result.failed.reason}`);
    await sleep(result.failed.retryAfterMs ?? 0);
    input = {
      ...input,
      slice: sliceRest(input.slice, result.done),
      replaceFirst: input.replaceFirst === true && result.done === 0,
      ...(result.failed.pending ? { pendingRemoval: result.failed.pending } : {}),
    };
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});

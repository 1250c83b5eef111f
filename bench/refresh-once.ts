import { getDestination } from '../shared/destinations/registry.js';
import { prepareSegment } from '../shared/pipeline/prepare/prepare.js';
import { ensureAudienceStep } from '../shared/pipeline/run-steps.js';
import { createServices } from '../shared/services.js';
import { commitLedger } from '../shared/sync/commit.js';
import { planChanges } from '../shared/sync/plan.js';
import { sendChanges, type SendInput } from '../shared/sync/send.js';

/**
 * Child process of the mirror-sync benchmark: one refresh of one segment, step by step as
 * the orchestration's activities run it (prepare, audience, plan, send, commit), in a fresh
 * process that loads only what a Functions worker loads for them: no local host, no
 * durable driver, no benchmark. Its peak RSS is the app's share of a refresh.
 * argv: <exportId> <segment> <blobName>; the app's settings come from the environment.
 */
async function main(): Promise<void> {
  const [exportId, segment, blobName] = process.argv.slice(2);
  if (!exportId || !segment || !blobName) throw new Error('usage: refresh-once <exportId> <segment> <blobName>');
  const services = createServices();
  const { storage, config } = services;
  const exp = (await services.exports.find(exportId))!;
  const destination = getDestination(exp.destinationType);
  const runId = `memory-${process.pid}`;
  const started = performance.now();

  const prepared = await prepareSegment(
    {
      segments: await storage.ensureContainer(config.containers.segments),
      work: await storage.ensureContainer(config.containers.work),
      reports: await storage.ensureContainer(config.containers.reports),
    },
    { runId, segmentIndex: 0, segment, blobName, dataMatching: exp.dataMatching, recordsPerWorkFile: destination.limits.recordsPerWorkFile, suppressed: await services.suppressions.hashes() },
  );
  const audience = await ensureAudienceStep(services, { runId, exportId, segment, segmentIndex: 0 });
  if ('failed' in audience) throw new Error(`audience: ${audience.failed.reason}`);
  const plan = await planChanges(services, {
    runId,
    exportId,
    segment,
    segmentIndex: 0,
    audienceId: audience.audienceId,
    audienceCreated: audience.created,
    membership: prepared.workFiles,
    full: false,
    now: new Date().toISOString(),
  });
  const sends: SendInput[] = [
    ...plan.removes.map((slice) => ({ kind: 'remove' as const, slice })),
    ...plan.adds.map((slice, k) => ({ kind: 'add' as const, slice, replaceFirst: plan.replaceFirst && k === 0 })),
  ].map((send) => ({ runId, exportId, segment, segmentIndex: 0, audienceId: audience.audienceId, batchSize: destination.limits.batchSize, ...send }));
  // As the orchestration does: a window of uploads at a time, the replacing batch first.
  for (let start = 0; start < sends.length; start += config.maxUploadsInFlight) {
    const results = await Promise.all(sends.slice(start, start + config.maxUploadsInFlight).map((send) => sendChanges(services, send)));
    const failed = results.find((result) => result.failed);
    if (failed) throw new Error(`send: ${failed.failed!.reason}`);
  }
  const committed = await commitLedger(services, { runId, exportId, segment, segmentIndex: 0, audienceId: audience.audienceId, now: new Date().toISOString() });
  const seconds = (performance.now() - started) / 1000;
  // maxRSS is the kernel's high-water mark for this process, in KiB.
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ valid: prepared.valid, added: committed.added, removed: committed.removed, ledgerAfter: committed.ledgerAfter, seconds, peakRssMb }) + '\n');
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});

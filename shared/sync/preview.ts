import { randomUUID } from 'node:crypto';
import type { Services } from '../services.js';
import type { Export } from '../domain/export.js';
import type { SegmentPreview } from '../domain/preview.js';
import { getDestination } from '../destinations/registry.js';
import { applyLimits, planUploads } from '../pipeline/limits.js';
import { prepareSegment, SegmentFileError } from '../pipeline/prepare/prepare.js';
import { findLatestSegmentBlob } from '../pipeline/prepare/segment-blobs.js';
import { matchingInput } from '../pipeline/prepare/matching-input.js';
import { deleteWorkFiles, readSlice } from '../pipeline/run-files/work-files.js';
import { containersFor } from './files.js';
import { readLedger } from './ledger.js';
import { planChanges } from './plan.js';

const SAMPLE_SIZE = 20;

/**
 * A dry run: the export's segments read, checked and planned against their ledgers as a run
 * would, without a call that writes to the destination and without touching a ledger. The
 * scratch files it needs live under a preview id in the work and report containers and are
 * deleted before it answers.
 */
export async function previewExport(services: Services, exp: Export, options: { full: boolean }): Promise<SegmentPreview[]> {
  const runId = `preview-${randomUUID()}`;
  const destination = getDestination(exp.destinationType);
  const { work, ledgers, reports } = await containersFor(services);
  const segmentsContainer = await services.storage.ensureContainer(services.config.containers.segments);
  // As a run does: a suppressed person is never planned as an add nor shown in the sample.
  const suppressed = await services.suppressions.hashes();
  try {
    const prepared = [];
    for (const [segmentIndex, segment] of exp.segments.entries()) {
      const blobName = (await services.segments.find(segment))?.latestFile ?? (await findLatestSegmentBlob(segmentsContainer, segment))?.name;
      if (!blobName) {
        prepared.push({ segment, failed: 'segment-file-not-found' });
        continue;
      }
      try {
        prepared.push(
          await prepareSegment(
            { segments: segmentsContainer, work, reports },
            { runId, segmentIndex, segment, blobName, dataMatching: exp.dataMatching, ...matchingInput(exp), recordsPerWorkFile: destination.limits.recordsPerWorkFile, suppressed },
          ),
        );
      } catch (error) {
        if (!(error instanceof SegmentFileError)) throw error;
        prepared.push({ segment, failed: error.reason });
      }
    }
    const decisions = applyLimits(destination.limits, prepared.map((p) => ('failed' in p ? 0 : p.valid)), exp.truncate);
    const previews: SegmentPreview[] = [];
    for (const [segmentIndex, p] of prepared.entries()) {
      const empty = { full: false, adds: 0, removes: 0, unchanged: 0, notRemoved: 0, overLimit: 0, sample: [] };
      if ('failed' in p) {
        previews.push({ segment: p.segment, outcome: p.failed, read: 0, valid: 0, invalid: 0, duplicate: 0, suppressed: 0, ...empty });
        continue;
      }
      const counts = { segment: p.segment, file: p.blobName, read: p.read, valid: p.valid, invalid: p.invalid, duplicate: p.duplicate, suppressed: p.suppressed };
      const decision = decisions[segmentIndex]!;
      if (decision.action !== 'send') {
        previews.push({ ...counts, outcome: `${decision.reason}: ${decision.detail}`, ...empty });
        continue;
      }
      const { upload } = planUploads(p.workFiles, decision.send);
      const ledger = await readLedger(ledgers, exp.id, p.segment);
      const plan = await planChanges(services, {
        runId,
        exportId: exp.id,
        segment: p.segment,
        segmentIndex,
        // The audience the ledger knows; without one the run would create or find it and sync in full.
        audienceId: ledger?.audienceId ?? '',
        audienceCreated: !ledger,
        membership: upload,
        full: options.full,
        now: new Date().toISOString(),
        dryRun: true,
      });
      const sample: unknown[] = [];
      for (const slice of plan.adds) {
        if (sample.length >= SAMPLE_SIZE) break;
        for (const record of (await readSlice(work, slice)).slice(0, SAMPLE_SIZE - sample.length)) sample.push(destination.mapRecord(record));
      }
      previews.push({
        ...counts,
        outcome: 'send',
        overLimit: decision.overLimit,
        full: plan.full,
        adds: plan.addCount,
        removes: plan.removeCount,
        unchanged: plan.unchanged,
        notRemoved: plan.notRemoved,
        sample,
      });
    }
    return previews;
  } finally {
    await deleteWorkFiles(work, runId);
    await deleteWorkFiles(reports, runId);
  }
}

import type { Readable } from 'node:stream';
import type { ContainerClient } from '@azure/storage-blob';
import type { Services } from '../../services.js';
import { getDestination } from '../../destinations/registry.js';
import { SendWhilePreparing, type SentWhilePreparing } from '../../sync/send-while-preparing.js';
import { tracksNothing } from '../../sync/ledger.js';
import type { EarlySendRule } from '../limits.js';
import { recordBound } from '../read/record-bound.js';
import { SegmentFileError, type PreparedSegment, type PrepareSegmentInput } from './prepare.js';
import { prepareInWorker, warmPreparingWorker } from './prepare-in-worker.js';
import { matchingInput } from './matching-input.js';
import { findLatestSegmentBlob, segmentFileNotFound } from './segment-blobs.js';
import { segmentFileFormat } from './segment-file.js';

/**
 * The prepare activity's step: the segment's newest file to work files (prepare.ts, on the
 * preparing worker thread), and, for a run from nothing tracked, the work files sent as
 * they are written (sync/send-while-preparing.ts).
 */
export interface PrepareStepInput {
  runId: string;
  exportId: string;
  segmentIndex: number;
  segment: string;
  /** Send work files as they are written, within this rule, when the run starts from nothing tracked. */
  sendWhilePreparing?: EarlySendRule;
  /** This file of the segment rather than its newest (the benchmark replays an earlier one). */
  blobName?: string;
}

export type PrepareStepResult =
  | (PreparedSegment & { sentWhilePreparing?: SentWhilePreparing })
  | { segment: string; segmentIndex: number; failed: string };

export async function prepareSegmentStep(services: Services, input: PrepareStepInput): Promise<PrepareStepResult> {
  const { storage, config } = services;
  // Only a run from nothing tracked sends every valid member as an add; a refresh plans first.
  const fresh = input.sendWhilePreparing
    ? await tracksNothing(await storage.ensureContainer(config.containers.ledgers), input.exportId, input.segment)
    : false;
  // Its start-up (loading the blob SDK) overlaps with the lookups below.
  warmPreparingWorker();
  const exp = await services.exports.findRecent(input.exportId);
  if (!exp) return { segment: input.segment, segmentIndex: input.segmentIndex, failed: 'export-removed' };
  const segmentsContainer = await storage.ensureContainer(config.containers.segments);
  const known = await services.segments.find(input.segment);
  const blobName = input.blobName ?? known?.latestFile ?? (await findLatestSegmentBlob(segmentsContainer, input.segment))?.name;
  if (!blobName) {
    return { segment: input.segment, segmentIndex: input.segmentIndex, failed: await segmentFileNotFound(segmentsContainer, config.containers.segments, input.segment) };
  }
  const early = fresh ? await startSendingWhilePreparing(services, input, segmentsContainer, blobName, input.sendWhilePreparing!) : undefined;
  const sender = early?.sender;
  try {
    const prepareInput: PrepareSegmentInput = {
      runId: input.runId,
      segmentIndex: input.segmentIndex,
      segment: input.segment,
      blobName,
      dataMatching: exp.dataMatching,
      ...matchingInput(exp),
      recordsPerWorkFile: getDestination(exp.destinationType).limits.recordsPerWorkFile,
      suppressed: await services.suppressions.hashes(),
      ...(early ? { etag: early.etag } : {}),
    };
    // Created here: the worker only opens them.
    await storage.ensureContainer(config.containers.work);
    await storage.ensureContainer(config.containers.reports);
    // On a thread of its own: parsing uses one core while this one sends, plans and replays
    // for the other runs (a tenant's refresh prepares dozens of files at once).
    const prepared = await prepareInWorker(config, prepareInput, sender ? (file, records, validSoFar) => sender.workFile(file, records, validSoFar) : undefined);
    // A file that failed part-way sends nothing more (the sender opens only once the whole
    // file has been read, so it has sent nothing either).
    const sent = prepared.fileFailure ? await sender?.abort() : await sender?.finish();
    await services.segments.setRowCount(input.segment, blobName, prepared.read);
    return sent ? { ...prepared, sentWhilePreparing: sent } : prepared;
  } catch (error) {
    await sender?.abort();
    if (error instanceof SegmentFileError) return { segment: input.segment, segmentIndex: input.segmentIndex, failed: error.reason };
    throw error;
  }
}

/**
 * The record bound is a second read of the file, side by side with preparation; both read
 * the same version of the blob (its ETag), so the bound is the bound of the rows prepared.
 */
async function startSendingWhilePreparing(
  services: Services,
  input: PrepareStepInput,
  segments: ContainerClient,
  blobName: string,
  rule: EarlySendRule,
): Promise<{ sender: SendWhilePreparing; etag: string } | undefined> {
  const format = segmentFileFormat(blobName);
  if (!format) return undefined;
  const blob = segments.getBlobClient(blobName);
  let etag: string | undefined;
  try {
    etag = (await blob.getProperties()).etag;
  } catch {
    // Preparation reports a missing file itself.
  }
  if (!etag) return undefined;
  const bound = blob.download(0, undefined, { conditions: { ifMatch: etag } }).then((download) => recordBound(download.readableStreamBody as Readable, format));
  bound.catch(() => undefined);
  const sender = new SendWhilePreparing(services, { runId: input.runId, exportId: input.exportId, segment: input.segment, segmentIndex: input.segmentIndex, rule }, bound);
  return { sender, etag };
}


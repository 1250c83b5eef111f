import type { Readable } from 'node:stream';
import type { Services } from '../../services.js';
import type { Segment } from '../../domain/segment.js';
import { readSegmentRows } from '../read/segment-reader.js';
import { parseSegmentBlobName, SEGMENT_FILE_KINDS, segmentFileFormat } from '../prepare/segment-file.js';
import { startRuns, type RunStarter, type StartRunResult } from './run-service.js';
import { importSuppressionFile, SUPPRESSIONS_FOLDER } from '../../privacy/suppression-file.js';

export type SegmentFileOutcome =
  | { ignored: string }
  | { suppressions: { added: number; already: number; invalid: number } }
  | { segment: Segment; runs: StartRunResult[] };

/**
 * A file landed in the segments container: record it in the catalog (name, columns,
 * size) and start a run of every enabled export of that segment that runs on refresh.
 * Only the header is read here; the rows are streamed later by the run itself.
 */
export async function onSegmentFile(services: Services, starter: RunStarter, blobName: string): Promise<SegmentFileOutcome> {
  const parsed = parseSegmentBlobName(blobName);
  if (!parsed) return { ignored: `not in a segment folder: ${blobName}` };
  const format = segmentFileFormat(blobName);
  if (!format) return { ignored: `not a segment file: only ${SEGMENT_FILE_KINDS} files count; rename it to be part of segment ${parsed.segment}` };
  if (parsed.segment === SUPPRESSIONS_FOLDER) return { suppressions: await importSuppressionFile(services, blobName) };

  const container = await services.storage.ensureContainer(services.config.containers.segments);
  const blob = container.getBlobClient(blobName);
  const download = await blob.download();
  const body = download.readableStreamBody as Readable;
  let columns: string[] = [];
  try {
    columns = await readSegmentRows(body, format).columns();
  } catch {
    // An unreadable header is reported by the run that reads the file; the catalog still learns of it.
  } finally {
    body.destroy();
  }
  const candidate: Segment = {
    name: parsed.segment,
    latestFile: blobName,
    format: format.format,
    gzip: format.gzip,
    columns,
    sizeBytes: download.contentLength ?? 0,
    refreshedAt: (download.lastModified ?? new Date()).toISOString(),
  };
  const recorded = await services.segments.recordFile(candidate);
  if (recorded.latestFile !== blobName) return { ignored: `an older file than ${recorded.latestFile}` };

  const exportsToRun = (await services.exports.listBySegment(parsed.segment)).filter((e) => e.enabled && e.runOnSegmentRefresh);
  // A run already active gets one follow-up that reads this (newest) file when it ends.
  return { segment: recorded, runs: await startRuns(services, starter, exportsToRun, 'segment-refresh', { followUpCause: blobName }) };
}

import { z } from 'zod';
import type { DestinationLimits } from '../types.js';

export const autopilotCredentials = z
  .object({
    apiKey: z.string().min(1).max(256).describe('Autopilot API key (autopilotapikey header).'),
  })
  .strict();

export const autopilotSettings = z.object({}).strict();

/**
 * `POST /contacts` takes at most 100 contacts (more: 400). Work files of 12,500: the
 * largest export (100,000) is 8 files, one window of uploads at the default
 * MAX_UPLOADS_IN_FLIGHT, so no upload waits on the slowest of an earlier window (measured:
 * 2.6 s → 2.1 s for 100,000 profiles without rate limits; docs/benchmarks.md).
 */
export const autopilotLimits: DestinationLimits = {
  maxTotalPerExport: 100_000,
  batchSize: 100,
  // No bulk removal: one call per contact (client.ts), each its own step of progress.
  removeBatchSize: 1,
  recordsPerWorkFile: 12_500,
};

/** Published: "The Autopilot API currently limits you to 5 API requests per second" (429 above it). */
export const autopilotRequestsPerSecond = 5;

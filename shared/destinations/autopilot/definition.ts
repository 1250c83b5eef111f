import { z } from 'zod';
import type { DestinationLimits } from '../types.js';

export const autopilotCredentials = z
  .object({
    apiKey: z.string().min(1).max(256).describe('Autopilot API key (autopilotapikey header).'),
  })
  .strict();

export const autopilotSettings = z.object({}).strict();

/** `POST /contacts` takes at most 100 contacts (more: 400). */
export const autopilotLimits: DestinationLimits = {
  maxTotalPerExport: 100_000,
  batchSize: 100,
  recordsPerWorkFile: 2_000,
};

/** Published: "The Autopilot API currently limits you to 5 API requests per second" (429 above it). */
export const autopilotRequestsPerSecond = 5;

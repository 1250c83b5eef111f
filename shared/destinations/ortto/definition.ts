import { z } from 'zod';
import type { DestinationLimits } from '../types.js';

/** Ortto's data regions: an instance lives in one, and its API answers on that region's host. */
export const orttoRegions = ['ap3', 'au', 'eu'] as const;
export type OrttoRegion = (typeof orttoRegions)[number];

/** The API base URL of each region (paths under `/v1`); `ap3` is Ortto's default service endpoint. */
export const orttoRegionHosts: Record<OrttoRegion, string> = {
  ap3: 'https://api.ap3api.com/v1',
  au: 'https://api.au.ap3api.com/v1',
  eu: 'https://api.eu.ap3api.com/v1',
};

export const orttoCredentials = z
  .object({
    apiKey: z.string().min(1).max(256).describe('Ortto custom API key (Data sources → Custom API), sent as the X-Api-Key header.'),
    region: z
      .enum(orttoRegions)
      .optional()
      .describe('The region of your Ortto instance: ap3 (the default service endpoint), au (Australia) or eu (Europe).'),
  })
  .strict();

export const orttoSettings = z.object({}).strict();

/**
 * `POST /v1/person/merge` takes 1 to 100 people (and 2 MB) a request. Work files of 12,500
 * (125 requests) as for Autopilot, whose successor this is: a few seconds of the account's
 * rate each, so an upload activity stays short.
 */
export const orttoLimits: DestinationLimits = {
  batchSize: 100,
  recordsPerWorkFile: 12_500,
};

/**
 * Business plans: 600 requests per 10 s and 1,800 per 60 s per account (429 with
 * `try-in-seconds` above either). The minute's limit binds: 30 a second, which the client's
 * sliding window (a second and 50 ms) keeps to about 1,710 a minute and 290 per 10 s.
 */
export const orttoRequestsPerSecond = 30;

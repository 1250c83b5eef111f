import { z } from 'zod';
import type { Principal } from '../domain/principal.js';
import { NotFoundError } from '../errors.js';
import { audienceReadingSchema, type AudienceReading } from '../insights/model.js';
import { insightStore } from '../insights/store.js';
import type { Services } from '../services.js';
import type { Page, PageQuery } from '../storage/paging.js';
import { getExport } from './exports.js';

export const audienceInsightSchema = z.object({
  segment: z.string(),
  latest: audienceReadingSchema.nullable().describe('The newest reading; null before the first (no run yet, or not read yet).'),
});
export const audienceInsightsSchema = z.object({ exportId: z.string(), audiences: z.array(audienceInsightSchema) });
export type AudienceInsights = z.infer<typeof audienceInsightsSchema>;

/** Per segment of an export the caller may see: the newest reading (tracked, reported, match rate, state, drift, the last run's changes). */
export async function exportAudienceInsights(services: Services, principal: Principal, exportId: string): Promise<AudienceInsights> {
  const exp = await getExport(services, principal, exportId);
  const store = insightStore(services.storage);
  const audiences = await Promise.all(exp.segments.map(async (segment) => ({ segment, latest: (await store.latest(exp.id, segment)) ?? null })));
  return { exportId: exp.id, audiences };
}

/** The readings of one of the export's segments, newest first; a segment the export does not send is 404. */
export async function audienceHistory(services: Services, principal: Principal, exportId: string, segment: string, query: PageQuery): Promise<Page<AudienceReading>> {
  const exp = await getExport(services, principal, exportId);
  if (!exp.segments.includes(segment)) throw new NotFoundError('segment', segment);
  return insightStore(services.storage).history(exp.id, segment, query);
}

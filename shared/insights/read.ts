import { ACTIVITY_PATIENCE_MS, PacedOut, withPacing } from '../destinations/common/pacing.js';
import { getDestination } from '../destinations/registry.js';
import { DestinationError, type AudienceDescription, type DestinationClient } from '../destinations/types.js';
import type { Export } from '../domain/export.js';
import type { Run } from '../domain/run.js';
import type { Services } from '../services.js';
import { readLedger } from '../sync/ledger.js';
import { assessReading } from './assess.js';
import { audienceReadingSchema, type AudienceReading } from './model.js';
import { judgeAlerts, tellAlerts } from './raise-alerts.js';
import { readingBudget } from './budget.js';
import { insightStore } from './store.js';

export interface ReadInsightsInput {
  exportId: string;
  trigger: AudienceReading['trigger'];
  /** The run ending (after-run readings): its adds and removes go with the reading. */
  run?: Pick<Run, 'id' | 'segments'>;
  /** Only these segments (the timer reads those due); default every segment of the export. */
  segments?: string[];
}

export interface ReadInsightsOutcome {
  read: number;
  /** Left for the timer: the reading budget or the destination's rate had no turn free now. */
  deferred: number;
  /** The destination could not be asked (a transient failure); the timer tries again. */
  failed: number;
  /** No ledger: no audience to read yet. */
  skipped: number;
}

const none: ReadInsightsOutcome = { read: 0, deferred: 0, failed: 0, skipped: 0 };

/**
 * Asks the destination about each audience of the export and keeps the answer beside what the
 * ledger holds. Reads never wait for the destination's rate: a read takes a turn only when
 * one is free within a send's patience (the shared limiter, so the service's rate holds for
 * reads and sends together), and only within the connection's reading budget (a small share
 * of the rate); anything else is deferred to the timer. A segment without a ledger has no
 * audience yet and is not read. Never throws: insights must not disturb a run.
 */
export async function readAudienceInsights(services: Services, input: ReadInsightsInput, now = () => new Date()): Promise<ReadInsightsOutcome> {
  try {
    const exp = await services.exports.findRecent(input.exportId);
    const connection = exp ? await services.connections.findRecent(exp.connectionId) : undefined;
    if (!exp || !connection) return none;
    const client = await services.destinationClient(connection, exp.settings);
    const run = input.run;
    const outcome = { ...none };
    for (const segment of input.segments ?? exp.segments) {
      const result = await readSegment(services, exp, connection.id, client, segment, input, run, now);
      outcome[result]++;
    }
    return outcome;
  } catch (error) {
    console.warn(`insights of export ${input.exportId}: ${(error as Error).message}`);
    return { ...none, failed: 1 };
  }
}

async function readSegment(
  services: Services,
  exp: Export,
  connectionId: string,
  client: DestinationClient,
  segment: string,
  input: ReadInsightsInput,
  run: Pick<Run, 'id' | 'segments'> | undefined,
  now: () => Date,
): Promise<keyof ReadInsightsOutcome> {
  const ledgers = await services.storage.ensureContainer(services.config.containers.ledgers);
  const ledger = await readLedger(ledgers, exp.id, segment);
  if (!ledger) return 'skipped';
  const destination = getDestination(exp.destinationType);
  let description: AudienceDescription | undefined;
  let gone: string | undefined;
  if (client.describeAudience) {
    if (!readingBudget(connectionId).take()) return 'deferred';
    try {
      description = await withPacing({ patienceMs: ACTIVITY_PATIENCE_MS }, () => client.describeAudience!(ledger.audienceId));
    } catch (error) {
      if (error instanceof PacedOut) return 'deferred';
      if (!(error instanceof DestinationError && error.code === 'not-found')) {
        console.warn(`insights of export ${exp.id}, segment ${segment}: ${(error as Error).message}`);
        return 'failed';
      }
      gone = `${destination.displayName} no longer holds the audience (deleted there?); the next run creates it again`;
    }
  }
  const tracked = ledger.members.length;
  const owed = ledger.pendingRemovals.length;
  const assessment = gone
    ? { state: 'failed' as const, detail: gone, matchRate: null, matchRateEstimate: false }
    : assessReading({ ...(description ? { description } : {}), tracked, owed, sync: destination.sync(exp.settings), displayName: destination.displayName });
  const sync = run?.segments.find((s) => s.segment === segment)?.sync;
  const reading = audienceReadingSchema.parse({
    exportId: exp.id,
    segment,
    destinationType: exp.destinationType,
    audienceId: ledger.audienceId,
    readAt: now().toISOString(),
    trigger: input.trigger,
    tracked,
    owed,
    reported: description ? { sizes: description.sizes, size: description.size, counts: description.counts, estimate: description.estimate } : null,
    ...assessment,
    ...(run && sync ? { lastRun: { runId: run.id, added: sync.added, removed: sync.removed } } : {}),
  });
  const alerts = await judgeAlerts(services, exp, reading);
  await insightStore(services.storage).record(alerts.length > 0 ? { ...reading, alerts: alerts.map(({ kind, message }) => ({ kind, message })) } : reading);
  await tellAlerts(services, exp, alerts);
  return 'read';
}

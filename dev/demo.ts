import { BlobServiceClient } from '@azure/storage-blob';
import { readEndpoints, type LocalEndpoints } from './host/endpoints.js';
import { reconciliationErrors } from '../shared/pipeline/counts/outcome.js';
import type { SegmentRun } from '../shared/domain/run.js';
import { exportMatching, sampleEmail, sampleSegment, type CatalogEntry } from './demo/plan.js';
import { addressForms, summarizeMembers } from './demo/members.js';
import { devConnections } from './simulators/credentials.js';

/**
 * `npm run demo`, with `npm start` running: one connection and one export per destination,
 * a generated segment file dropped into Azurite, the runs followed until they finish, what
 * each destination reports about its audience (the readings), and what each simulator received.
 */

const SEGMENT = 'demo-members';
const ROWS = 1_000;
const TERMINAL = new Set(['succeeded', 'partially-succeeded', 'failed', 'skipped']);

/** A destination in the demo: its catalog entry, and where its simulator listens. */
interface Destination extends CatalogEntry {
  label: string;
  simulator: string | undefined;
}

/**
 * Every destination the app registers (its catalog, `GET /api/destinations`), each with the
 * development credentials and settings its simulator accepts: a destination added to the
 * registry and the simulators is in the demo without a line here.
 */
async function demoDestinations(endpoints: LocalEndpoints): Promise<Destination[]> {
  const catalog = items<CatalogEntry>(await api(endpoints.hostUrl, 'GET', '/destinations'));
  return catalog.map((entry) => ({
    ...entry,
    label: entry.displayName,
    simulator: endpoints.simulatorsByType?.[entry.type],
  }));
}

async function api<T>(hostUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${hostUrl}/api${path}`, {
    method,
    // Also on body-less POSTs: the API's CSRF defence asks for JSON (or X-Requested-With).
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} /api${path} answered ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** List endpoints page their results; accept the page object or a bare array. */
function items<T>(page: unknown): T[] {
  if (Array.isArray(page)) return page as T[];
  const object = page as { items?: T[]; value?: T[] };
  return object.items ?? object.value ?? [];
}

interface Run {
  id: string;
  status: string;
  startedAt?: string;
  progress?: { stage?: string; workFilesDone?: number; workFilesTotal?: number };
  segments?: SegmentRun[];
}

async function latestRun(hostUrl: string, exportId: string): Promise<Run | undefined> {
  const runs = items<Run>(await api(hostUrl, 'GET', `/exports/${encodeURIComponent(exportId)}/runs`));
  return runs.sort((a, b) => String(b.startedAt ?? '').localeCompare(String(a.startedAt ?? '')))[0];
}

function describeRun(run: Run | undefined): string {
  if (!run) return 'waiting for the run to start';
  const progress = run.progress;
  const files = progress?.workFilesTotal ? ` ${progress.workFilesDone ?? 0}/${progress.workFilesTotal} work files` : '';
  return `${run.status}${progress?.stage ? ` (${progress.stage}${files})` : ''}`;
}

interface Reading {
  readAt: string;
  trigger: string;
  tracked: number | null;
  reported: { sizes: Record<string, number | null>; estimate: boolean } | null;
  state: string;
  detail?: string;
  matchRate: number | null;
  matchRateEstimate: boolean;
  drift?: { message: string };
  alerts?: { message: string }[];
}

/**
 * What each destination made of its audience (GET /exports/{id}/audiences), waiting up to 20 s
 * for the readings taken at the runs' end. A destination whose rate left no turn free then
 * (NextRoll's 2 requests a second) is read by the insights timer, every 30 minutes.
 */
async function printReadings(hostUrl: string, exports: { destination: Destination; exportId: string }[]): Promise<void> {
  const latest = async (exportId: string) =>
    (await api<{ audiences: { segment: string; latest: Reading | null }[] }>(hostUrl, 'GET', `/exports/${encodeURIComponent(exportId)}/audiences`)).audiences;
  const deadline = Date.now() + 20_000;
  let readings = await Promise.all(exports.map(({ exportId }) => latest(exportId)));
  while (readings.some((audiences) => audiences.some((a) => !a.latest)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    readings = await Promise.all(exports.map(({ exportId }) => latest(exportId)));
  }
  console.log('\nAudience readings (what each destination reports, beside the ledger):');
  exports.forEach(({ destination }, i) => {
    for (const { segment, latest: r } of readings[i]!) {
      if (!r) {
        console.log(`  ${destination.label} / ${segment}: not read yet (the insights timer reads it within 30 minutes)`);
        continue;
      }
      const sizes = r.reported ? Object.entries(r.reported.sizes).map(([name, n]) => `${name} ${n ?? 'withheld'}`).join(', ') || 'no size' : 'reports nothing';
      const rate = r.matchRate === null ? 'match rate not known' : `match rate ${Math.round(r.matchRate * 1000) / 10}%${r.matchRateEstimate ? ' (estimate)' : ''}`;
      console.log(`  ${destination.label} / ${segment}: ${r.state}${r.detail ? ` (${r.detail})` : ''}; tracked ${r.tracked ?? 'none'}; ${sizes}; ${rate}; read ${r.readAt} (${r.trigger})`);
      if (r.drift) console.log(`    drift: ${r.drift.message}`);
      for (const alert of r.alerts ?? []) console.log(`    alert: ${alert.message}`);
    }
  });
}

/**
 * Exports of an earlier demo against the same data would run on this demo's file too, and
 * write to the same simulators: each demo runs its own exports only.
 */
async function disableEarlierDemos(hostUrl: string): Promise<void> {
  let continuation: string | undefined;
  do {
    const page = await api<{ items: { id: string; name: string; segments: string[]; enabled: boolean }[]; continuation?: string }>(
      hostUrl,
      'GET',
      `/exports?top=1000${continuation ? `&continuation=${encodeURIComponent(continuation)}` : ''}`,
    );
    for (const earlier of page.items) {
      if (!earlier.enabled || !earlier.name.startsWith('Demo ') || earlier.segments.join() !== SEGMENT) continue;
      await api(hostUrl, 'PATCH', `/exports/${encodeURIComponent(earlier.id)}`, { enabled: false });
      console.log(`  disabled '${earlier.name}' of an earlier demo`);
    }
    continuation = page.continuation ?? undefined;
  } while (continuation);
}

async function main(): Promise<void> {
  const endpoints = readEndpoints();
  if (!endpoints) throw new Error('the app is not running: start it with `npm start` (in another terminal) first');
  const { hostUrl } = endpoints;
  const status = await fetch(`${hostUrl}/admin/host/status`).catch(() => undefined);
  if (!status?.ok) throw new Error(`no local host answers on ${hostUrl}: is \`npm start\` still running?`);

  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  console.log(`Creating a connection and an export per destination (segment '${SEGMENT}')...`);
  const exports: { destination: Destination; exportId: string }[] = [];
  await disableEarlierDemos(hostUrl);
  const segment = items<{ name: string; columns: string[]; columnsTruncated?: boolean }>(await api(hostUrl, 'GET', '/segments')).find((s) => s.name === SEGMENT);
  const latestFileColumns = segment && segment.columns.length > 0 && !segment.columnsTruncated ? segment.columns : undefined;
  const development: Partial<Record<string, { credentials: Record<string, string>; settings: Record<string, string> }>> = devConnections;
  for (const destination of await demoDestinations(endpoints)) {
    const dev = development[destination.type];
    if (!dev || !destination.simulator) {
      console.log(`  ${destination.label}: skipped (no local simulator for '${destination.type}')`);
      continue;
    }
    const connection = await api<{ id: string }>(hostUrl, 'POST', '/connections', {
      type: destination.type,
      displayName: `Demo ${destination.label} ${stamp}`,
      credentials: dev.credentials,
      consent: true,
    });
    const created = await api<{ id: string }>(hostUrl, 'POST', '/exports', {
      name: `Demo ${destination.label} ${stamp}`,
      connectionId: connection.id,
      segments: [SEGMENT],
      ...exportMatching(destination, latestFileColumns),
      settings: dev.settings,
      runOnSegmentRefresh: true,
    });
    exports.push({ destination, exportId: created.id });
    console.log(`  ${destination.label}: connection ${connection.id}, export ${created.id}`);
    if (endpoints.webhookSink) {
      // Every outcome, as a Teams card, to the local webhook sink (docs/operations.md).
      await api(hostUrl, 'POST', `/exports/${encodeURIComponent(created.id)}/webhooks`, {
        name: `demo ${destination.label}`,
        format: 'teams',
        outcomes: ['failed', 'partially-succeeded', 'succeeded'],
        url: `${endpoints.webhookSink}/hooks/demo-${created.id}`,
      });
    }
  }

  const blobName = `${SEGMENT}/demo-${stamp}.csv`;
  const container = BlobServiceClient.fromConnectionString(endpoints.storage).getContainerClient('segments');
  await container.createIfNotExists();
  const csv = sampleSegment(stamp, ROWS);
  await container.getBlockBlobClient(blobName).upload(csv, Buffer.byteLength(csv), { blobHTTPHeaders: { blobContentType: 'text/csv' } });
  console.log(`Dropped segments/${blobName} (${ROWS} profiles, 1 invalid address, 1 duplicate); the blob trigger starts the runs.`);

  const deadline = Date.now() + 15 * 60 * 1_000;
  const finished = new Map<string, Run>();
  let lastLine = '';
  while (finished.size < exports.length) {
    if (Date.now() > deadline) throw new Error('the runs did not finish within 15 minutes');
    const lines: string[] = [];
    for (const { destination, exportId } of exports) {
      const run = finished.get(exportId) ?? (await latestRun(hostUrl, exportId));
      if (run && TERMINAL.has(run.status)) finished.set(exportId, run);
      lines.push(`${destination.label}: ${describeRun(run)}`);
    }
    const line = lines.join(' | ');
    if (line !== lastLine) console.log(`  ${line}`);
    lastLine = line;
    if (finished.size < exports.length) await new Promise((resolve) => setTimeout(resolve, 1_000));
  }

  console.log('\nRuns:');
  const problems: string[] = [];
  for (const { destination, exportId } of exports) {
    const run = await api<Run>(hostUrl, 'GET', `/runs/${encodeURIComponent(finished.get(exportId)!.id)}`);
    console.log(`  ${destination.label}: ${run.status}`);
    if (run.status !== 'succeeded') problems.push(`${destination.label}: the run ${run.status}`);
    for (const segment of run.segments ?? []) {
      const { segment: name, read, valid, invalid, duplicate, skipped, sent, accepted, rejected, status: segmentStatus, reason } = segment;
      // The accounting every run record must satisfy (read = valid + invalid + duplicate + suppressed, ...).
      const errors = reconciliationErrors(segment);
      console.log(
        `    ${name}: ${segmentStatus}; read ${read}, valid ${valid}, invalid ${invalid}, duplicate ${duplicate}, skipped ${skipped}, sent ${sent}, accepted ${accepted}, rejected ${rejected}; ${errors.length ? `does not reconcile: ${errors.join('; ')}` : 'reconciles'}${reason ? ` (${reason})` : ''}`,
      );
      if (errors.length) problems.push(`${destination.label} / ${name}: ${errors.join('; ')}`);
    }
  }

  if (endpoints.webhookSink) {
    console.log('\nRun notifications (Teams cards on the webhook sink):');
    const received = (await (await fetch(`${endpoints.webhookSink}/__sim/received`)).json()) as { path: string; body: string }[];
    for (const { destination, exportId } of exports) {
      const cards = received.filter((r) => r.path === `/hooks/demo-${exportId}`);
      const title = cards.map((c) => (JSON.parse(c.body) as { attachments: { content: { body: { text?: string }[] } }[] }).attachments[0]?.content.body[0]?.text);
      console.log(`  ${destination.label}: ${cards.length ? title.join('; ') : 'none yet (they follow the run record within seconds)'}`);
    }
  }

  await printReadings(hostUrl, exports);

  console.log('\nWhat the simulators received:');
  // The demo's addresses as sent and as SHA-256: members of this demo whatever shape a simulator keeps them in.
  const ours = addressForms(Array.from({ length: ROWS }, (_, k) => sampleEmail(stamp, k + 1)));
  for (const { destination } of exports) {
    const origin = new URL(destination.simulator!).origin;
    const response = await fetch(`${origin}/__sim/audiences/${encodeURIComponent(SEGMENT)}`);
    if (!response.ok) {
      console.log(`  ${destination.label}: no audience named '${SEGMENT}' (${response.status})`);
      problems.push(`${destination.label}: the simulator has no audience named '${SEGMENT}'`);
      continue;
    }
    const audience = (await response.json()) as { id: string; name: string; members: unknown[] };
    const { total, ours: fromThisDemo, example } = summarizeMembers(audience.members, ours);
    console.log(`  ${destination.label}: audience '${audience.name}' (${audience.id}) holds ${total} members (${fromThisDemo} from this demo)${example ? `, e.g. ${example}` : ''}`);
    // A simulator finds an audience by name: the first of that name, from an earlier demo against the same `npm start`, hides later ones.
    if (fromThisDemo === 0 && total > 0) console.log(`    (an audience of an earlier demo: restart \`npm start\` for a fresh simulator)`);
  }

  if (problems.length) {
    console.log(`\n${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join('\n')}`);
    process.exitCode = 1;
  } else {
    console.log(`\nEvery run succeeded and reconciles (${exports.length} destinations).`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

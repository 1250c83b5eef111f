import { BlobServiceClient } from '@azure/storage-blob';
import { readEndpoints, type LocalEndpoints } from './host/endpoints.js';
import { devCredentials } from './simulators/credentials.js';

/**
 * `npm run demo`, with `npm start` running: one connection and one export per destination,
 * a generated segment file dropped into Azurite, the runs followed until they finish, what
 * each destination reports about its audience (the readings), and what each simulator received.
 */

const SEGMENT = 'demo-members';
const ROWS = 1_000;
const TERMINAL = new Set(['succeeded', 'partially-succeeded', 'failed', 'skipped']);

interface Destination {
  type: 'adroll' | 'rollworks' | 'microsoft-advertising' | 'autopilot' | 'google-ads' | 'meta' | 'linkedin' | 'ortto';
  label: string;
  credentials: Record<string, string>;
  settings: Record<string, string>;
  dataMatching: Record<string, string>;
  simulator(endpoints: LocalEndpoints): string;
}

const destinations: Destination[] = [
  {
    type: 'adroll',
    label: 'AdRoll',
    credentials: { refreshToken: devCredentials.adroll.refreshToken },
    settings: { advertiserId: devCredentials.adroll.advertiserId },
    dataMatching: { email: 'email' },
    simulator: (e) => e.simulators.adroll,
  },
  {
    type: 'rollworks',
    label: 'RollWorks',
    credentials: { refreshToken: devCredentials.rollworks.refreshToken },
    settings: { advertiserId: devCredentials.rollworks.advertiserId },
    dataMatching: { email: 'email' },
    simulator: (e) => e.simulators.rollworks,
  },
  {
    type: 'microsoft-advertising',
    label: 'Microsoft Advertising',
    credentials: { refreshToken: devCredentials.microsoftAdvertising.refreshToken },
    settings: { customerId: devCredentials.microsoftAdvertising.customerId, accountId: devCredentials.microsoftAdvertising.accountId },
    dataMatching: { email: 'email' },
    simulator: (e) => e.simulators.microsoftAdvertising.api,
  },
  {
    type: 'google-ads',
    label: 'Google Ads',
    credentials: { refreshToken: devCredentials.googleAds.refreshToken, customerId: devCredentials.googleAds.customerId },
    settings: { adUserData: 'granted', adPersonalization: 'granted', membershipDurationDays: '30' },
    dataMatching: { email: 'email', phone: 'phone' },
    simulator: (e) => e.simulators.googleAds.api,
  },
  {
    type: 'autopilot',
    label: 'Autopilot',
    credentials: { apiKey: devCredentials.autopilot.apiKey },
    settings: {},
    dataMatching: { email: 'email', firstName: 'first_name', lastName: 'last_name' },
    simulator: (e) => e.simulators.autopilot,
  },
  {
    type: 'ortto',
    label: 'Ortto',
    credentials: { apiKey: devCredentials.ortto.apiKey },
    settings: {},
    dataMatching: { email: 'email', firstName: 'first_name', lastName: 'last_name' },
    simulator: (e) => e.simulators.ortto,
  },
  {
    type: 'linkedin',
    label: 'LinkedIn Matched Audiences',
    credentials: { refreshToken: devCredentials.linkedin.refreshToken },
    settings: { adAccountId: devCredentials.linkedin.adAccountId },
    dataMatching: { email: 'email', firstName: 'first_name', lastName: 'last_name' },
    simulator: (e) => e.simulators.linkedin.api,
  },
  {
    type: 'meta',
    label: 'Meta Custom Audiences',
    credentials: { accessToken: devCredentials.meta.accessToken },
    settings: { adAccountId: devCredentials.meta.adAccountId, customerFileSource: 'USER_PROVIDED_ONLY' },
    dataMatching: { email: 'email', firstName: 'first_name', lastName: 'last_name' },
    // Endpoints written by an older `npm start` lack it: the default port.
    simulator: (e) => e.simulators.meta ?? 'http://127.0.0.1:7106',
  },
];

/** A segment file with a few rows the pipeline must reject (bad address, duplicate in another case). */
function sampleSegment(stamp: string): string {
  const lines = ['email,first_name,last_name,phone'];
  // Every fifth row has a phone too (Google Ads matches on it; the others do not map it).
  for (let i = 1; i <= ROWS; i++) lines.push(`demo.${stamp}.${i}@example.com,First${i},Last${i},${i % 5 === 0 ? `+1212555${String(i).padStart(4, '0')}` : ''}`);
  lines.push('not-an-email,Broken,Row,');
  lines.push(`DEMO.${stamp}.1@EXAMPLE.COM,Dupe,Licate,`);
  return `${lines.join('\n')}\n`;
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
  segments?: Array<Record<string, unknown>>;
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

async function main(): Promise<void> {
  const endpoints = readEndpoints();
  if (!endpoints) throw new Error('the app is not running: start it with `npm start` (in another terminal) first');
  const { hostUrl } = endpoints;
  const status = await fetch(`${hostUrl}/admin/host/status`).catch(() => undefined);
  if (!status?.ok) throw new Error(`no local host answers on ${hostUrl}: is \`npm start\` still running?`);

  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  console.log(`Creating a connection and an export per destination (segment '${SEGMENT}')...`);
  const exports: { destination: Destination; exportId: string }[] = [];
  for (const destination of destinations) {
    const connection = await api<{ id: string }>(hostUrl, 'POST', '/connections', {
      type: destination.type,
      displayName: `Demo ${destination.label} ${stamp}`,
      credentials: destination.credentials,
      consent: true,
    });
    const created = await api<{ id: string }>(hostUrl, 'POST', '/exports', {
      name: `Demo ${destination.label} ${stamp}`,
      connectionId: connection.id,
      segments: [SEGMENT],
      dataMatching: destination.dataMatching,
      settings: destination.settings,
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
  const csv = sampleSegment(stamp);
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
  for (const { destination, exportId } of exports) {
    const run = await api<Run>(hostUrl, 'GET', `/runs/${encodeURIComponent(finished.get(exportId)!.id)}`);
    console.log(`  ${destination.label}: ${run.status}`);
    for (const segment of run.segments ?? []) {
      const { segment: name, read, valid, invalid, duplicate, skipped, sent, accepted, rejected, status: segmentStatus, reason } = segment as Record<string, unknown>;
      console.log(
        `    ${String(name)}: ${String(segmentStatus)}; read ${read}, valid ${valid}, invalid ${invalid}, duplicate ${duplicate}, skipped ${skipped}, sent ${sent}, accepted ${accepted}, rejected ${rejected}${reason ? ` (${reason})` : ''}`,
      );
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
  for (const { destination } of exports) {
    const origin = new URL(destination.simulator(endpoints)).origin;
    const response = await fetch(`${origin}/__sim/audiences/${encodeURIComponent(SEGMENT)}`);
    if (!response.ok) {
      console.log(`  ${destination.label}: no audience named '${SEGMENT}' (${response.status})`);
      continue;
    }
    const audience = (await response.json()) as { id: string; name: string; members: unknown[] };
    // Ortto's simulator lists people ({ email, first, last }); Microsoft Advertising, Google Ads, Meta and
    // LinkedIn hold SHA-256 hashes (all but Microsoft's as objects of them); the others emails.
    const emails = audience.members
      .map((m) => (typeof m === 'string' ? m : typeof m === 'object' && m !== null && 'email' in m ? String(m.email) : ''))
      .filter((m) => m.includes('@'));
    const fromThisDemo = emails.filter((m) => m.includes(stamp)).length;
    console.log(
      `  ${destination.label}: audience '${audience.name}' (${audience.id}) holds ${audience.members.length} members` +
        (emails.length === 0 ? ' (SHA-256 hashes)' : ` (${fromThisDemo} from this demo), e.g. ${emails.slice(0, 2).join(', ')}`),
    );
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

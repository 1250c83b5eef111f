import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { devCredentials } from '../../../dev/simulators/credentials.js';
import { startMicrosoftAdvertisingSimulator, type MicrosoftAdvertisingSimulator } from '../../../dev/simulators/microsoft-advertising/server.js';
import { memorySecretStore } from '../../../dev/simulators/testing.js';
import { loadConfig } from '../../config.js';
import { connectionSecretName } from '../../secrets/types.js';
import { connectDestination } from '../connect.js';
import type { BulkAction, BulkItem, BulkJobStatus, DestinationClient } from '../types.js';
import { bulkApiUrl } from './bulk.js';

const creds = devCredentials.microsoftAdvertising;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
let sim: MicrosoftAdvertisingSimulator;
let client: DestinationClient;

beforeAll(async () => {
  sim = await startMicrosoftAdvertisingSimulator({ rateLimits: false });
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(async () => {
  sim.reset();
  sim.bulkLimits.processingMs = 30;
  const id = `msads-bulk-${Math.random().toString(36).slice(2)}`;
  client = await connectDestination(
    {
      secrets: memorySecretStore({ [connectionSecretName(id)]: JSON.stringify({ refreshToken: creds.refreshToken }) }),
      endpoints: loadConfig({
        MSADS_API_URL: sim.url,
        MSADS_TOKEN_URL: sim.tokenUrl,
        MSADS_CLIENT_ID: creds.clientId,
        MSADS_CLIENT_SECRET: creds.clientSecret,
        MSADS_DEVELOPER_TOKEN: creds.developerToken,
      }).destinations,
    },
    { id, type: 'microsoft-advertising' },
    { customerId: creds.customerId, accountId: creds.accountId },
  );
});

function* items(from: number, to: number): Generator<BulkItem> {
  for (let k = from; k <= to; k++) yield { clientId: String(k), memberId: sha256(`person.${k}@example.com`) };
}
const hashes = (from: number, to: number) => [...items(from, to)].map((item) => item.memberId);

async function* each<T>(values: Iterable<T>): AsyncGenerator<T> {
  yield* values;
}

/** Starts a job and asks for its status until it is done, as the orchestration does (here with a short sleep). */
async function runJob(audienceId: string, action: BulkAction, list: Iterable<BulkItem>): Promise<{ started: { jobId: string; items: number }; status: BulkJobStatus; polls: number }> {
  const started = await client.bulk!.start(audienceId, action, each(list));
  for (let polls = 1; ; polls++) {
    const status = await client.bulk!.status(started.jobId);
    if (status.state !== 'pending') return { started, status, polls };
    await sleep(10);
  }
}

describe('Microsoft Advertising Bulk upload against the simulator', () => {
  it('derives the Bulk host from the Campaign Management one, or takes the setting', () => {
    expect(bulkApiUrl('https://campaign.api.bingads.microsoft.com')).toBe('https://bulk.api.bingads.microsoft.com');
    expect(bulkApiUrl('https://campaign.api.sandbox.bingads.microsoft.com')).toBe('https://bulk.api.sandbox.bingads.microsoft.com');
    expect(bulkApiUrl('http://127.0.0.1:7103/')).toBe('http://127.0.0.1:7103');
    expect(bulkApiUrl('https://campaign.api.bingads.microsoft.com', 'https://proxy.example.com/')).toBe('https://proxy.example.com');
  });

  it('adds, then removes, exactly the items of each upload, after the job went through InProgress', async () => {
    const { audienceId } = await client.ensureAudience('Bulk adds', []);
    const added = await runJob(audienceId, 'add', items(1, 2_500));
    expect(added.started.items).toBe(2_500);
    expect(added.status).toEqual({ state: 'completed', errors: [] });
    expect(added.polls).toBeGreaterThan(1);
    expect(new Set(sim.audience('Bulk adds')!.members)).toEqual(new Set(hashes(1, 2_500)));

    const removed = await runJob(audienceId, 'remove', items(1, 1_000));
    expect(removed.status).toEqual({ state: 'completed', errors: [] });
    expect(new Set(sim.audience('Bulk adds')!.members)).toEqual(new Set(hashes(1_001, 2_500)));

    expect(sim.bulkJobs().map((job) => job.status)).toEqual(['Completed', 'Completed']);
    // One upload URL, one upload and one result file a job, not a call per 1,000 items.
    expect(sim.requests.all((r) => r.path.endsWith('/CustomerListUserData/Apply'))).toHaveLength(0);
    expect(sim.requests.all((r) => r.path === '/Bulk/v13/BulkUploadUrl/Query')).toHaveLength(2);
    expect(sim.requests.all((r) => r.path.startsWith('/Bulk/v13/FileUpload/'))).toHaveLength(2);
  });

  it('replaces the membership: members outside the file leave, and GET /__sim/audiences shows the result', async () => {
    const { audienceId } = await client.ensureAudience('Bulk replace', []);
    sim.addMembers('Bulk replace', [sha256('stranger@example.com'), ...hashes(1, 10)]);
    const { status } = await runJob(audienceId, 'replace', items(5, 20));
    expect(status).toEqual({ state: 'completed', errors: [] });
    const response = await fetch(`${sim.url}/__sim/audiences/${encodeURIComponent('Bulk replace')}`);
    const audience = (await response.json()) as { members: string[] };
    expect(new Set(audience.members)).toEqual(new Set(hashes(5, 20)));
  });

  it('reports refused items by their Client Id, and applies the rest', async () => {
    const { audienceId } = await client.ensureAudience('Bulk errors', []);
    sim.refuseItems([sha256('person.3@example.com')]);
    const list = [...items(1, 5), { clientId: '6', memberId: 'not-a-hash' }, { clientId: '7', memberId: 'plain@example.com' }];
    const { status } = await runJob(audienceId, 'add', list);
    expect(status.state).toBe('completed');
    const errors = status.state === 'completed' ? [...status.errors].sort((a, b) => a.clientId.localeCompare(b.clientId)) : [];
    expect(errors).toEqual([
      { clientId: '3', reason: '8007 CustomerListItemInvalid' },
      { clientId: '6', reason: '8007 CustomerListItemInvalid' },
      { clientId: '7', reason: '8004 EmailMustBeHashed' },
    ]);
    expect(new Set(sim.audience('Bulk errors')!.members)).toEqual(new Set(hashes(1, 5).filter((_, k) => k !== 2)));
    expect(sim.bulkJobs()[0]!.status).toBe('CompletedWithErrors');
  });

  it('fails a job over the row limit for good, and leaves the audience as it was', async () => {
    const { audienceId } = await client.ensureAudience('Bulk rows', []);
    sim.bulkLimits.maxRows = 100;
    const { status } = await runJob(audienceId, 'add', items(1, 150));
    expect(status).toMatchObject({ state: 'failed', retryable: false, reason: expect.stringContaining('UploadFileRowCountExceeded') });
    expect(sim.audience('Bulk rows')!.members).toEqual([]);
  });

  it('refuses the Customer List when the terms are not accepted, for good', async () => {
    const { audienceId } = await client.ensureAudience('Bulk terms', []);
    await fetch(`${sim.url}/__sim/terms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accepted: false }) });
    const outcome = await runJob(audienceId, 'add', items(1, 3)).catch((error: unknown) => error);
    expect(outcome).toMatchObject({ code: 'terms-not-accepted', retryable: false });
    expect(sim.audience('Bulk terms')!.members).toEqual([]);
  });

  it('says when the bulk quota is spent, with the wait the service asks for', async () => {
    const { audienceId } = await client.ensureAudience('Bulk quota', []);
    sim.refuseBulkUploads(1);
    const refused = await client.bulk!.start(audienceId, 'add', each(items(1, 3))).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'rate-limited', retryAfterMs: 15 * 60_000 });
    const { status } = await runJob(audienceId, 'add', items(1, 3));
    expect(status).toEqual({ state: 'completed', errors: [] });
  });
});

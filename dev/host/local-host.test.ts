import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TableClient, odata } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../azurite.js';
import type { LogEntry } from './invoke.js';
import { startLocalHost, type RunningLocalHost } from './local-host.js';

type Fixture = typeof import('./fixtures/app.js');
let fixture: Fixture;
let azurite: RunningAzurite;
let host: RunningLocalHost;
let root: string;
const logs: LogEntry[] = [];

beforeAll(async () => {
  azurite = await startAzurite();
  root = mkdtempSync(path.join(tmpdir(), 'local-host-'));
  writeFileSync(
    path.join(root, 'host.json'),
    JSON.stringify({
      version: '2.0',
      extensions: { durableTask: { hubName: '%DURABLE_TASK_HUB%' }, blobs: { maxDegreeOfParallelism: 2, poisonBlobThreshold: 3 } },
    }),
  );
  writeFileSync(path.join(root, 'local.settings.json'), JSON.stringify({ IsEncrypted: false, Values: { DURABLE_TASK_HUB: 'HostTests', TICK_SCHEDULE: '0 0 0 1 1 *' } }));
  process.env.AzureWebJobsStorage = azurite.connectionString;
  host = await startLocalHost({ root, port: 0, load: () => import('./fixtures/app.js'), log: (e) => logs.push(e), blobPollIntervalMs: 50 });
  fixture = await import('./fixtures/app.js');
});

afterAll(async () => {
  await host?.stop();
  await azurite?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('local host: HTTP triggers', () => {
  it('routes with parameters, query strings and the most specific template first', async () => {
    const item = await fetch(`${host.url}/api/items/42?q=find`);
    expect(item.status).toBe(200);
    expect(await item.json()).toEqual({ id: '42', q: 'find', user: null });
    expect(await (await fetch(`${host.url}/api/items/special`)).text()).toBe('the special one');
    // No route takes the extra segment, and GET-only routes do not take POST.
    expect((await fetch(`${host.url}/api/items/42/full`)).status).toBe(404);
    expect((await fetch(`${host.url}/api/items/42`, { method: 'POST' })).status).toBe(404);
  });

  it('streams request bodies in and response bodies out, with headers and cookies', async () => {
    const payload = 'x'.repeat(3 * 1024 * 1024);
    const echoed = await fetch(`${host.url}/api/echo`, { method: 'POST', body: payload, headers: { 'content-type': 'text/plain' } });
    expect(echoed.status).toBe(201);
    expect(echoed.headers.get('x-echo')).toBe('yes');
    expect(echoed.headers.get('content-type')).toBe('text/plain');
    expect(await echoed.text()).toBe(payload);

    const counted = await fetch(`${host.url}/api/count/5`);
    expect(await counted.text()).toBe('1\n2\n3\n4\n5\n');
    expect(counted.headers.get('set-cookie')).toBe('theme=dark%20blue; HttpOnly');
  });

  it('answers 500 when a handler throws, and logs why', async () => {
    expect((await fetch(`${host.url}/api/broken`)).status).toBe(500);
    expect(logs.some((e) => e.level === 'error' && e.message.includes('handler exploded'))).toBe(true);
  });
});

describe('local host: timer triggers', () => {
  it('resolves %SETTING% schedules and fires a timer on POST /admin/functions/<name>', async () => {
    const before = fixture.timerCalls.length;
    const response = await fetch(`${host.url}/admin/functions/tick`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(202);
    await waitFor(() => fixture.timerCalls.length > before);
    const timer = fixture.timerCalls.at(-1)!;
    expect(timer.isPastDue).toBe(false);
    expect(timer.schedule).toEqual({ adjustForDST: true });
    // The next tick of `0 0 0 1 1 *` is midnight on the coming first of January.
    expect(timer.scheduleStatus.next).toMatch(/-01-01T00:00:00\.000Z$/);
  });
});

describe('local host: blob triggers', () => {
  it('processes each new blob once with the trigger metadata of its path', async () => {
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('incoming');
    await container.createIfNotExists();
    await container.getBlockBlobClient('north/a.csv').upload('email\na@example.com\n', 20);
    await waitFor(() => fixture.blobCalls.some((c) => c.metadata.name === 'a.csv'));
    const call = fixture.blobCalls.find((c) => c.metadata.name === 'a.csv')!;
    expect(call.content).toBe('email\na@example.com\n');
    expect(call.metadata).toMatchObject({ folder: 'north', name: 'a.csv', blobTrigger: 'incoming/north/a.csv' });
    expect(String(call.metadata.uri)).toMatch(/\/incoming\/north\/a\.csv$/);

    // Later polls leave it alone; a new version (new ETag) is processed again.
    await container.getBlockBlobClient('north/b.csv').upload('b', 1);
    await waitFor(() => fixture.blobCalls.some((c) => c.metadata.name === 'b.csv'));
    expect(fixture.blobCalls.filter((c) => c.metadata.name === 'a.csv')).toHaveLength(1);
    await container.getBlockBlobClient('north/a.csv').upload('v2', 2);
    await waitFor(() => fixture.blobCalls.filter((c) => c.metadata.name === 'a.csv').length === 2);
  });

  it('moves a blob that keeps failing to the poison table after the threshold', async () => {
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('incoming');
    await container.getBlockBlobClient('south/bad.csv').upload('nope', 4);
    const poison = TableClient.fromConnectionString(azurite.connectionString, 'WebJobsBlobTriggerPoison', { allowInsecureConnection: true });
    const rows = async () => {
      const found = [];
      for await (const row of poison.listEntities({ queryOptions: { filter: odata`BlobName eq ${'south/bad.csv'}` } })) found.push(row);
      return found;
    };
    await waitFor(async () => (await rows()).length === 1);
    const [row] = await rows();
    expect(row).toMatchObject({ FunctionId: 'watchIncoming', ContainerName: 'incoming', Attempts: 3 });
    expect(String(row!.LastError)).toContain('cannot handle bad.csv');
  });
});

describe('local host: durable functions', () => {
  it('starts an orchestration through the real durable client and serves its status URL', async () => {
    const started = await fetch(`${host.url}/api/greetings`, { method: 'POST', body: 'world' });
    expect(started.status).toBe(202);
    const links = (await started.json()) as { id: string; statusQueryGetUri: string };
    expect(links.statusQueryGetUri.startsWith(`${host.url}/runtime/webhooks/durabletask/instances/${links.id}`)).toBe(true);
    await waitFor(async () => (await fetch(links.statusQueryGetUri)).status === 200);
    expect(await (await fetch(links.statusQueryGetUri)).json()).toMatchObject({ runtimeStatus: 'Completed', output: 'hello world' });
  });
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

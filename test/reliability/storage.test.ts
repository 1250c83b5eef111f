import { hash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedService } from '../../dev/simulators/index.js';
import { dropFile, expectEnded, exportTo, finished, runNow, startStack, waitFor, type Run, type Stack } from './stack.js';
import { startStorageProxy, type StorageProxy } from './storage-proxy.js';

/**
 * Storage brown-outs through `npm start`, with the app's storage behind a fault-injecting
 * proxy (`storage-proxy.ts`): Azurite frozen for 30 s in the middle of runs, and Azurite
 * answering 503 ServerBusy to a share of the requests for a while. Every run ends, every
 * audience holds exactly the segment's valid members, the ledger never claims more than
 * the audience holds, the counts reconcile (or the reason names the stage that failed),
 * and the API keeps answering within a bounded time, 503 with a problem body at worst.
 */

/** What a request to the API may take while storage is down: the routes' deadline (12 s), with room for a busy machine. */
const API_ANSWER_MS = 15_000;
const ROWS = 2_000;
const DESTINATIONS: SimulatedService[] = ['autopilot', 'microsoft-advertising', 'adroll'];

let stack: Stack;
let proxy: StorageProxy;
let frozen: number | undefined;

beforeAll(async () => {
  proxy = await startStorageProxy();
  stack = await startStack({ env: { AzureWebJobsStorage: proxy.connectionString }, onAzurite: (azurite) => proxy.setUpstream(azurite.ports) });
}, 120_000);
afterAll(async () => {
  if (frozen !== undefined) process.kill(frozen, 'SIGCONT');
  await stack?.stop();
  await proxy?.stop();
});

let seq = 0;
const sha256 = (text: string) => hash('sha256', text, 'hex');
const memberId = (type: SimulatedService, email: string) => (type === 'microsoft-advertising' ? sha256(email) : email);

interface Started {
  type: SimulatedService;
  segment: string;
  valid: string[];
  runId: string;
}

/** One export per destination, each of a fresh segment of ROWS valid rows and one invalid row, run now. */
async function startRuns(tag: string): Promise<Started[]> {
  return Promise.all(
    DESTINATIONS.map(async (type) => {
      const segment = `storage-${tag}-${++seq}-${Date.now().toString(36)}`;
      const valid = Array.from({ length: ROWS }, (_, i) => `${segment}.${i + 1}@example.com`);
      const { exportId } = await exportTo(stack, type, segment);
      await dropFile(stack, `${segment}/members.csv`, `email,name\n${[...valid, 'not-an-email'].map((e, i) => `${e},Name ${i + 1}`).join('\n')}\n`);
      return { type, segment, valid, runId: await runNow(stack, exportId) };
    }),
  );
}

interface Probe {
  route: string;
  status: number;
  ms: number;
  problem: boolean;
  /** Why no answer came (status 0): the client's error, so a failure says what happened. */
  error?: string;
}

/** Asks the API about the runs once a second, without waiting for earlier answers, until `stop()`: each answer's status and time. */
function probeApi(runs: Started[]): { stop: () => Promise<Probe[]> } {
  const asked: Promise<Probe>[] = [];
  const ask = (route: string) => {
    const started = Date.now();
    return stack.api('GET', route).then(
      (r) => ({ route, status: r.status, ms: Date.now() - started, problem: /problem\+json/.test(r.headers.get('content-type') ?? '') && typeof r.body?.status === 'number' }),
      (error: unknown) => ({ route, status: 0, ms: Date.now() - started, problem: false, error: errorChain(error) }),
    );
  };
  const timer = setInterval(() => {
    for (const route of ['/exports?top=5', `/runs/${runs[0]!.runId}`]) asked.push(ask(route));
  }, 1_000);
  return {
    async stop() {
      clearInterval(timer);
      return Promise.all(asked);
    },
  };
}

/** An error and its causes in one line (fetch puts the socket's error in `cause`). */
function errorChain(error: unknown): string {
  const parts: string[] = [];
  for (let e = error; e !== undefined && e !== null && parts.length < 4; e = (e as { cause?: unknown }).cause) parts.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  return parts.join(' <- ');
}

function expectServed(probes: Probe[]): void {
  expect(probes.length, 'the API was asked while storage was down').toBeGreaterThan(5);
  for (const p of probes) {
    expect(p.ms, `${p.route} answered within ${API_ANSWER_MS} ms`).toBeLessThanOrEqual(API_ANSWER_MS);
    if (p.status !== 200) {
      expect(p.status, `${p.route}: 200, or 503 while storage is down${p.error ? ` (no answer: ${p.error})` : ''}`).toBe(503);
      expect(p.problem, `${p.route}: a 503 has a problem body`).toBe(true);
    }
  }
}

/** Every run ended; each audience is exactly its segment's valid members; the ledger claims no more than the audience holds. */
async function expectExact(runs: Started[]): Promise<void> {
  for (const started of runs) {
    const run: Run = await finished(stack, started.runId, 300_000);
    await expectEnded(stack, run);
    const [tally] = run.segments;
    if (run.status === 'failed') {
      // A failed run says where: every reason starts with the stage (`upload-failed: ...`).
      expect(run.reason ?? tally?.reason, `${started.type}: the failure names its stage`).toMatch(/^[a-z-]+: /);
    } else {
      expect(run.status, `${started.type}: ${run.reason ?? tally?.reason}`).toBe('succeeded');
      expect(tally).toMatchObject({ read: ROWS + 1, valid: ROWS, invalid: 1, sent: ROWS, accepted: ROWS });
    }
    const members = await stack.sim(started.type).members(started.segment);
    expect(new Set(members).size, `${started.type}: nobody twice`).toBe(members.length);
    if (run.status !== 'failed') expect([...members].sort(), `${started.type}: the audience is the segment`).toEqual(started.valid.map((e) => memberId(started.type, e)).sort());
    expect(tally?.sync?.ledgerAfter ?? 0, `${started.type}: the ledger claims no more than the audience holds`).toBeLessThanOrEqual(members.length);
  }
}

describe('storage brown-outs', () => {
  it('Azurite frozen for 30 s in the middle of runs: every run ends exact, the API answers in bounded time', async () => {
    const runs = await startRuns('frozen');
    // Frozen once profiles are arriving: the runs are between reading and sending.
    await waitFor(async () => (await stack.sim(runs[0]!.type).members(runs[0]!.segment)).length > 0, 120_000, 'the first profiles to arrive', stack.output);
    const azurite = stack.azurite();
    expect(azurite, 'Azurite is a process of npm start').toBeDefined();
    process.kill(azurite!.pid, 'SIGSTOP');
    frozen = azurite!.pid;
    const probe = probeApi(runs);
    await new Promise((resolve) => setTimeout(resolve, 30_000));
    process.kill(azurite!.pid, 'SIGCONT');
    frozen = undefined;
    expectServed(await probe.stop());
    await expectExact(runs);
  }, 480_000);

  it('503 ServerBusy to four in five storage requests for 30 s: every run ends exact, the API answers 200 or 503', async () => {
    // Four in five: enough that some calls fail after all of the SDK's retries.
    const runs = await startRuns('busy');
    const throttledFrom = proxy.counts.throttled;
    proxy.throttle(0.8);
    let probes: Probe[];
    try {
      const probe = probeApi(runs);
      await new Promise((resolve) => setTimeout(resolve, 30_000));
      probes = await probe.stop();
    } finally {
      proxy.throttle(0);
    }
    expect(proxy.counts.throttled - throttledFrom, 'storage did refuse requests').toBeGreaterThan(50);
    expectServed(probes);
    await expectExact(runs);
  }, 480_000);
});

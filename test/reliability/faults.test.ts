import { hash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropFile, expectAccounted, exportTo, finished, reportRows, runNow, startStack, waitFor, type Stack } from './stack.js';

/**
 * Destinations that fail, slow down or refuse, and a host that dies, through `npm start`:
 * the run still ends with a one-line reason and accounts for every row.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

let seq = 0;
const newSegment = () => `faults-${++seq}-${Date.now().toString(36)}`;
const emails = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}.${i + 1}@example.com`);
const csvOf = (list: string[]) => `email,name\n${list.map((e, i) => `${e},Name ${i + 1}`).join('\n')}\n`;
const sha256 = (text: string) => hash('sha256', text, 'hex');

describe('partial failures', () => {
  it('items the destination refuses are reported one by one; transient 5xx are retried; the rest is delivered', async () => {
    const segment = newSegment();
    const list = emails(2_500, segment);
    const refused = list.slice(100, 110);
    const sim = stack.sim('microsoft-advertising');
    const r = await fetch(`${sim.url}/__sim/refuse`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: refused.map(sha256) }) });
    expect(r.status).toBe(204);
    await sim.fault({ kind: 'status', status: 503, count: 2, path: 'CustomerListUserData' });
    const { exportId } = await exportTo(stack, 'microsoft-advertising', segment);
    await dropFile(stack, `${segment}/members.csv`, csvOf(list));
    const run = await finished(stack, await runNow(stack, exportId));
    // Refused rows are the destination's verdict on those rows, reported, not a failure of the run.
    expect(['succeeded', 'partially-succeeded']).toContain(run.status);
    expect(run.segments[0]).toMatchObject({ read: 2_500, valid: 2_500, sent: 2_500, accepted: 2_490, rejected: 10 });
    const report = await reportRows(stack, run.id);
    expect(report.map((line) => line.split(',')[1]).sort()).toEqual(Array.from({ length: 10 }, (_, i) => String(101 + i)).sort());
    await expectAccounted(stack, run, 2_500, (await sim.members(segment)).length);
  });
});

describe('outages', () => {
  it.each([
    ['microsoft-advertising', undefined],
    ['autopilot', undefined],
    ['adroll', '/audience/v1/segments'],
  ] as const)('%s failing every call (%s): the run fails, every row is listed, the reason is one clean line', async (type, path) => {
    const segment = newSegment();
    const list = emails(2_000, segment);
    const sim = stack.sim(type);
    const { exportId } = await exportTo(stack, type, segment);
    await sim.fault({ kind: 'status', status: 500, count: 100_000, ...(path ? { path } : {}) });
    try {
      await dropFile(stack, `${segment}/members.csv`, csvOf([...list, 'not-an-email']));
      const run = await finished(stack, await runNow(stack, exportId), 300_000);
      expect(run.status).toBe('failed');
      expect(run.segments[0]).toMatchObject({ read: 2_001, valid: 2_000, invalid: 1 });
      // No stack trace, no file paths.
      expect(run.segments[0]!.reason).not.toMatch(/\n|\s+at\s|\/[\w.-]+\.(ts|js):\d/);
      await expectAccounted(stack, run, 2_001, 0);
    } finally {
      await sim.clearFaults();
    }
  }, 320_000);
  it('a too-small AdRoll segment is skipped and lists its rows', async () => {
    const segment = newSegment();
    const { exportId } = await exportTo(stack, 'adroll', segment);
    await dropFile(stack, `${segment}/members.csv`, csvOf(emails(50, segment)));
    const run = await finished(stack, await runNow(stack, exportId));
    expect(run.segments[0]).toMatchObject({ status: 'skipped' });
    expect(run.segments[0]!.reason).toMatch(/^segment-too-small/);
    await expectAccounted(stack, run, 50, 0);
  });
  it('429 with Retry-After: 200 is honoured, not retried after 1, 2 and 4 s', async () => {
    const segment = newSegment();
    const list = emails(300, segment);
    const sim = stack.sim('autopilot');
    await sim.fault({ kind: 'status', status: 429, retryAfterSeconds: 200, count: 1, path: '/contacts' });
    const { exportId } = await exportTo(stack, 'autopilot', segment);
    await dropFile(stack, `${segment}/members.csv`, csvOf(list));
    const runId = await runNow(stack, exportId);
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    const early = await stack.api('GET', `/runs/${runId}`);
    expect(early.body.status, 'still waiting out the Retry-After').toBe('running');
    const run = await finished(stack, runId, 300_000);
    expect(run.status).toBe('succeeded');
    await expectAccounted(stack, run, 300, (await sim.members(segment)).length);
  }, 320_000);
});

describe('a host killed mid-run', () => {
  it('is restarted by npm start, and the run finishes delivering every row once', async () => {
    const segment = newSegment();
    const list = emails(1_500, segment);
    const sim = stack.sim('autopilot');
    // Slow uploads keep the run in flight while the host dies.
    await sim.fault({ kind: 'slow', delayMs: 400, count: 4, path: '/contacts' });
    const { exportId } = await exportTo(stack, 'autopilot', segment);
    await dropFile(stack, `${segment}/members.csv`, csvOf(list));
    const runId = await runNow(stack, exportId);
    await waitFor(async () => (await sim.members(segment)).length > 0, 60_000, 'the first profiles to arrive');
    const pid = (await stack.hostPid())!;
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => {
      const now = await stack.hostPid();
      return now !== undefined && now !== pid;
    }, 60_000, 'npm start to restart the host', stack.output);
    const run = await finished(stack, runId, 180_000);
    expect(run.status).toBe('succeeded');
    const members = await sim.members(segment);
    expect(new Set(members).size).toBe(members.length);
    expect([...members].sort()).toEqual([...list].sort());
    await expectAccounted(stack, run, 1_500, members.length);
  }, 300_000);
});

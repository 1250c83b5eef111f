import { describe, expect, it } from 'vitest';
import { DestinationError, type Destination, type DestinationClient, type HttpTuning, type ProfileRecord } from '../types.js';

/**
 * The behaviour every destination shows against its simulator, whatever its API: the
 * checks `conformance.test.ts` runs for each registered destination. A check throws when the
 * connector breaks the contract (the suite's own test breaks one on purpose).
 */

/** What the suite needs of a simulator: every simulator's handle has it. */
export interface ConformanceSimulator {
  inject(fault: { kind: 'status'; status: number; retryAfterSeconds?: number; count?: number } | { kind: 'slow'; delayMs: number; count?: number }): void;
  setRateLimits(enabled: boolean): void;
  readonly rateLimit: { requestsPerSecond: number; burst: number };
  readonly requests: {
    all(filter?: (request: { batchSize?: number; rateLimited?: boolean; fault?: string; status: number }) => boolean): unknown[];
    maxBatchSize(): number;
    maxInWindow(windowMs: number): number;
  };
  readonly faults: { pending(): number };
  audience(name: string): { members: string[] } | undefined;
  audiences(): { name: string }[];
  reset(): void;
}

export interface ConformanceTarget {
  type: string;
  destination: Destination;
  sim: ConformanceSimulator;
  /** The export settings the suite's client runs with. */
  settings: Record<string, string>;
  /** A client on a connection of its own (its own client-side limiter); `credentials` overrides the good ones. */
  connect(options?: { credentials?: Record<string, string>; http?: HttpTuning }): Promise<DestinationClient>;
  /** Credentials the service refuses. */
  badCredentials: Record<string, string>;
  /** Makes the service refuse this profile alone (as for a malformed record). */
  refuse(profile: ProfileRecord): ProfileRecord;
}

let audienceSeq = 0;
const audienceName = (what: string) => `Conformance ${what} ${++audienceSeq}`;

/** Distinct profiles the destination can send, numbered from `from`. */
export function profiles(count: number, from = 1, prefix = 'member'): ProfileRecord[] {
  return Array.from({ length: count }, (_, k) => ({ row: from + k, email: `${prefix}.${from + k}@example.com`, firstName: `First${from + k}` }));
}

function batchesOf<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

/** A batch size the simulator can take quickly: the destination's own, at most 200. */
const smallBatch = (target: ConformanceTarget) => Math.min(target.destination.limits.batchSize, 200);

async function newAudience(target: ConformanceTarget, client: DestinationClient, what: string): Promise<{ name: string; audienceId: string; initial: ProfileRecord[] }> {
  const name = audienceName(what);
  // AdRoll creates a segment only with its first members.
  const initial = target.destination.audienceCreationNeedsMembers ? profiles(100, 100_000, 'initial') : [];
  const { audienceId } = await client.ensureAudience(name, initial);
  return { name, audienceId, initial };
}

async function upload(target: ConformanceTarget, client: DestinationClient, audienceId: string, records: ProfileRecord[]): Promise<number> {
  let accepted = 0;
  for (const batch of batchesOf(records, smallBatch(target))) accepted += (await client.uploadBatch(audienceId, batch)).accepted;
  return accepted;
}

const held = (target: ConformanceTarget, name: string) => new Set(target.sim.audience(name)?.members ?? []);
const idsOf = (target: ConformanceTarget, records: ProfileRecord[]) => new Set(records.map((record) => target.destination.memberId(record)));

export const checks = {
  async 'a member id of the email alone is the profile\'s member id'(target: ConformanceTarget) {
    const ofEmail = target.destination.memberIdOfEmail;
    if (!ofEmail) return;
    const people: ProfileRecord[] = [
      ...profiles(5),
      { row: 90, email: 'zoë.o\'neil+ads@exämple.de', firstName: 'Zoë', lastName: "O'Neil" },
      { row: 91, email: 'with.phone@example.com', phone: '+14155550100', countryCode: 'US' },
    ];
    for (const person of people) expect(ofEmail(person.email!)).toBe(target.destination.memberId(person));
  },

  async 'bad credentials give auth-failed'(target: ConformanceTarget) {
    const client = await target.connect({ credentials: target.badCredentials });
    const failure = await client.testConnection().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(DestinationError);
    expect(failure).toMatchObject({ code: 'auth-failed', retryable: false });
  },

  async 'finding or creating an audience twice gives one audience'(target: ConformanceTarget) {
    const client = await target.connect();
    const first = await newAudience(target, client, 'twice');
    const again = await client.ensureAudience(first.name, first.initial);
    expect(again).toMatchObject({ audienceId: first.audienceId, created: false });
    // A member first: an Ortto audience is a tag, which comes into being with its first person.
    await client.uploadBatch(first.audienceId, profiles(1, 1, 'twice'));
    expect(target.sim.audiences().filter((audience) => audience.name === first.name)).toHaveLength(1);
  },

  async 'batches never exceed the batch size, and a larger one is refused before it is sent'(target: ConformanceTarget) {
    const client = await target.connect();
    const { audienceId } = await newAudience(target, client, 'batches');
    const { batchSize } = target.destination.limits;
    const before = target.sim.requests.all().length;
    await expect(client.uploadBatch(audienceId, profiles(batchSize + 1))).rejects.toMatchObject({ code: 'invalid-request' });
    expect(target.sim.requests.all()).toHaveLength(before);
    const records = profiles(Math.min(2 * batchSize + 1, 3 * smallBatch(target)));
    for (const batch of batchesOf(records, batchSize)) await client.uploadBatch(audienceId, batch);
    expect(target.sim.requests.maxBatchSize()).toBeLessThanOrEqual(batchSize);
  },

  async 'adding members twice holds each once, with exactly the identifiers the destination sends'(target: ConformanceTarget) {
    const client = await target.connect();
    const { name, audienceId, initial } = await newAudience(target, client, 'adds');
    const records = profiles(3 * smallBatch(target) + 7);
    expect(await upload(target, client, audienceId, records)).toBe(records.length);
    await upload(target, client, audienceId, records.slice(0, smallBatch(target)));
    const members = target.sim.audience(name)!.members;
    expect(members).toHaveLength(records.length + initial.length);
    expect(new Set(members)).toEqual(idsOf(target, [...initial, ...records]));
  },

  async 'removing members removes exactly them, and an absent member is harmless'(target: ConformanceTarget) {
    if (target.destination.sync(target.settings).removal !== 'per-member') return;
    const client = await target.connect();
    const { name, audienceId, initial } = await newAudience(target, client, 'removals');
    const records = profiles(30);
    await upload(target, client, audienceId, records);
    const gone = records.slice(0, 10).map((record) => target.destination.memberId(record));
    const absent = target.destination.memberId({ row: 0, email: 'never.there@example.com' });
    const result = await client.removeMembers(audienceId, [...gone, absent]);
    expect(result.failed).toEqual([]);
    expect(held(target, name)).toEqual(idsOf(target, [...initial, ...records.slice(10)]));
  },

  async 'a full sync leaves exactly the segment'(target: ConformanceTarget) {
    const sync = target.destination.sync(target.settings);
    if (sync.fullSync === 'none') return;
    const client = await target.connect();
    const { name, audienceId } = await newAudience(target, client, 'full sync');
    await upload(target, client, audienceId, profiles(20, 1, 'old'));
    const segment = profiles(25, 1, 'now');
    const [first = [], ...rest] = batchesOf(segment, smallBatch(target));
    if (sync.fullSync === 'list-and-remove') {
      await upload(target, client, audienceId, segment);
      const wanted = idsOf(target, segment);
      const strangers = (await client.listMembers!(audienceId)).filter((id) => !wanted.has(id));
      await client.removeMembers(audienceId, strangers);
    } else if (sync.fullSync === 'replace-session') {
      // One session across every batch; the old members stay until its last request.
      let batchSeq = 1;
      for (const [k, batch] of [first, ...rest].entries()) {
        const result = await client.replaceSession!.send(audienceId, batch, { sessionId: '4242', batchSeq, total: segment.length, last: k === rest.length });
        expect(result.error).toBeUndefined();
        batchSeq = result.nextBatchSeq;
        if (k < rest.length) expect(held(target, name)).toEqual(idsOf(target, profiles(20, 1, 'old')));
      }
    } else {
      await client.uploadBatch(audienceId, first, { replace: true });
      for (const batch of rest) await client.uploadBatch(audienceId, batch);
    }
    expect(held(target, name)).toEqual(idsOf(target, segment));
  },

  async 'the service refusing one record rejects that row and delivers the rest'(target: ConformanceTarget) {
    const client = await target.connect();
    const { name, audienceId, initial } = await newAudience(target, client, 'rejection');
    const records = profiles(10);
    records[3] = target.refuse(records[3]!);
    const result = await client.uploadBatch(audienceId, records);
    expect(result.accepted).toBe(9);
    expect(result.rejected.map((rejection) => rejection.row)).toEqual([4]);
    expect(held(target, name)).toEqual(idsOf(target, [...initial, ...records.filter((_, k) => k !== 3)]));
  },

  async "429s are waited out, with the service's Retry-After and with its default signal"(target: ConformanceTarget) {
    const client = await target.connect();
    const { name, audienceId, initial } = await newAudience(target, client, 'throttled');
    target.sim.inject({ kind: 'status', status: 429, retryAfterSeconds: 1, count: 1 });
    target.sim.inject({ kind: 'status', status: 429, count: 1 });
    const started = performance.now();
    const records = profiles(2 * smallBatch(target));
    expect(await upload(target, client, audienceId, records)).toBe(records.length);
    expect(target.sim.faults.pending()).toBe(0);
    // Both waits were kept (one second each), not hammered through.
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(held(target, name)).toEqual(idsOf(target, [...initial, ...records]));
  },

  async 'a request that timed out but that the service completed is not counted twice'(target: ConformanceTarget) {
    const client = await target.connect({ http: { timeoutMs: 400 } });
    const { name, audienceId, initial } = await newAudience(target, client, 'timed out');
    target.sim.inject({ kind: 'slow', delayMs: 1_000, count: 1 });
    const records = profiles(2 * smallBatch(target));
    expect(await upload(target, client, audienceId, records)).toBe(records.length);
    expect(target.sim.faults.pending()).toBe(0);
    const members = target.sim.audience(name)!.members;
    expect(members).toHaveLength(records.length + initial.length);
    expect(new Set(members)).toEqual(idsOf(target, [...initial, ...records]));
  },

  async 'parallel uploads keep within the published rate'(target: ConformanceTarget) {
    target.sim.setRateLimits(true);
    try {
      const client = await target.connect();
      const { audienceId } = await newAudience(target, client, 'paced');
      const rate = target.sim.rateLimit.requestsPerSecond;
      const records = profiles(2 * rate * Math.min(smallBatch(target), 50));
      const since = performance.timeOrigin + performance.now();
      const results = await Promise.all(batchesOf(records, Math.min(smallBatch(target), 50)).map((batch) => client.uploadBatch(audienceId, batch)));
      expect(results.reduce((sum, result) => sum + result.accepted, 0)).toBe(records.length);
      expect(target.sim.requests.all((request) => request.rateLimited === true && (request as { at?: number }).at! >= since)).toHaveLength(0);
      // A token bucket lets its burst through at once and then the rate: never more in a second.
      expect(target.sim.requests.maxInWindow(1_000)).toBeLessThanOrEqual(rate + target.sim.rateLimit.burst);
    } finally {
      target.sim.setRateLimits(false);
    }
  },

  async 'declares identifiers the catalog and preparation can use'(target: ConformanceTarget) {
    const { identifiers, dataMatching } = target.destination;
    const takes = new Set([...dataMatching.required, ...dataMatching.optional]);
    expect(identifiers.matchSets.length).toBeGreaterThan(0);
    for (const set of identifiers.matchSets) for (const name of set) expect(takes.has(name) && identifiers.encoding[name] !== undefined).toBe(true);
    for (const name of Object.keys(identifiers.encoding)) expect(takes.has(name as never)).toBe(true);
  },
} satisfies Record<string, (target: ConformanceTarget) => Promise<void>>;

/** Every check, as vitest tests of one destination; `target()` is read once the simulators run. */
export function describeConformance(type: string, target: () => ConformanceTarget): void {
  describe(`${type} conformance`, () => {
    for (const [name, check] of Object.entries(checks)) it(name, () => check(target()), 30_000);
  });
}

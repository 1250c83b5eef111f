import type { Services } from '../services.js';
import type { ProfileRecord } from '../destinations/types.js';
import { getDestination } from '../destinations/registry.js';
import { earlySendAllowance, type EarlySendRule } from '../pipeline/limits.js';
import { readSlice, type WorkFileRef, type WorkFileSlice } from '../pipeline/run-files/work-files.js';
import { fullSyncInSession, fullSyncReplacesFirst } from './plan.js';
import { ACTIVITY_PATIENCE_MS, withPacing, type Pacing } from '../destinations/common/pacing.js';
import { oneLine, sendAdds, sendFailure, sendTarget, type SendFailure, type SendResult, type SendTarget } from './send.js';

/**
 * Sending a segment's work files while preparation is still writing the next ones, for a
 * run that starts from nothing tracked (every valid member is an add: ledger.tracksNothing,
 * checked before preparation starts). The limits still
 * decide (limits.ts, earlySendAllowance): nothing goes before the record bound says the
 * segment cannot be too large (or the export truncates) and the minimum is reached. It sends
 * exactly what the send stage would (the same code, delivery logs and report parts), and
 * what it does not get to (a failure, the end of its time) is left to the send stage: the
 * outcome says, per work file, how far it got.
 */
export interface SendWhilePreparingInput {
  runId: string;
  exportId: string;
  segment: string;
  segmentIndex: number;
  rule: EarlySendRule;
}

export interface SentWhilePreparing {
  audienceId: string;
  created: boolean;
  /** What the admin must do at the service (`EnsuredAudience.notice`), for the run record. */
  notice?: string;
  /** The first batch replaced the audience's membership (a full sync where the service does that). */
  replaced: boolean;
  /**
   * Work files sent from their first record: `done` records dealt with (accepted or
   * refused), and for the one the destination failed, why (its Retry-After is the send
   * stage's to honour, a failure for good is reported as for any slice).
   */
  files: { name: string; done: number; accepted: number; rejected: number; failed?: SendFailure }[];
  /** Why it stopped before the end, when it did; the rest is the send stage's. */
  stopped?: string;
}

/** Work files held in memory, waiting to be sent; past this the records are read back from storage when their turn comes. */
const MAX_HELD_RECORDS = 200_000;
/** Once the file is prepared, sending goes on this long at most; the send stage (durable timers, progress) takes what is left. */
const TAIL_MS = 10_000;
/**
 * Sending on the side of preparation takes only the turns the destination's rate has free
 * now: it holds no reservation, and the first refusal leaves the rest to the send stage,
 * whose waits are durable timers. A rate-bound destination then never keeps a preparing
 * activity (and its slot) waiting.
 */
const ON_THE_SIDE: Pacing = { patienceMs: ACTIVITY_PATIENCE_MS };

interface Queued {
  file: WorkFileRef;
  take: number;
  records?: ProfileRecord[];
}

type State = 'waiting' | 'opening' | 'sending' | 'off';

export class SendWhilePreparing {
  private state: State = 'waiting';
  private bound?: number;
  private validSoFar = 0;
  private budget = 0;
  private held = 0;
  private readonly waiting: Queued[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private opening?: Promise<void>;
  private target?: SendTarget;
  private audience?: { audienceId: string; created: boolean; notice?: string };
  private replaceFirst = false;
  private replaceGoing = false;
  private replaced = false;
  private stopped?: string;
  private deadline = Number.POSITIVE_INFINITY;
  private readonly files: SentWhilePreparing['files'] = [];
  private idle?: () => void;

  private readonly maxHeldRecords: number;
  private readonly tailMs: number;

  constructor(
    private readonly services: Services,
    private readonly input: SendWhilePreparingInput,
    recordBound: Promise<number>,
    options: { maxHeldRecords?: number; tailMs?: number } = {},
  ) {
    this.maxHeldRecords = options.maxHeldRecords ?? MAX_HELD_RECORDS;
    this.tailMs = options.tailMs ?? TAIL_MS;
    recordBound.then(
      (bound) => {
        this.bound = bound;
        this.consider();
      },
      // The file is unreadable: preparation finds out itself, and nothing is sent.
      () => this.turnOff(),
    );
  }

  /** Records held in memory, waiting for their turn to be sent. */
  get heldRecords(): number {
    return this.held;
  }

  /** A work file is finished (its records in file order), and `validSoFar` valid members are prepared. */
  workFile(file: WorkFileRef, records: ProfileRecord[], validSoFar: number): void {
    this.validSoFar = validSoFar;
    if (this.state === 'off' || this.stopped) return;
    this.waiting.push({ file, take: file.records, records });
    this.held += records.length;
    // Past the bound on memory, the oldest waiting files are read back from storage instead.
    for (const item of this.waiting) {
      if (this.held <= this.maxHeldRecords) break;
      if (item.records) {
        this.held -= item.records.length;
        item.records = undefined;
      }
    }
    this.consider();
    this.pump();
  }

  /**
   * Preparation finished and the file is good: sends what is waiting (for TAIL_MS at most),
   * waits for what is in flight, and says what went. Undefined when nothing was sent and
   * no audience was looked up.
   */
  async finish(): Promise<SentWhilePreparing | undefined> {
    this.deadline = Date.now() + this.tailMs;
    if (this.state === 'waiting') this.turnOff();
    await this.opening;
    this.pump();
    await this.drained();
    if (!this.audience) return undefined;
    return {
      ...this.audience,
      replaced: this.replaced,
      files: this.files,
      ...(this.stopped ? { stopped: this.stopped } : {}),
    };
  }

  /** Preparation failed: nothing more goes, and what is in flight ends before the activity does. */
  async abort(): Promise<void> {
    this.turnOff();
    this.waiting.length = 0;
    await this.opening?.catch(() => undefined);
    await this.drained();
  }

  private turnOff(): void {
    if (this.state === 'waiting') this.stopWaiting();
    this.deadline = 0;
  }

  /** Nothing will be sent from here: what waits is the send stage's, and its records are let go. */
  private stopWaiting(): void {
    this.state = 'off';
    this.waiting.length = 0;
    this.held = 0;
  }

  /** Opens the gate once the limits allow it: the bound is known and the minimum reached. */
  private consider(): void {
    if (this.state !== 'waiting' || this.bound === undefined) return;
    const allowed = earlySendAllowance(this.input.rule, this.bound, this.validSoFar);
    if (allowed === 0) {
      // Too large (and not truncating) stays too large; too small may still grow.
      if (!this.input.rule.truncate && this.bound > this.input.rule.cap) this.stopWaiting();
      return;
    }
    this.budget = allowed;
    this.state = 'opening';
    this.opening = this.open().catch((error: unknown) => {
      this.stopWaiting();
      this.stopped = `not sent while preparing: ${sendFailure(error).reason}`;
    });
  }

  /** Finds or creates the audience; sending starts once it is there. */
  private async open(): Promise<void> {
    const { services, input } = this;
    const exp = await services.exports.findRecent(input.exportId);
    if (!exp) throw new Error('export-removed');
    const destination = getDestination(exp.destinationType);
    const sync = destination.sync(exp.settings);
    const target = await sendTarget(services, { ...input, audienceId: '', batchSize: destination.limits.batchSize });
    if ('failed' in target) throw new Error(target.failed.reason);
    const audience = await withPacing(ON_THE_SIDE, () => target.client.ensureAudience(input.segment, []));
    this.audience = { audienceId: audience.audienceId, created: audience.created, ...(audience.notice ? { notice: audience.notice } : {}) };
    // A full sync into an audience that was there goes as one replace session, in the send stage.
    if (audience.membersIncluded || sync.removal === 'replace-membership' || fullSyncInSession(exp, sync, audience.created) || this.deadline === 0) {
      this.stopWaiting();
      return;
    }
    this.target = { ...target, audienceId: audience.audienceId };
    this.replaceFirst = fullSyncReplacesFirst(exp, sync);
    this.state = 'sending';
    this.pump();
  }

  /** Starts the next work files, in file order, up to the uploads allowed in flight. */
  private pump(): void {
    if (this.state !== 'sending') return;
    // The batch that replaces the membership must land before anything else is added.
    while (
      this.waiting.length > 0 &&
      this.budget > 0 &&
      !this.stopped &&
      !this.replaceGoing &&
      Date.now() < this.deadline &&
      this.inFlight.size < this.services.config.maxUploadsInFlight
    ) {
      const item = this.waiting.shift()!;
      if (item.records) this.held -= item.records.length;
      item.take = Math.min(item.take, this.budget);
      this.budget -= item.take;
      const replace = this.replaceFirst && !this.replaced && this.files.length === 0 && this.inFlight.size === 0;
      if (replace) this.replaceGoing = true;
      const sending: Promise<void> = this.send(item, replace).finally(() => {
        this.inFlight.delete(sending);
        if (replace) this.replaceGoing = false;
        this.pump();
        if (this.inFlight.size === 0) this.idle?.();
      });
      this.inFlight.add(sending);
    }
  }

  private async send(item: Queued, replace: boolean): Promise<void> {
    const slice: WorkFileSlice = { name: item.file.name, records: item.take, ...(item.take < item.file.records ? { take: item.take } : {}) };
    let result: SendResult;
    try {
      const records = item.records ? item.records.slice(0, item.take) : await readSlice(this.target!.work, slice);
      result = await withPacing(ON_THE_SIDE, () => sendAdds(this.target!, slice, records, replace));
    } catch (error) {
      // Storage, not the destination: this file is the send stage's.
      this.stop(oneLine(`not sent while preparing: ${error instanceof Error ? error.message : String(error)}`));
      return;
    }
    if (replace && result.done > 0) this.replaced = true;
    if (result.done > 0 || result.failed) {
      this.files.push({ name: item.file.name, done: result.done, accepted: result.accepted, rejected: result.rejected, ...(result.failed ? { failed: result.failed } : {}) });
    }
    if (result.failed) this.stop(`not sent while preparing: ${result.failed.reason}`);
  }

  /**
   * Nothing more goes on the side: the files waiting, and any still to come, are the send
   * stage's, which reads them from storage. Their records are let go now rather than held
   * until preparation ends (a tenant's many runs, each refused its first turn at a shared
   * rate, held every segment's records at once).
   */
  private stop(reason: string): void {
    this.stopped ??= reason;
    for (const item of this.waiting) item.records = undefined;
    this.held = 0;
  }

  private drained(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idle = resolve;
    });
  }
}

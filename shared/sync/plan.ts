import type { Services } from '../services.js';
import type { Export } from '../domain/export.js';
import { getDestination } from '../destinations/registry.js';
import { BlobLineWriter } from '../pipeline/run-files/blob-line-writer.js';
import { openSliceLines, undelivered, type WorkFileLines, type WorkFileSlice } from '../pipeline/run-files/work-files.js';
import { readLedger, sortedIds, writeOwedRemovals } from './ledger.js';
import type { SyncSupport } from '../destinations/types.js';

const PREFETCH = 3;
import { changeFileName, containersFor } from './files.js';

/**
 * Planning a segment's changes: the segment's membership (what the limits let through)
 * against the ledger of what the audience holds. Adds are the members the ledger does not
 * hold, removes the ones it holds (or owes a removal) that left the segment. A full sync
 * sends the whole membership and, where the service allows, drops every stranger.
 */
export interface PlanInput {
  runId: string;
  exportId: string;
  segment: string;
  segmentIndex: number;
  audienceId: string;
  audienceCreated: boolean;
  /** The segment's membership in file order, as work file slices. */
  membership: WorkFileSlice[];
  /**
   * Parts of the membership delivered and logged already, each the first `records` records
   * of its file: the slice the audience was created with, or what preparation sent.
   */
  delivered?: WorkFileSlice[];
  /** A batch delivered already replaced the audience's membership (a full sync's first, sent while preparing). */
  replaced?: boolean;
  /** The run asks for a full sync (`POST /exports/{id}/run {"full": true}`). */
  full: boolean;
  now: string;
  /** Plan only (a preview): the ledger is read, never written. */
  dryRun?: boolean;
}

export interface PlannedChanges {
  /** This run syncs in full: requested, no (usable) ledger, or a new audience. */
  full: boolean;
  /** Member ids the ledger tracked before (held, or owed a removal). */
  ledgerBefore: number;
  /** Members the audience holds already and that are not sent again. */
  unchanged: number;
  adds: WorkFileSlice[];
  addCount: number;
  removes: WorkFileSlice[];
  removeCount: number;
  /** Leavers that stay in the audience: the export is add-only, or the service cannot remove. */
  notRemoved: number;
  notRemovedReason?: 'add-only' | 'removal-unsupported';
  /** The first batch of the first add slice replaces the audience's membership. */
  replaceFirst: boolean;
  /** The adds, in order, are one replace session (`DestinationClient.replaceSession`): the membership is swapped when it ends. */
  session?: boolean;
}

export async function planChanges(services: Services, input: PlanInput): Promise<PlannedChanges> {
  const exp = await services.exports.findRecent(input.exportId);
  if (!exp) throw new Error(`export ${input.exportId} no longer exists`);
  const destination = getDestination(exp.destinationType);
  const sync = destination.sync(exp.settings);
  const { work, ledgers } = await containersFor(services);

  const old = await readLedger(ledgers, input.exportId, input.segment);
  const usable = old && old.audienceId === input.audienceId && !input.audienceCreated ? old : undefined;
  const full = input.full || !usable;
  const held = usable?.members ?? sortedIds([]);
  // Which of the ledger's members the segment still holds, by position: a lookup and a flag
  // per member, where deleting from a set of hundreds of thousands cost twice as much.
  const stillMember = new Uint8Array(held.length);
  const owed = new Set(usable?.pendingRemovals);
  const ledgerBefore = held.length + owed.size;

  const listsStrangers = full && sync.fullSync === 'list-and-remove' && !input.audienceCreated;
  const membershipIds = listsStrangers ? new Set<string>() : undefined;
  const owedAndGone = new Set(owed);
  const adds = new ChangeFiles(work, input, 'adds', exp);
  let unchanged = 0;
  let members = 0;
  // With nothing tracked and no stranger to find, a full sync sends every slice as it is:
  // the pass would only count what the slices already say.
  const needsPass = !full || listsStrangers || ledgerBefore > 0;
  if (!needsPass) members = countOf(input.membership);
  // The next work files download while this one is read: the pass waits on storage once, not per file.
  const reads = input.membership.map(() => undefined as Promise<WorkFileLines> | undefined);
  const read = (k: number) => (reads[k] ??= openSliceLines(work, input.membership[k]!));
  // Where the id is the email's alone, each line's email is read off it: parsing every record
  // was the largest part of planning in a profile of a tenant's refresh (bench --tenant).
  const idOfEmail = destination.memberIdOfEmail;
  const idAt = (lines: WorkFileLines, position: number) => {
    const email = idOfEmail ? lines.email(position) : undefined;
    return email === undefined ? destination.memberId(lines.slice(position, position + 1)[0]!) : idOfEmail!(email);
  };
  const deliveredOf = new Map((input.delivered ?? []).map((slice) => [slice.name, slice.records]));
  for (const [k, slice] of needsPass ? input.membership.entries() : []) {
    for (let ahead = k + 1; ahead <= k + PREFETCH && ahead < reads.length; ahead++) read(ahead).catch(() => undefined);
    const delivered = deliveredOf.get(slice.name) ?? 0;
    const lines = await read(k);
    reads[k] = undefined;
    for (let position = 0; position < lines.length; position++) {
      const id = idAt(lines, position);
      members++;
      membershipIds?.add(id);
      owedAndGone.delete(id);
      const at = held.indexOf(id);
      if (at >= 0) {
        if (stillMember[at] === 0) unchanged++;
        stillMember[at] = 1;
      } else if (!full && position >= delivered) await adds.write(lines.text(position));
    }
  }
  await adds.close();
  const leavers = new Set(held.filterPositions((at) => stillMember[at] === 0));
  const strangers = membershipIds
    ? (await (await services.destinationClient({ id: exp.connectionId, type: exp.destinationType }, exp.settings)).listMembers?.(input.audienceId) ?? [])
        .filter((id) => !membershipIds.has(id) && !leavers.has(id) && !owed.has(id))
    : [];

  const everything = () => undelivered(input.membership, input.delivered);
  const base = { full, ledgerBefore, replaceFirst: false, notRemoved: 0 };
  /** Member ids to owe a removal before anything is sent. */
  let owe: string[] = [];
  let plan: PlannedChanges;

  if (!removesLeavers(exp, sync)) {
    // Leavers stay members of the audience, so they stay in the ledger.
    const sendAll = full ? everything() : adds.slices;
    plan = {
      ...base,
      unchanged: full ? 0 : unchanged,
      adds: sendAll,
      addCount: countOf(sendAll),
      removes: [],
      removeCount: 0,
      notRemoved: leavers.size + owedAndGone.size,
      ...(leavers.size + owedAndGone.size > 0 ? { notRemovedReason: exp.syncMode === 'add-only' ? 'add-only' : 'removal-unsupported' } : {}),
    };
  } else if (sync.removal === 'replace-membership' || (full && (sync.fullSync === 'replace-first-batch' || fullSyncInSession(exp, sync, input.audienceCreated)))) {
    // The service swaps the whole membership: any change sends all of it, and until the
    // swap is confirmed every tracked id is only owed a removal (it may be gone).
    const changes = full || adds.count > 0 || leavers.size > 0 || owedAndGone.size > 0;
    const sendAll = changes ? everything() : [];
    plan = { ...base, full: full || changes, unchanged: changes ? 0 : unchanged, adds: sendAll, addCount: countOf(sendAll), removes: [], removeCount: 0 };
    plan.replaceFirst = sync.fullSync === 'replace-first-batch' && sync.removal !== 'replace-membership' && sendAll.length > 0 && !input.replaced;
    if (sync.fullSync === 'replace-session' && sendAll.length > 0) plan.session = true;
    if (changes) owe = usable?.members.toArray() ?? [];
  } else {
    const removeIds = sortedIds([...leavers, ...owedAndGone, ...strangers]).toArray();
    const removes = await writeRemovals(work, input, removeIds, destination.limits.recordsPerWorkFile);
    const sendAll = full ? everything() : adds.slices;
    plan = { ...base, unchanged: full ? 0 : unchanged, adds: sendAll, addCount: countOf(sendAll), removes, removeCount: removeIds.length };
    owe = [...leavers, ...strangers];
  }
  if (members !== plan.unchanged + plan.addCount + countOf(input.membership) - countOf(undelivered(input.membership, input.delivered))) {
    throw new Error(`plan of ${input.segment} does not add up: ${members} members, ${plan.unchanged} unchanged, ${plan.addCount} to send`);
  }
  if (owe.length > 0 && !input.dryRun) {
    // Written before anything is sent: a crash from here on leaves the ledger claiming less, never more.
    await writeOwedRemovals(ledgers, input.exportId, input.segment, input.audienceId, owe);
  }
  return plan;
}

const removesLeavers = (exp: Pick<Export, 'syncMode'>, sync: SyncSupport) => exp.syncMode !== 'add-only' && sync.removal !== 'unsupported';

/**
 * Whether a full sync's first batch replaces the audience's membership (the plan below
 * sets `replaceFirst`): preparation, when it sends a full sync's first work file itself,
 * must do the same.
 */
export function fullSyncReplacesFirst(exp: Pick<Export, 'syncMode'>, sync: SyncSupport): boolean {
  return removesLeavers(exp, sync) && sync.removal !== 'replace-membership' && sync.fullSync === 'replace-first-batch';
}

/**
 * Whether a full sync into this audience goes as one replace session. An audience the run
 * created holds nothing to drop: its members go as plain adds (and may go while preparing).
 */
export function fullSyncInSession(exp: Pick<Export, 'syncMode'>, sync: SyncSupport, audienceCreated: boolean): boolean {
  return removesLeavers(exp, sync) && sync.fullSync === 'replace-session' && !audienceCreated;
}

/** Add work files of the destination's size, written as the pass finds the adds. */
class ChangeFiles {
  readonly slices: WorkFileSlice[] = [];
  count = 0;
  private writer?: BlobLineWriter;

  constructor(
    private readonly work: Awaited<ReturnType<typeof containersFor>>['work'],
    private readonly input: PlanInput,
    private readonly kind: 'adds',
    private readonly exp: Export,
  ) {}

  async write(line: string): Promise<void> {
    this.writer ??= new BlobLineWriter(this.work, changeFileName(this.input.runId, this.input.segmentIndex, this.kind, this.slices.length + 1));
    this.count++;
    const flushing = this.writer.write(line);
    if (flushing) await flushing;
    if (this.writer.lines >= getDestination(this.exp.destinationType).limits.recordsPerWorkFile) await this.closeFile();
  }

  private async closeFile(): Promise<void> {
    const writer = this.writer!;
    this.writer = undefined;
    await writer.close();
    this.slices.push({ name: writer.blobName, records: writer.lines });
  }

  async close(): Promise<void> {
    if (this.writer) await this.closeFile();
  }
}

const countOf = (slices: WorkFileSlice[]) => slices.reduce((sum, slice) => sum + slice.records, 0);

async function writeRemovals(
  work: Awaited<ReturnType<typeof containersFor>>['work'],
  input: PlanInput,
  ids: string[],
  perFile: number,
): Promise<WorkFileSlice[]> {
  const slices: WorkFileSlice[] = [];
  for (let start = 0; start < ids.length; start += perFile) {
    const chunk = ids.slice(start, start + perFile);
    const name = changeFileName(input.runId, input.segmentIndex, 'removes', slices.length + 1);
    await work.getBlockBlobClient(name).uploadData(Buffer.from(chunk.join('\n') + '\n', 'utf8'));
    slices.push({ name, records: chunk.length });
  }
  return slices;
}

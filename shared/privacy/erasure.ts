import { randomUUID } from 'node:crypto';
import type { Services } from '../services.js';
import type { Principal } from '../domain/principal.js';
import { requireRole, userRef } from '../api/access.js';
import { ValidationError } from '../errors.js';
import { getDestination } from '../destinations/registry.js';
import { DestinationError, type Destination } from '../destinations/types.js';
import { entryHasKey } from '../destinations/common/identifiers.js';
import type { Ledger } from '../sync/ledger.js';
import { normalizeEmail } from '../pipeline/prepare/normalize.js';
import { containersFor } from '../sync/files.js';
import { readWholeBlob } from '../storage/read-blob.js';
import { readLedger, writeLedger } from '../sync/ledger.js';
import { addressHash } from './address-hash.js';
import type { Erasure, ErasureTarget } from './erasure-store.js';

/**
 * Erasure: a person taken out of every audience the app sent them to, now, and out of every
 * ledger and stored report, and suppressed so no later run sends them again. The address
 * itself is kept only in the secret store while the erasure runs (never in the orchestration's
 * history, which is plain storage), and deleted when it ends.
 */
const secretName = (erasureId: string) => `erasure-${erasureId}`;

export async function requestErasure(services: Services, principal: Principal, rawEmail: string, now = new Date()): Promise<Erasure> {
  requireRole(principal, ['admin']);
  const email = normalizeEmail(rawEmail);
  if (!email.ok) throw ValidationError.field('email', `${email.reason}: not a plausible email address`);
  const hash = addressHash(email.email);
  await services.suppressions.add([hash], userRef(principal), 'erasure', now);
  const erasure: Erasure = {
    id: randomUUID(),
    addressHash: hash,
    status: 'running',
    requestedBy: userRef(principal),
    requestedAt: now.toISOString(),
    destinations: [],
  };
  await services.secrets.set(secretName(erasure.id), email.email);
  await services.erasures.create(erasure);
  return erasure;
}

async function addressOf(services: Services, erasureId: string): Promise<string> {
  const email = await services.secrets.get(secretName(erasureId));
  if (!email) throw new Error(`erasure ${erasureId}: its address is no longer in the secret store`);
  return email;
}

/** Every export's segment whose ledger tracks the person; the others are recorded as not present. */
export async function findErasureTargets(services: Services, erasureId: string): Promise<ErasureTarget[]> {
  const email = await addressOf(services, erasureId);
  const { ledgers } = await containersFor(services);
  const targets: ErasureTarget[] = [];
  for (const exp of await services.exports.listAll()) {
    const destination = getDestination(exp.destinationType);
    for (const segment of exp.segments) {
      const ledger = await readLedger(ledgers, exp.id, segment);
      const present = ledger && personEntries(destination, ledger, email).length > 0;
      targets.push({
        exportId: exp.id,
        destinationType: exp.destinationType,
        segment,
        ...(ledger ? { audienceId: ledger.audienceId } : {}),
        outcome: present ? 'pending' : 'not-present',
      });
    }
  }
  await services.erasures.update(erasureId, (e) => ({ ...e, destinations: targets }));
  return targets;
}

/**
 * Takes the person out of one audience, then out of its ledger. Retryable failures are
 * thrown for the orchestration to try again; the others are recorded.
 */
export async function eraseFromAudience(services: Services, erasureId: string, target: ErasureTarget): Promise<ErasureTarget> {
  const email = await addressOf(services, erasureId);
  const exp = await services.exports.find(target.exportId);
  const connection = exp && (await services.connections.find(exp.connectionId));
  let outcome: ErasureTarget;
  if (!exp || !connection || !target.audienceId) {
    outcome = { ...target, outcome: 'failed', reason: exp ? 'connection-removed' : 'export-removed' };
  } else {
    const destination = getDestination(exp.destinationType);
    const { ledgers } = await containersFor(services);
    const ledger = await readLedger(ledgers, exp.id, target.segment);
    // Every entry the person was sent with (all their identifiers): removing those removes them by each.
    const found = ledger ? personEntries(destination, ledger, email) : [];
    const ids = found.length > 0 ? found : [destination.memberId({ row: 0, email })];
    const gone = new Set(ids);
    const sync = destination.sync(exp.settings);
    try {
      const client = await services.destinationClient(connection, exp.settings);
      if (sync.removal === 'per-member') {
        const result = await client.removeMembers(target.audienceId, ids);
        outcome = result.failed.length > 0 ? { ...target, outcome: 'failed', reason: result.failed[0]!.reason } : { ...target, outcome: 'removed' };
      } else if (sync.removal === 'replace-membership' && ledger) {
        // No per-member removal: the membership the ledger knows, without the person, replaces it.
        const rest = ledger.members.without(gone).toArray();
        await client.uploadBatch(target.audienceId, rest.map((member, i) => ({ row: i + 1, email: member })), { replace: true });
        outcome = { ...target, outcome: 'removed' };
      } else {
        outcome = { ...target, outcome: 'not-supported', reason: `${destination.displayName} cannot remove a member under these settings (segmentUpdates: append); the membership ends after its duration` };
      }
    } catch (error) {
      if (error instanceof DestinationError && error.retryable) throw error;
      outcome = { ...target, outcome: 'failed', reason: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
    }
    if (ledger && ledger.audienceId === target.audienceId) {
      // Out of the ledger whatever the outcome: it must not keep the person, and claiming less than the audience holds is safe.
      await writeLedger(ledgers, exp.id, target.segment, {
        ...ledger,
        members: ledger.members.without(gone),
        pendingRemovals: ledger.pendingRemovals.without(gone),
        updatedAt: new Date().toISOString(),
      });
    }
  }
  await services.erasures.update(erasureId, (e) => ({
    ...e,
    destinations: e.destinations.map((d) => (d.exportId === outcome.exportId && d.segment === outcome.segment ? outcome : d)),
  }));
  return outcome;
}

/**
 * The ledger entries of the person with this email. A destination keyed on the email alone
 * holds one id, looked up directly; one that matches on more keeps each member's entry of
 * every identifier sent, found by its key (`email=<hash>`, then the rest).
 */
function personEntries(destination: Destination, ledger: Ledger, email: string): string[] {
  const key = destination.memberId({ row: 0, email });
  const emailOnly = destination.identifiers.matchSets.every((set) => set.length === 1 && set[0] === 'email');
  if (emailOnly) return ledger.members.has(key) || ledger.pendingRemovals.has(key) ? [key] : [];
  return [...ledger.members, ...ledger.pendingRemovals].filter((entry) => entryHasKey(entry, key));
}

/** Rewrites every stored report part that names the person (by address or by hash) without those lines. */
export async function scrubReports(services: Services, erasureId: string): Promise<number> {
  const email = await addressOf(services, erasureId);
  const hash = addressHash(email);
  const { reports } = await containersFor(services);
  let rewritten = 0;
  for await (const blob of reports.listBlobsFlat()) {
    const client = reports.getBlockBlobClient(blob.name);
    const text = (await readWholeBlob(client)).toString('utf8');
    if (!text.includes(email) && !text.includes(hash)) continue;
    const kept = text.split('\n').filter((line) => !line.includes(email) && !line.includes(hash));
    await client.uploadData(Buffer.from(kept.join('\n'), 'utf8'), { blobHTTPHeaders: { blobContentType: 'text/csv' } });
    rewritten++;
  }
  return rewritten;
}

export async function finishErasure(services: Services, erasureId: string, reportsScrubbed: number, now: string): Promise<Erasure> {
  await services.secrets.delete(secretName(erasureId));
  return services.erasures.update(erasureId, (e) => ({
    ...e,
    status: e.destinations.some((d) => d.outcome === 'failed' || d.outcome === 'pending') ? 'partially-completed' : 'completed',
    finishedAt: now,
    reportsScrubbed,
  }));
}

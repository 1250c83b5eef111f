import { z } from 'zod';
import type { Principal } from '../domain/principal.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { normalizeEmail } from '../pipeline/prepare/normalize.js';
import { addressHash } from '../privacy/address-hash.js';
import type { Suppression, SuppressionStore } from '../privacy/suppression-store.js';
import type { Page, PageQuery } from '../storage/paging.js';
import { requireRole, userRef } from './access.js';

export const MAX_EMAILS_PER_CALL = 10_000;

export const addSuppressionsBodySchema = z
  .object({
    emails: z
      .array(z.string().max(320))
      .min(1)
      .max(MAX_EMAILS_PER_CALL)
      .describe(`Addresses to suppress (at most ${MAX_EMAILS_PER_CALL.toLocaleString('en')} a call), normalized as runs normalize them; only their SHA-256 is kept.`),
  })
  .strict();

export const suppressionSchema = z.object({
  id: z.string().describe('SHA-256 hex of the normalized address.'),
  addedBy: z.object({ userId: z.string(), userDetails: z.string() }),
  addedAt: z.string(),
  source: z.string().describe('`api`, `file:<blob>` or `erasure`.'),
});

export const addSuppressionsResultSchema = z.object({
  added: z.number().int(),
  alreadySuppressed: z.number().int(),
  ids: z.array(z.string()).describe('The hashes, in the order of `emails`.'),
});

type Deps = { suppressions: SuppressionStore };

export async function listSuppressions(services: Deps, principal: Principal, query: PageQuery): Promise<Page<Suppression>> {
  requireRole(principal, ['admin']);
  return services.suppressions.page(query);
}

/** Normalizes and hashes the addresses; one that is not an address is refused, naming its index. */
export async function addSuppressions(services: Deps, principal: Principal, emails: string[], source = 'api') {
  requireRole(principal, ['admin']);
  const ids: string[] = [];
  const issues: { field: string; message: string }[] = [];
  emails.forEach((raw, index) => {
    const email = normalizeEmail(raw);
    if (email.ok) ids.push(addressHash(email.email));
    else issues.push({ field: `emails[${index}]`, message: `${email.reason}: not a plausible email address` });
  });
  if (issues.length > 0) throw new ValidationError(issues.slice(0, 20).map((i) => `${i.field}: ${i.message}`).join('; '), issues.slice(0, 100));
  const { added, already } = await services.suppressions.add(ids, userRef(principal), source);
  return { added, alreadySuppressed: already, ids };
}

export async function deleteSuppression(services: Deps, principal: Principal, id: string): Promise<void> {
  requireRole(principal, ['admin']);
  if (!(await services.suppressions.find(id))) throw new NotFoundError('suppression', id);
  await services.suppressions.remove(id);
}

import { describe, expect, it } from 'vitest';
import type { Principal } from '../domain/principal.js';
import { DestinationError, type DestinationClient } from '../destinations/types.js';
import type { StoredConnection } from '../storage/connection-store.js';
import { testConnection } from './connections.js';
import type { ApiServices } from './deps.js';

const admin: Principal = { userId: 'a', userDetails: '', roles: ['admin'] };
const who = { userId: 'a', userDetails: '' };
const stored: StoredConnection = {
  id: 'c1', type: 'autopilot', displayName: 'x', allowContributors: false,
  consent: { accepted: true, acceptedBy: who, acceptedAt: 't' }, exportUser: who, credentials: { set: true }, createdBy: who, createdAt: 't', updatedAt: 't',
};

/** What testConnection wrote back to the row (the outcome as lastTest), with the ETag it expected. */
let written: { next: StoredConnection; etag: string }[] = [];

/** Only what testConnection uses: the connection row and a destination client that behaves as told. */
function services(test: () => Promise<void>): ApiServices {
  written = [];
  return {
    connections: {
      findStored: async (id: string) => (id === 'c1' ? { value: stored, etag: 'e' } : undefined),
      replace: async (_previous: StoredConnection, next: StoredConnection, etag: string) => {
        written.push({ next, etag });
        return { value: next, etag: 'e2' };
      },
    },
    destinationClient: async () => ({ testConnection: test }) as DestinationClient,
  } as unknown as ApiServices;
}

const NOW = new Date('2026-12-01T12:00:00.000Z');

describe('testConnection', () => {
  it('is ok when the destination accepts the credentials', async () => {
    expect(await testConnection(services(async () => undefined), admin, 'c1', NOW)).toEqual({ ok: true });
    // Kept on the connection, against the ETag it was read with, without touching updatedAt.
    expect(written).toEqual([{ next: { ...stored, lastTest: { ok: true, at: NOW.toISOString(), by: who } }, etag: 'e' }]);
  });

  it.each(['auth-failed', 'terms-not-accepted'] as const)('reports %s as a result, not a failure', async (code) => {
    const result = await testConnection(services(async () => { throw new DestinationError(code, 'refused'); }), admin, 'c1');
    expect(result).toEqual({ ok: false, reason: code, message: 'refused' });
    expect(written.map((w) => w.next.lastTest)).toEqual([expect.objectContaining({ ok: false, reason: code })]);
  });

  it.each(['transient', 'rate-limited', 'destination-error'] as const)('maps %s to 502', async (code) => {
    await expect(testConnection(services(async () => { throw new DestinationError(code, 'down'); }), admin, 'c1')).rejects.toMatchObject({
      status: 502,
      extensions: { reason: code },
    });
    expect(written.map((w) => w.next.lastTest)).toEqual([expect.objectContaining({ ok: false, reason: code })]);
  });

  it('passes other errors on, and is 404 for an unknown connection', async () => {
    await expect(testConnection(services(async () => { throw new TypeError('bug'); }), admin, 'c1')).rejects.toBeInstanceOf(TypeError);
    await expect(testConnection(services(async () => undefined), admin, 'nope')).rejects.toMatchObject({ status: 404 });
  });
});

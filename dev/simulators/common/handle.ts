import type { FaultInjector, FaultSpec } from './faults.js';
import type { RequestLog } from './request-log.js';
import type { SimServer } from './server.js';

/** An audience as a simulator holds it. */
export interface SimAudience {
  id: string;
  name: string;
  /** What arrived: emails (AdRoll, RollWorks, Autopilot) or SHA-256 hashes (Microsoft Advertising). */
  members: string[];
}

/** What tests (and `/__sim/`) can do with any simulator. */
export interface SimulatorHandle {
  readonly name: string;
  /** The base URL to put in the service's `*_API_URL` setting. */
  readonly url: string;
  readonly requests: RequestLog;
  readonly faults: FaultInjector;
  /** The published rate the simulator enforces when rate limits are on. */
  readonly rateLimit: { requestsPerSecond: number; burst: number };
  inject(fault: FaultSpec): void;
  setRateLimits(enabled: boolean): void;
  audiences(): SimAudience[];
  audience(name: string): SimAudience | undefined;
  /** Deletes an audience as someone at the service would (tests of re-creation). */
  deleteAudience(name: string): boolean;
  /** Adds members (as the service holds them) behind the app's back, as another tool would. */
  addMembers(name: string, members: string[]): void;
  reset(): void;
  stop(): Promise<void>;
}

export function baseHandle(name: string, server: SimServer, url: string): Omit<SimulatorHandle, 'audiences' | 'audience' | 'deleteAudience' | 'addMembers'> {
  return {
    name,
    url,
    requests: server.log,
    faults: server.faults,
    rateLimit: server.rateLimit,
    inject: (fault) => server.faults.inject(fault),
    setRateLimits: (enabled) => {
      server.rateLimits = enabled;
    },
    reset: () => server.reset(),
    stop: () => server.stop(),
  };
}

/**
 * The test side of a simulator whose audiences live in one map by id and whose members are
 * kept as the service received them (by key): each audience as a SimAudience, its members
 * as they arrived, and deleted as someone at the service would. Found by name, the newest
 * first where names repeat.
 */
export function audienceAccess<A extends { id: string }, M>(
  audiences: Map<string, A>,
  view: { name(audience: A): string; members(audience: A): Map<string, M>; listed?(audience: A): string[] },
) {
  const byName = (name: string) => [...audiences.values()].reverse().find((audience) => view.name(audience) === name);
  const toAudience = (audience: A): SimAudience => ({
    id: audience.id,
    name: view.name(audience),
    members: view.listed ? view.listed(audience) : [...view.members(audience).keys()],
  });
  return {
    audiences: () => [...audiences.values()].map(toAudience),
    audience: (name: string) => {
      const audience = byName(name);
      return audience ? toAudience(audience) : undefined;
    },
    /** The members as the service holds them (hashed identifiers by key), not only their keys. */
    listMembers: (name: string) => {
      const audience = byName(name);
      return audience ? [...view.members(audience).values()] : undefined;
    },
    deleteAudience: (name: string) => {
      const audience = byName(name);
      return audience ? audiences.delete(audience.id) : false;
    },
  };
}

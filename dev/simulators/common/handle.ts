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

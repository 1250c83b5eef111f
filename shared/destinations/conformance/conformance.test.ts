import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { devConnections, startSimulators, type RunningSimulators } from '../../../dev/simulators/index.js';
import { memorySecretStore } from '../../../dev/simulators/testing.js';
import { loadConfig } from '../../config.js';
import { connectionSecretName } from '../../secrets/types.js';
import { connectDestination } from '../connect.js';
import { destinationTypes, getDestination, type DestinationType } from '../registry.js';
import type { DestinationClient, ProfileRecord } from '../types.js';
import { checks, describeConformance, type ConformanceTarget } from './suite.js';

/**
 * Every registered destination against its simulator (`startSimulators().byType`), with
 * the connection and settings a developer uses (`devConnections`): a destination added to
 * the registry, with its simulator, is checked here without another line.
 */
let sims: RunningSimulators;
let connectionSeq = 0;

beforeAll(async () => {
  sims = await startSimulators({ rateLimits: 'off' });
}, 60_000);
afterAll(async () => {
  await sims?.stop();
});
beforeEach(() => {
  for (const type of destinationTypes) sims.byType[type].reset();
});

function target(type: DestinationType): ConformanceTarget {
  const sim = sims.byType[type];
  const { credentials, settings } = devConnections[type];
  return {
    type,
    destination: getDestination(type),
    sim,
    settings,
    connect: async (options = {}) => {
      const id = `conformance-${type}-${++connectionSeq}`;
      const secrets = memorySecretStore({ [connectionSecretName(id)]: JSON.stringify(options.credentials ?? credentials) });
      return connectDestination({ secrets, endpoints: loadConfig(sims.env).destinations, http: options.http }, { id, type }, settings);
    },
    badCredentials: Object.fromEntries(Object.entries(credentials).map(([name, value]) => [name, `wrong-${value}`])),
    refuse: (profile: ProfileRecord) => {
      // A service that validates what it receives refuses a malformed address; one that takes
      // hashes (Customer Match) is told to refuse this one.
      const refuseItems = (sim as { refuseItems?: (items: string[]) => void }).refuseItems;
      if (!refuseItems) return { ...profile, email: 'broken@@example.com' };
      refuseItems([getDestination(type).memberId(profile)]);
      return profile;
    },
  };
}

for (const type of destinationTypes) describeConformance(type, () => target(type));

describe('the conformance suite itself', () => {
  /** Autopilot's connector with one fault put in on purpose. */
  const broken = (breakClient: (client: DestinationClient) => DestinationClient): ConformanceTarget => {
    const sound = target('autopilot');
    return { ...sound, connect: async (options) => breakClient(await sound.connect(options)) };
  };

  it('fails a connector that loses the last member of every batch while counting it delivered', async () => {
    const target = broken((client) => ({
      ...client,
      uploadBatch: async (audienceId, records, options) => {
        const result = await client.uploadBatch(audienceId, records.slice(0, -1), options);
        return { ...result, accepted: result.accepted + 1 };
      },
    }));
    await expect(checks['adding members twice holds each once, with exactly the identifiers the destination sends'](target)).rejects.toThrow();
  });

  it('fails a connector that passes its connection test whatever the credentials', async () => {
    const target = broken((client) => ({ ...client, testConnection: () => client.testConnection().catch(() => undefined) }));
    await expect(checks['bad credentials give auth-failed'](target)).rejects.toThrow();
  });
});

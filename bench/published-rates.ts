import { autopilotRequestsPerSecond } from '../shared/destinations/autopilot/definition.js';
import { googleAdsRequestsPerSecond } from '../shared/destinations/google-ads/definition.js';
import { metaRequestsPerSecond } from '../shared/destinations/meta/definition.js';
import { linkedinRequestsPerSecond } from '../shared/destinations/linkedin/definition.js';
import { microsoftAdvertisingRequestsPerSecond } from '../shared/destinations/microsoft-advertising/definition.js';
import { nextRollRequestsPerSecond } from '../shared/destinations/nextroll/definition.js';
import { orttoRequestsPerSecond } from '../shared/destinations/ortto/definition.js';
import type { DestinationType } from '../shared/destinations/registry.js';

/** Each service's published request rate, per account: what a floor is computed from. */
export const PUBLISHED_RATE: Record<DestinationType, number> = {
  adroll: nextRollRequestsPerSecond,
  rollworks: nextRollRequestsPerSecond,
  'microsoft-advertising': microsoftAdvertisingRequestsPerSecond,
  autopilot: autopilotRequestsPerSecond,
  'google-ads': googleAdsRequestsPerSecond,
  meta: metaRequestsPerSecond,
  ortto: orttoRequestsPerSecond,
  linkedin: linkedinRequestsPerSecond,
};

import type { Destination } from './types.js';
import { adroll } from './adroll/index.js';
import { rollworks } from './rollworks/index.js';
import { microsoftAdvertising } from './microsoft-advertising/index.js';
import { autopilot } from './autopilot/index.js';
import { googleAds } from './google-ads/index.js';
import { meta } from './meta/index.js';
import { ortto } from './ortto/index.js';
import { linkedin } from './linkedin/index.js';

/** Every destination the app can export to. Adding one is its folder plus one line here. */
export const destinations = {
  adroll: adroll as Destination,
  rollworks: rollworks as Destination,
  'microsoft-advertising': microsoftAdvertising as Destination,
  autopilot: autopilot as Destination,
  'google-ads': googleAds as Destination,
  meta: meta as Destination,
  ortto: ortto as Destination,
  linkedin: linkedin as Destination,
} satisfies Record<string, Destination>;

export type DestinationType = keyof typeof destinations;
export const destinationTypes = Object.keys(destinations) as [DestinationType, ...DestinationType[]];

export function getDestination(type: DestinationType): Destination {
  return destinations[type];
}

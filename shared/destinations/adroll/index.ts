import { nextRollDestination } from '../nextroll/destination.js';

/** AdRoll: the NextRoll Audience API under AdRoll's name, with its own OAuth application (ADROLL_* settings). */
export const adroll = nextRollDestination({ type: 'adroll', displayName: 'AdRoll', clientIdSetting: 'ADROLL_CLIENT_ID' });

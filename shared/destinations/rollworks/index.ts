import { nextRollDestination } from '../nextroll/destination.js';

/** RollWorks is the NextRoll platform's B2B brand: same API, its own OAuth application (ROLLWORKS_* settings). */
export const rollworks = nextRollDestination({ type: 'rollworks', displayName: 'RollWorks', clientIdSetting: 'ROLLWORKS_CLIENT_ID' });

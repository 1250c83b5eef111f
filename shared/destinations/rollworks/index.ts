import type { Destination } from '../types.js';
import { nextRollDestination } from '../adroll/index.js';

/** RollWorks is the NextRoll platform's B2B brand: same API, its own OAuth application (ROLLWORKS_* settings). */
export const rollworks = nextRollDestination('rollworks') as Destination;

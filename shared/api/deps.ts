import type { Services } from '../services.js';

/** What the API operations need from the service container (tests may pass less-wired stand-ins). */
export type ApiServices = Pick<Services, 'connections' | 'exports' | 'secrets' | 'segments' | 'schedule' | 'runs' | 'destinationClient'>;

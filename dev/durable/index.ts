export { DurableDriver, type DurableDriverOptions } from './driver.js';
export type { OrchestrationStatus, RuntimeStatus } from './store.js';

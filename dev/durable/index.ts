export { DurableDriver, type DurableDriverOptions, type OrchestrationStatus } from './driver.js';
export { DurableApiError, InstanceExistsError, InstanceGoneError, InstanceNotFoundError, UnknownOrchestrationError } from './errors.js';
export { NonDeterminismError, ReplayDivergenceError, UnsupportedActionError } from './replay.js';
export type { RuntimeStatus } from './store.js';
export type { ReplayCheck } from './episode.js';
export type { NewWork } from './replay.js';

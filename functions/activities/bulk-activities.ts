import * as df from 'durable-functions';
import { getServices } from '../../shared/services.js';
import { checkBulkSend, startBulkSend, type BulkCheckInput, type BulkSendInput } from '../../shared/sync/bulk-send.js';
import { activities } from '../orchestrators/names.js';
import { timed } from './timed.js';

// Each returns promptly: the upload, or one status check. The orchestration waits between checks.
df.app.activity(activities.startBulkSend, {
  handler: timed('bulk-start', (i: BulkSendInput) => i, (input) => startBulkSend(getServices(), input)),
});
df.app.activity(activities.checkBulkSend, {
  handler: timed('bulk-check', (i: BulkCheckInput) => i, (input) => checkBulkSend(getServices(), input)),
});

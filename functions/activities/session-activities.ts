import * as df from 'durable-functions';
import { getServices } from '../../shared/services.js';
import { sendSession, type SessionSendInput } from '../../shared/sync/session-send.js';
import { activities } from '../orchestrators/names.js';
import { timed } from './timed.js';

// Sends a replace session as far as the rate allows and returns its cursor; the orchestration keeps it between calls.
df.app.activity(activities.sendSession, {
  handler: timed('session', (i: SessionSendInput) => i, (input) => sendSession(getServices(), input)),
});

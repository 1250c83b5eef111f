// Every function of the app registers itself on import; the real host and the local host load this file.
// First telemetry, then the client factory that SDK-type bindings (the segment blob trigger) need.
import './telemetry.js';
import './bindings/blob-client.js';
import './http/destinations.js';
import './http/me.js';
import './http/connections.js';
import './http/exports.js';
import './http/segments.js';
import './http/schedule.js';
import './http/openapi.js';
import './http/runs.js';
import './http/insights.js';
import './http/notifications.js';
import './orchestrators/export-run.js';
import './activities/run-activities.js';
import './activities/bulk-activities.js';
import './activities/session-activities.js';
import './activities/insight-activities.js';
import './http/privacy.js';
import './orchestrators/erasure.js';
import './activities/erasure-activities.js';
import './triggers/segment-blob.js';
import './triggers/scheduled-refresh.js';
import './triggers/retention-purge.js';
import './triggers/audience-insights.js';
import './triggers/destination-requests.js';
import './http/portal.js';

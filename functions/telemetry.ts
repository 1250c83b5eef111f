import { loadConfig } from '../shared/config.js';
import { startTelemetry } from '../shared/telemetry/setup.js';

// Before any registration: telemetry is wired once per worker process (shared/telemetry/setup.ts).
try {
  startTelemetry(loadConfig());
} catch (error) {
  // A malformed setting fails the calls that need it, with its name; telemetry just stays off.
  console.warn(`telemetry is off: ${error instanceof Error ? error.message : String(error)}`);
}

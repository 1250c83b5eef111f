import type { z } from 'zod';
import type { DestinationEndpoints } from '../config.js';
import { ValidationError } from '../errors.js';
import { connectionSecretName, type SecretStore } from '../secrets/types.js';
import { getDestination, type DestinationType } from './registry.js';
import { DestinationError, type DestinationClient, type HttpTuning, type Logger } from './types.js';

export interface ConnectDependencies {
  secrets: SecretStore;
  endpoints: DestinationEndpoints;
  log?: Logger;
  /** Transport tuning (tests, benchmark); production uses the defaults. */
  http?: HttpTuning;
}

/**
 * A ready client for a connection: its credentials from the secret store, checked against
 * the destination's schema; the export's settings checked too (a bad setting is the caller's
 * error and names the field). Rotated credentials go back to the secret store. The connection
 * test route and the pipeline activities both come through here.
 */
export async function connectDestination(
  deps: ConnectDependencies,
  connection: { id: string; type: DestinationType },
  settings?: Record<string, string>,
): Promise<DestinationClient> {
  const destination = getDestination(connection.type);
  const secretName = connectionSecretName(connection.id);

  // The version of the credentials this client holds: a rotated token is written back only
  // over that version, never over credentials someone saved meanwhile (a PATCH).
  let version: string | undefined;
  const readCredentials = async (): Promise<unknown> => {
    const secret = await deps.secrets.getVersioned(secretName);
    const stored = secret?.value;
    if (secret) version = secret.version;
    if (stored === undefined) {
      throw new DestinationError('auth-failed', `connection ${connection.id} has no stored credentials; set them again`, false);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(stored);
    } catch {
      throw new DestinationError('auth-failed', `the stored credentials of connection ${connection.id} are not readable; set them again`, false);
    }
    const checked = destination.credentials.safeParse(parsed);
    if (!checked.success) {
      throw new DestinationError(
        'auth-failed',
        `the stored credentials of connection ${connection.id} do not fit ${destination.displayName}: ${describeIssues(checked.error)}; set them again`,
        false,
      );
    }
    return checked.data;
  };

  let checkedSettings: unknown;
  if (settings !== undefined) {
    const result = destination.settings.safeParse(settings);
    if (!result.success) {
      throw new ValidationError(
        `the settings do not fit ${destination.displayName}: ${describeIssues(result.error)}`,
        result.error.issues.map((issue) => ({ field: ['settings', ...issue.path.map(String)].join('.'), message: issue.message })),
      );
    }
    checkedSettings = result.data;
  }

  return destination.connect({
    connectionId: connection.id,
    credentials: await readCredentials(),
    settings: checkedSettings,
    endpoints: deps.endpoints,
    saveCredentials: async (credentials) => {
      const written = version === undefined ? undefined : await deps.secrets.setIfUnchanged(secretName, JSON.stringify(credentials), version);
      if (written === undefined) {
        deps.log?.warn(`connection ${connection.id}: its credentials changed while a rotated token was being saved; the newer credentials are kept`);
        return;
      }
      version = written;
    },
    reloadCredentials: async () => {
      try {
        return await readCredentials();
      } catch {
        return undefined;
      }
    },
    http: deps.http,
    log: deps.log,
  });
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

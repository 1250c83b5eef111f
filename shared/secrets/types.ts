/**
 * Where connection credentials live: Azure Key Vault in the cloud, an AES-256-GCM
 * encrypted table in development. Values are opaque strings (credentials are stored as
 * JSON); they are never returned by the API nor logged.
 */
export interface SecretStore {
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
}

/** Key Vault secret names allow letters, digits and dashes only. */
export const connectionSecretName = (connectionId: string): string => `connection-${connectionId}`;

/**
 * Where connection credentials live: Azure Key Vault in the cloud, an AES-256-GCM
 * encrypted table in development. Values are opaque strings (credentials are stored as
 * JSON); they are never returned by the API nor logged.
 */
export interface SecretStore {
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
  /** The value with a version that changes on every write. */
  getVersioned(name: string): Promise<VersionedSecret | undefined>;
  /**
   * Writes only if the secret is still at `version` (nobody wrote it since it was read);
   * returns the new version, or undefined when it was changed or deleted meanwhile.
   */
  setIfUnchanged(name: string, value: string, version: string): Promise<string | undefined>;
}

export interface VersionedSecret {
  value: string;
  version: string;
}

/** Key Vault secret names allow letters, digits and dashes only. */
export const connectionSecretName = (connectionId: string): string => `connection-${connectionId}`;

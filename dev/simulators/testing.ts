import type { SecretStore } from '../../shared/secrets/types.js';
import type { ProfileRecord } from '../../shared/destinations/types.js';

/** A secret store in memory, for contract tests; `writes` shows what the connector saved. */
export function memorySecretStore(initial: Record<string, string> = {}): SecretStore & { values: Map<string, string>; writes: string[] } {
  const values = new Map(Object.entries(initial));
  const writes: string[] = [];
  const versions = new Map<string, number>();
  return {
    values,
    writes,
    async get(name) {
      return values.get(name);
    },
    async set(name, value) {
      values.set(name, value);
      writes.push(name);
      versions.set(name, (versions.get(name) ?? 0) + 1);
    },
    async delete(name) {
      values.delete(name);
      versions.delete(name);
    },
    async getVersioned(name) {
      const value = values.get(name);
      return value === undefined ? undefined : { value, version: String(versions.get(name) ?? 0) };
    },
    async setIfUnchanged(name, value, version) {
      if (!values.has(name) || String(versions.get(name) ?? 0) !== version) return undefined;
      values.set(name, value);
      writes.push(name);
      versions.set(name, (versions.get(name) ?? 0) + 1);
      return String(versions.get(name));
    },
  };
}

/**
 * `count` normalized profiles with distinct emails, rows numbered from `firstRow`. Every
 * third profile has no last name, so optional fields are exercised.
 */
export function makeProfiles(count: number, options: { firstRow?: number; prefix?: string; names?: boolean } = {}): ProfileRecord[] {
  const firstRow = options.firstRow ?? 1;
  const prefix = options.prefix ?? 'person';
  return Array.from({ length: count }, (_, index) => {
    const row = firstRow + index;
    return {
      row,
      email: `${prefix}.${row}@example.com`,
      ...(options.names ? { firstName: `First${row}`, ...(row % 3 === 0 ? {} : { lastName: `Last${row}` }) } : {}),
    };
  });
}

/** Splits records into batches of at most `size`, as the pipeline does. */
export function batches<T>(records: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < records.length; start += size) out.push(records.slice(start, start + size));
  return out;
}

/**
 * A blob trigger path such as `segments/{segment}/{file}`: the container, and a pattern
 * for blob names whose `{name}` parts become trigger metadata. As in the Functions host,
 * a parameter may span `/`: earlier parameters take as little as they can, the last as
 * much as it can (`segments/a/b/c.csv` → segment `a`, file `b/c.csv`).
 */
export interface BlobPath {
  container: string;
  /** Literal start of the blob names that can match, for listing. */
  prefix: string;
  names: string[];
  match(blobName: string): Record<string, string> | undefined;
}

export function parseBlobPath(path: string): BlobPath {
  const slash = path.indexOf('/');
  const container = slash < 0 ? path : path.slice(0, slash);
  const pattern = slash < 0 ? '' : path.slice(slash + 1);
  if (!/^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/.test(container)) {
    throw new Error(`blob trigger path '${path}': '${container}' is not a valid container name (binding expressions are not supported in the container part)`);
  }
  const names: string[] = [];
  const tokens = pattern.split(/(\{[A-Za-z_][A-Za-z0-9_]*\})/).filter((t) => t !== '');
  const paramCount = tokens.filter((t) => t.startsWith('{')).length;
  let seen = 0;
  const source = tokens
    .map((token) => {
      if (!token.startsWith('{')) return escapeRegExp(token);
      names.push(token.slice(1, -1));
      seen++;
      return seen === paramCount ? '(.+)' : '(.+?)';
    })
    .join('');
  // A path with no name pattern (`container` or `container/`) triggers on every blob.
  const regex = new RegExp(`^${pattern === '' ? '(?:.+)' : source}$`);
  const firstParam = pattern.indexOf('{');
  return {
    container,
    prefix: firstParam < 0 ? pattern : pattern.slice(0, firstParam),
    names,
    match(blobName) {
      const m = regex.exec(blobName);
      if (!m) return undefined;
      return Object.fromEntries(names.map((name, i) => [name, m[i + 1]!]));
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

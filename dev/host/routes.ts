/**
 * HTTP trigger route templates as the Functions host reads them (ASP.NET routing), as far as
 * the app uses them: literal segments (case-insensitive), `{name}` and a trailing catch-all
 * `{*rest}`. Of several templates that match, the most specific wins: literal before
 * parameter before catch-all, segment by segment.
 */

type Segment = { kind: 'literal'; text: string } | { kind: 'param'; name: string; catchAll: boolean };

export interface CompiledRoute {
  template: string;
  segments: Segment[];
  /** Higher wins; compared segment by segment. */
  specificity: number[];
}

export function compileRoute(template: string): CompiledRoute {
  const trimmed = template.replace(/^\/+|\/+$/g, '');
  const parts = trimmed === '' ? [] : trimmed.split('/');
  const segments = parts.map((part, i): Segment => {
    const param = /^\{(\*{1,2})?([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(part);
    if (!param) {
      if (/[{}]/.test(part)) throw new Error(`route '${template}': segment '${part}' is not supported by the local host (literal segments, {name} and a last {*rest} are)`);
      return { kind: 'literal', text: part.toLowerCase() };
    }
    const catchAll = Boolean(param[1]);
    if (catchAll && i !== parts.length - 1) throw new Error(`route '${template}': a catch-all parameter must be the last segment`);
    return { kind: 'param', name: param[2]!, catchAll };
  });
  const specificity = segments.map((s) => (s.kind === 'literal' ? 3 : s.catchAll ? 1 : 2));
  return { template, segments, specificity };
}

/** Matches a request path (below the route prefix, no query) and returns the route parameters. */
export function matchRoute(route: CompiledRoute, path: string): Record<string, string> | undefined {
  const parts = path.replace(/^\/+|\/+$/g, '').split('/').filter((p) => p !== '');
  const params: Record<string, string> = {};
  let i = 0;
  for (const segment of route.segments) {
    if (segment.kind === 'literal') {
      if (parts[i++]?.toLowerCase() !== segment.text) return undefined;
    } else if (segment.catchAll) {
      const rest = parts.slice(i).map(decodeSegment).join('/');
      if (rest !== '') params[segment.name] = rest;
      i = parts.length;
    } else {
      if (parts[i] === undefined) return undefined;
      params[segment.name] = decodeSegment(parts[i++]!);
    }
  }
  return i === parts.length ? params : undefined;
}

/** Compares two routes by specificity: negative when `a` should be tried first. */
export function bySpecificity(a: CompiledRoute, b: CompiledRoute): number {
  const length = Math.max(a.specificity.length, b.specificity.length);
  for (let i = 0; i < length; i++) {
    const diff = (b.specificity[i] ?? 0) - (a.specificity[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/**
 * A path segment percent-decoded as ASP.NET routing does it: a malformed escape (`%`,
 * `%ZZ`, a broken UTF-8 sequence) stays as written instead of failing the request, so the
 * function's own validation answers it.
 */
export function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * HTTP trigger route templates as the Functions host reads them (ASP.NET routing):
 * literal segments, `{name}`, optional `{name?}`, constrained `{name:int}` /
 * `{name:alpha}` / `{name:guid}` ..., defaults `{name=value}` and a trailing catch-all
 * `{*rest}`. The most specific template wins when several match.
 */

type Segment =
  | { kind: 'literal'; text: string }
  | { kind: 'param'; name: string; optional: boolean; defaultValue?: string; constraints: Constraint[]; catchAll: boolean };

type Constraint = (value: string) => boolean;

export interface CompiledRoute {
  template: string;
  segments: Segment[];
  /** Higher wins; compared segment by segment. */
  specificity: number[];
}

const CONSTRAINTS: Record<string, (arg?: string) => Constraint> = {
  int: () => (v) => /^-?\d+$/.test(v) && Number.isSafeInteger(Number(v)) && Math.abs(Number(v)) <= 2 ** 31,
  long: () => (v) => /^-?\d+$/.test(v),
  alpha: () => (v) => /^[A-Za-z]+$/.test(v),
  bool: () => (v) => /^(true|false)$/i.test(v),
  guid: () => (v) => /^[{(]?[0-9a-f]{8}-?([0-9a-f]{4}-?){3}[0-9a-f]{12}[)}]?$/i.test(v),
  double: () => (v) => v.trim() !== '' && Number.isFinite(Number(v)),
  float: () => (v) => v.trim() !== '' && Number.isFinite(Number(v)),
  decimal: () => (v) => /^-?\d+(\.\d+)?$/.test(v),
  datetime: () => (v) => !Number.isNaN(Date.parse(v)),
  minlength: (n) => (v) => v.length >= Number(n),
  maxlength: (n) => (v) => v.length <= Number(n),
  length: (n) => {
    const [min, max] = (n ?? '').split(',').map(Number);
    return (v) => (max === undefined ? v.length === min : v.length >= min! && v.length <= max);
  },
  min: (n) => (v) => /^-?\d+$/.test(v) && Number(v) >= Number(n),
  max: (n) => (v) => /^-?\d+$/.test(v) && Number(v) <= Number(n),
  range: (n) => {
    const [min, max] = (n ?? '').split(',').map(Number);
    return (v) => /^-?\d+$/.test(v) && Number(v) >= min! && Number(v) <= max!;
  },
  regex: (pattern) => (v) => new RegExp(pattern ?? '').test(v),
};

export function compileRoute(template: string): CompiledRoute {
  const trimmed = template.replace(/^\/+|\/+$/g, '');
  const parts = trimmed === '' ? [] : trimmed.split('/');
  const segments = parts.map((part, i): Segment => {
    const param = /^\{(\*{1,2})?([A-Za-z_][A-Za-z0-9_]*)((?::[^:=?}]+(?:\([^)]*\))?)*)(\?|=[^}]*)?\}$/.exec(part);
    if (!param) {
      if (/[{}]/.test(part)) throw new Error(`route '${template}': segment '${part}' mixes text and parameters, which the local host does not support`);
      return { kind: 'literal', text: part.toLowerCase() };
    }
    const [, star, name, constraintText, suffix] = param;
    const catchAll = Boolean(star);
    if (catchAll && i !== parts.length - 1) throw new Error(`route '${template}': a catch-all parameter must be the last segment`);
    const constraints = [...(constraintText ?? '').matchAll(/:([A-Za-z]+)(?:\(([^)]*)\))?/g)].map(([, kind, arg]) => {
      const make = CONSTRAINTS[kind!.toLowerCase()];
      if (!make) throw new Error(`route '${template}': unknown constraint '${kind}'`);
      return make(arg);
    });
    return {
      kind: 'param',
      name: name!,
      optional: suffix === '?' || catchAll || (suffix?.startsWith('=') ?? false),
      ...(suffix?.startsWith('=') ? { defaultValue: suffix.slice(1) } : {}),
      constraints,
      catchAll,
    };
  });
  const specificity = segments.map((s) => (s.kind === 'literal' ? 4 : s.catchAll ? 1 : s.constraints.length > 0 ? 3 : 2));
  return { template, segments, specificity };
}

/** Matches a request path (below the route prefix, no query) and returns the route parameters. */
export function matchRoute(route: CompiledRoute, path: string): Record<string, string> | undefined {
  const parts = path.replace(/^\/+|\/+$/g, '').split('/').filter((p) => p !== '');
  const params: Record<string, string> = {};
  let i = 0;
  for (const segment of route.segments) {
    if (segment.kind === 'literal') {
      if (parts[i]?.toLowerCase() !== segment.text) return undefined;
      i++;
      continue;
    }
    if (segment.catchAll) {
      const rest = parts.slice(i).map(decodeSegment).join('/');
      if (rest !== '') params[segment.name] = rest;
      else if (segment.defaultValue !== undefined) params[segment.name] = segment.defaultValue;
      i = parts.length;
      continue;
    }
    const raw = parts[i];
    if (raw === undefined) {
      if (!segment.optional) return undefined;
      if (segment.defaultValue !== undefined) params[segment.name] = segment.defaultValue;
      continue;
    }
    const value = decodeSegment(raw);
    if (!segment.constraints.every((ok) => ok(value))) return undefined;
    params[segment.name] = value;
    i++;
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

/**
 * How an HTTP API picks the stage and the route for a request, as AWS
 * documents it: a path whose first segment names a stage goes to that stage,
 * anything else to `$default` (or 404 when there is none); then the most
 * specific route wins — a full match, literal segments before `{param}`s,
 * an exact method before ANY on the same path — then routes ending in a
 * greedy `{name+}` (the longer literal prefix first), then `$default`.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
 *
 * HTTP APIs deliver the path percent-decoded (rawPath, 1.0 `path` and path
 * parameters alike), and an encoded slash becomes a separator before routing,
 * so matching runs on the decoded path.
 */

/** What routing needs of a route: its id and key (`$default` or `METHOD /path`). */
export interface RoutableRoute {
  routeId: string;
  routeKey: string;
}

export interface RouteMatch<R extends RoutableRoute = RoutableRoute> {
  route: R;
  /** Undefined when the route has no path variables (and for `$default`). */
  pathParameters?: Record<string, string>;
}

export interface ParsedRouteKey {
  /** Upper-case method, or 'ANY'. */
  method: string;
  /** The route's path template, e.g. `/pets/{id}`. */
  path: string;
  segments: Segment[];
  /** The route ends in `{name+}`. */
  greedy: boolean;
}

type Segment = { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

const PARAM = /^\{([^{}+]+)\}$/;
const GREEDY = /^\{([^{}+]+)\+\}$/;

/** `METHOD /path` parsed; undefined for `$default` or a key that is not a route key. */
export function parseRouteKey(routeKey: string): ParsedRouteKey | undefined {
  const space = routeKey.indexOf(' ');
  if (space <= 0) return undefined;
  const method = routeKey.slice(0, space).toUpperCase();
  const path = routeKey.slice(space + 1);
  if (!path.startsWith('/')) return undefined;
  const segments: Segment[] = path === '/' ? [] : path.slice(1).split('/').map(toSegment);
  const greedy = segments.length > 0 && segments[segments.length - 1]!.kind === 'greedy';
  return { method, path, segments, greedy };
}

function toSegment(text: string): Segment {
  const g = GREEDY.exec(text);
  if (g) return { kind: 'greedy', name: g[1]! };
  const p = PARAM.exec(text);
  if (p) return { kind: 'param', name: p[1]! };
  return { kind: 'literal', value: text };
}

/** Splits a decoded path into segments: `/` has none, `/a/` has `a` and an empty last one. */
export function pathSegments(path: string): string[] {
  if (path === '' || path === '/') return [];
  return (path.startsWith('/') ? path.slice(1) : path).split('/');
}

/**
 * Percent-decodes a request path as API Gateway does before routing. A
 * malformed escape is kept as sent rather than failing the request.
 */
export function decodePath(rawPath: string): string {
  if (!rawPath.includes('%')) return rawPath;
  try {
    return decodeURIComponent(rawPath);
  } catch {
    return rawPath.replace(/%[0-9a-fA-F]{2}/g, (m) => {
      try {
        return decodeURIComponent(m);
      } catch {
        return m;
      }
    });
  }
}

export interface StageSelection {
  stage: string;
  /** The path the stage's routes see (the stage segment removed for a named stage). */
  path: string;
}

/**
 * The stage a decoded path addresses: a named stage when the first segment is
 * one, else `$default` when it exists; undefined answers 404 {"message":"Not Found"}.
 */
export function selectStage(path: string, stageNames: Iterable<string>): StageSelection | undefined {
  const names = new Set(stageNames);
  const first = pathSegments(path)[0];
  if (first !== undefined && first !== '$default' && names.has(first)) {
    const rest = path.slice(first.length + 1);
    return { stage: first, path: rest === '' ? '/' : rest };
  }
  return names.has('$default') ? { stage: '$default', path } : undefined;
}

interface Candidate<R extends RoutableRoute> {
  route: R;
  key: ParsedRouteKey;
  params: Record<string, string>;
}

/** Compiled once per deployment snapshot; `match` runs per request. */
export class RouteTable<R extends RoutableRoute = RoutableRoute> {
  private readonly parsed: { route: R; key: ParsedRouteKey }[] = [];
  private readonly fallback: R | undefined;
  /** Routes without path variables, by `METHOD path`: most requests end here. */
  private readonly literal = new Map<string, R>();

  constructor(routes: readonly R[]) {
    let fallback: R | undefined;
    for (const route of routes) {
      if (route.routeKey === '$default') {
        fallback = route;
        continue;
      }
      const key = parseRouteKey(route.routeKey);
      if (!key) continue;
      this.parsed.push({ route, key });
      if (key.segments.every((s) => s.kind === 'literal')) this.literal.set(`${key.method} ${key.path}`, route);
    }
    this.fallback = fallback;
  }

  /** The route a request selects, or undefined (404). `path` is the decoded path within the stage. */
  match(method: string, path: string): RouteMatch<R> | undefined {
    const m = method.toUpperCase();
    const exact = this.literal.get(`${m} ${path}`);
    if (exact) return { route: exact };
    const segments = pathSegments(path);
    let best: Candidate<R> | undefined;
    for (const { route, key } of this.parsed) {
      if (key.method !== m && key.method !== 'ANY') continue;
      const params = matchSegments(key, segments);
      if (!params) continue;
      const candidate = { route, key, params };
      if (!best || compare(candidate, best) < 0) best = candidate;
    }
    if (best) return Object.keys(best.params).length > 0 ? { route: best.route, pathParameters: best.params } : { route: best.route };
    return this.fallback ? { route: this.fallback } : undefined;
  }
}

function matchSegments(key: ParsedRouteKey, segments: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  const pattern = key.segments;
  if (key.greedy) {
    // `{proxy+}` needs at least one segment of its own (it does not match the parent path),
    // which may be the empty one a trailing slash leaves.
    if (segments.length < pattern.length) return undefined;
  } else if (segments.length !== pattern.length) return undefined;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p.kind === 'greedy') {
      params[p.name] = segments.slice(i).join('/');
      return params;
    }
    const s = segments[i]!;
    if (p.kind === 'literal') {
      if (p.value !== s) return undefined;
    } else {
      if (s === '') return undefined;
      params[p.name] = s;
    }
  }
  return params;
}

/** Negative when `a` is more specific than `b`. */
function compare<R extends RoutableRoute>(a: Candidate<R>, b: Candidate<R>): number {
  if (a.key.greedy !== b.key.greedy) return a.key.greedy ? 1 : -1;
  const n = Math.min(a.key.segments.length, b.key.segments.length);
  for (let i = 0; i < n; i++) {
    const x = rank(a.key.segments[i]!);
    const y = rank(b.key.segments[i]!);
    if (x !== y) return x - y;
  }
  // Among greedy routes the longer literal prefix is the more specific one.
  if (a.key.segments.length !== b.key.segments.length) return b.key.segments.length - a.key.segments.length;
  if ((a.key.method === 'ANY') !== (b.key.method === 'ANY')) return a.key.method === 'ANY' ? 1 : -1;
  return 0;
}

function rank(s: Segment): number {
  return s.kind === 'literal' ? 0 : s.kind === 'param' ? 1 : 2;
}

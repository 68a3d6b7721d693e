/**
 * Routes restXml/restJson1 requests to operations by HTTP method and the
 * model's `requestUri` template (`/{Bucket}/{Key+}?uploads`). Tables are built
 * once per model and sorted most specific first: query literals and required
 * query/header members (S3's UploadPartCopy vs UploadPart vs PutObject share
 * one template), then literal segments, then non-greedy before greedy labels.
 * https://smithy.io/2.0/spec/http-bindings.html#http-trait
 */
import type { OperationModel, ServiceModel } from './model.js';
import type { HttpRequest } from './types.js';

interface Segment {
  literal?: string;
  label?: string;
}

interface Route {
  op: OperationModel;
  segments: Segment[];
  /** Index of the greedy `{Name+}` segment, or -1. */
  greedy: number;
  literalCount: number;
  queryLiterals: Array<[string, string | undefined]>;
  requiredQuery: string[];
  requiredHeaders: string[];
}

export interface RouteMatch {
  op: OperationModel;
  /** Label values as sent, still percent-encoded. */
  labels: Record<string, string>;
}

function compileRoute(op: OperationModel): Route {
  const [pathPart = '/', queryPart] = op.http.requestUri.split('?', 2);
  const segments: Segment[] = [];
  let greedy = -1;
  let literalCount = 0;
  for (const raw of pathPart.replace(/^\//, '').split('/')) {
    if (raw === '' && segments.length === 0) continue;
    const m = /^\{([^}+]+)(\+)?\}$/.exec(raw);
    if (m) {
      if (m[2]) greedy = segments.length;
      segments.push({ label: m[1]! });
    } else {
      segments.push({ literal: raw });
      literalCount++;
    }
  }
  // A template like "/2015-03-31/functions/" ends with an empty literal; requests may omit it.
  if (segments.length > 0 && segments[segments.length - 1]!.literal === '') {
    segments.pop();
    literalCount--;
  }
  const queryLiterals: Array<[string, string | undefined]> = [];
  for (const part of (queryPart ?? '').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = eq === -1 ? part : part.slice(0, eq);
    // The JS SDK adds x-id=<Operation> to some S3 calls; other clients never send it.
    if (key === 'x-id') continue;
    queryLiterals.push([key, eq === -1 ? undefined : part.slice(eq + 1)]);
  }
  const requiredQuery: string[] = [];
  const requiredHeaders: string[] = [];
  for (const name of op.input?.required ?? []) {
    const m = op.input!.members[name];
    if (m?.location === 'querystring' && m.locationName) requiredQuery.push(m.locationName);
    if (m?.location === 'header' && m.locationName) requiredHeaders.push(m.locationName.toLowerCase());
  }
  return { op, segments, greedy, literalCount, queryLiterals, requiredQuery, requiredHeaders };
}

function specificity(r: Route): number {
  return r.queryLiterals.length + r.requiredQuery.length + r.requiredHeaders.length;
}

function compareRoutes(a: Route, b: Route): number {
  return (
    specificity(b) - specificity(a) ||
    b.literalCount - a.literalCount ||
    (a.greedy === -1 ? 0 : 1) - (b.greedy === -1 ? 0 : 1) ||
    b.segments.length - a.segments.length ||
    Number(a.op.deprecated) - Number(b.op.deprecated)
  );
}

function firstValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

interface MethodTable {
  /** Routes with query literals, under their first literal's key: only keys a request sends are tried. */
  keyed: Map<string, Route[]>;
  plain: Route[];
}

export class RestRouter {
  private readonly byMethod = new Map<string, MethodTable>();
  private readonly byOperation = new Map<string, Route>();

  constructor(model: ServiceModel) {
    for (const op of model.operations.values()) {
      const route = compileRoute(op);
      this.byOperation.set(op.name, route);
      const method = op.http.method.toUpperCase();
      let table = this.byMethod.get(method);
      if (!table) this.byMethod.set(method, (table = { keyed: new Map(), plain: [] }));
      const first = route.queryLiterals[0];
      if (!first) table.plain.push(route);
      else {
        const list = table.keyed.get(first[0]);
        if (list) list.push(route);
        else table.keyed.set(first[0], [route]);
      }
    }
    for (const table of this.byMethod.values()) {
      table.plain.sort(compareRoutes);
      for (const list of table.keyed.values()) list.sort(compareRoutes);
    }
  }

  match(req: HttpRequest): RouteMatch | undefined {
    const table = this.byMethod.get(req.method) ?? this.byMethod.get(req.method.toUpperCase());
    if (!table) return undefined;
    const parts = splitPath(req.rawPath);
    // First pass honours required query/header members; the second lets a
    // provider report a missing one instead of answering "unknown operation".
    for (let pass = 0; pass < 2; pass++) {
      const strict = pass === 0;
      if (table.keyed.size > 0) {
        for (const key in req.query) {
          const list = table.keyed.get(key);
          if (list) {
            const found = firstMatch(list, parts, req, strict);
            if (found) return found;
          }
        }
      }
      const found = firstMatch(table.plain, parts, req, strict);
      if (found) return found;
    }
    return undefined;
  }

  /** Labels of a request for an operation chosen elsewhere (the gateway may pass any). */
  labelsFor(operation: string, req: HttpRequest): Record<string, string> {
    const route = this.byOperation.get(operation);
    return (route && matchRoute(route, splitPath(req.rawPath), req, false)) || {};
  }
}

function firstMatch(routes: Route[], parts: string[], req: HttpRequest, strict: boolean): RouteMatch | undefined {
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i]!;
    // The relaxed pass only matters for routes it relaxes.
    if (!strict && route.requiredQuery.length === 0 && route.requiredHeaders.length === 0) continue;
    const labels = matchRoute(route, parts, req, strict);
    if (labels) return { op: route.op, labels };
  }
  return undefined;
}

function splitPath(rawPath: string): string[] {
  if (rawPath === '' || rawPath === '/') return [];
  return (rawPath.charCodeAt(0) === 47 ? rawPath.slice(1) : rawPath).split('/');
}

function matchRoute(route: Route, parts: string[], req: HttpRequest, strict: boolean): Record<string, string> | undefined {
  const segs = route.segments;
  let n = parts.length;
  if (route.greedy === -1) {
    // One trailing slash is tolerated ("/bucket/" is the bucket).
    if (n === segs.length + 1 && parts[n - 1] === '') n--;
    if (n !== segs.length) return undefined;
  } else if (n < segs.length) {
    return undefined;
  }
  // Query and header requirements first: they reject most candidates without allocating.
  const literals = route.queryLiterals;
  for (let i = 0; i < literals.length; i++) {
    const [key, value] = literals[i]!;
    const actual = firstValue(req.query[key]);
    if (actual === undefined || (value !== undefined && actual !== value)) return undefined;
  }
  if (strict) {
    for (let i = 0; i < route.requiredQuery.length; i++) if (req.query[route.requiredQuery[i]!] === undefined) return undefined;
    for (let i = 0; i < route.requiredHeaders.length; i++) if (req.headers[route.requiredHeaders[i]!] === undefined) return undefined;
  }
  const labels: Record<string, string> = {};
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    if (i === route.greedy) {
      const rest = parts.slice(i, n - (segs.length - 1 - i)).join('/');
      if (rest === '') return undefined;
      labels[seg.label!] = rest;
      // Segments after a greedy label (rare) match from the end.
      for (let j = i + 1; j < segs.length; j++) {
        const part = parts[n - (segs.length - j)];
        if (part === undefined || !matchSegment(segs[j]!, part, labels)) return undefined;
      }
      break;
    }
    if (!matchSegment(seg, parts[i]!, labels)) return undefined;
  }
  return labels;
}

function matchSegment(seg: Segment, part: string, labels: Record<string, string>): boolean {
  if (seg.literal !== undefined) return part === seg.literal;
  if (part === '') return false;
  labels[seg.label!] = part;
  return true;
}

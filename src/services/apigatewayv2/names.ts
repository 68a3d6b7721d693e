/**
 * Identifiers, ARNs and the syntax rules of HTTP API resources: generated ids
 * (an API id is 10 lowercase alphanumerics, a route or integration id 7, an
 * authorizer or deployment id 6, as AWS issues them), route keys, stage names
 * and the Lambda ARNs an integration or authorizer URI may name.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/arn-format-reference.html
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonapigatewaymanagement.html
 */
import { randomInt } from 'node:crypto';

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function newId(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ID_CHARS[randomInt(ID_CHARS.length)];
  return out;
}

export const ID_LENGTH = { api: 10, route: 7, integration: 7, authorizer: 6, deployment: 6 } as const;

/** The control-plane ARN of a path under the region's API Gateway (`/apis/<id>/routes/<routeId>`). */
export function resourceArn(region: string, path: string): string {
  return `arn:aws:apigateway:${region}::${path}`;
}

export function apiArn(region: string, apiId: string): string {
  return resourceArn(region, `/apis/${apiId}`);
}

/** What a taggable ARN names: an API, or one of its stages. */
export function parseTaggableArn(arn: string): { region: string; apiId: string; stageName?: string } | undefined {
  const m = /^arn:aws[a-z-]*:apigateway:([a-z0-9-]+)::\/apis\/([a-z0-9]+)(?:\/stages\/([^/]+))?$/.exec(arn);
  if (!m) return undefined;
  return { region: m[1]!, apiId: m[2]!, stageName: m[3] === undefined ? undefined : decodeURIComponent(m[3]) };
}

export const ROUTE_METHODS = ['ANY', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

export interface ParsedRouteKey {
  method: string;
  /** Segments after the leading slash; empty for `/`. */
  segments: Segment[];
}

export type Segment = { kind: 'literal'; value: string } | { kind: 'var'; name: string } | { kind: 'greedy'; name: string };

const LITERAL = /^[a-zA-Z0-9._:~@$!&'()*,;=-]+$/;
const VARIABLE = /^\{([\w.:-]+)(\+?)\}$/;

/**
 * A route key's method and path, or the reason it is not valid: `$default`
 * (returns undefined, no path) or `METHOD /path`, where only the last segment
 * may be a greedy `{name+}` and a variable name appears once.
 */
export function parseRouteKey(key: string): ParsedRouteKey | undefined | { error: string } {
  if (key === '$default') return undefined;
  const space = key.indexOf(' ');
  if (space < 0) return { error: `Route key must be $default or of the form 'METHOD /path'` };
  const method = key.slice(0, space);
  const path = key.slice(space + 1);
  if (!(ROUTE_METHODS as readonly string[]).includes(method)) return { error: `Unsupported HTTP method ${method}. Supported methods are ${ROUTE_METHODS.join(', ')}` };
  if (!path.startsWith('/')) return { error: 'The resource path must start with a /' };
  if (path === '/') return { method, segments: [] };
  const parts = path.slice(1).split('/');
  const segments: Segment[] = [];
  const names = new Set<string>();
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === '') return { error: 'The resource path must not contain empty segments or end with a /' };
    const v = VARIABLE.exec(part);
    if (v) {
      const name = v[1]!;
      if (names.has(name)) return { error: `Path variable ${name} appears more than once` };
      names.add(name);
      if (v[2]) {
        if (i !== parts.length - 1) return { error: 'A greedy path variable must be the last segment of the resource path' };
        segments.push({ kind: 'greedy', name });
      } else segments.push({ kind: 'var', name });
      continue;
    }
    if (!LITERAL.test(part)) return { error: `Invalid path segment ${part}` };
    segments.push({ kind: 'literal', value: part });
  }
  return { method, segments };
}

/**
 * Whether two paths declare differently named variables at the same level
 * under an identical prefix (`/a/{id}` beside `/a/{key}`): AWS refuses the
 * second with a ConflictException, whatever the methods, as its routes share
 * one resource tree.
 */
export function conflictingVariable(a: ParsedRouteKey, b: ParsedRouteKey): boolean {
  const n = Math.min(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const x = a.segments[i]!;
    const y = b.segments[i]!;
    if (x.kind !== y.kind) return false;
    if (x.kind === 'literal') {
      if (x.value !== (y as typeof x).value) return false;
      continue;
    }
    if (x.name !== (y as typeof x).name) return true;
  }
  return false;
}

const STAGE_NAME = /^[a-zA-Z0-9_-]{1,128}$/;

export function validStageName(name: string): boolean {
  return name === '$default' || STAGE_NAME.test(name);
}

const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9_-]{1,140}(:(\$LATEST|[a-zA-Z0-9_-]+))?$/;
const INVOCATION_ARN = /^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/;

/**
 * The Lambda function ARN an integration or authorizer URI names: either the
 * function ARN itself (HTTP APIs accept it) or its invocation ARN.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
export function lambdaArnOf(uri: string): string | undefined {
  const inv = INVOCATION_ARN.exec(uri);
  const arn = inv ? inv[1]! : uri;
  return FUNCTION_ARN.test(arn) ? arn : undefined;
}

/** An absolute http(s) URL, as HTTP_PROXY integrations and quick create take them. */
export function isHttpUrl(uri: string): boolean {
  try {
    const u = new URL(uri);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

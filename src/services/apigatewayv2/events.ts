/**
 * The events an HTTP API sends to Lambda: the proxy integration event in
 * payload formats 2.0 and 1.0, and the REQUEST authorizer event in both
 * formats, shaped exactly as AWS sends them (fields AWS omits are omitted,
 * fields AWS sends as null are null).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
 *
 * Details taken from captured AWS events where the documentation is silent:
 * - the body arrives as text only for text/*, application/json,
 *   application/xml and application/javascript; every other type, including
 *   application/x-www-form-urlencoded and a missing Content-Type, arrives
 *   base64 with isBase64Encoded true;
 * - 2.0 names are lower-case, repeated headers and query values are joined
 *   with ',', the Cookie header moves to `cookies`; empty fields are omitted;
 * - 1.0 keeps the names as sent except the headers API Gateway itself writes
 *   (Host, Content-Length, X-Forwarded-*...), `headers` and
 *   `queryStringParameters` hold the last value, empty fields are null;
 * - API Gateway adds Content-Length, X-Amzn-Trace-Id and X-Forwarded-For/Port/Proto.
 */
import { randomBytes } from 'node:crypto';
import type { AuthorizerEventV1, AuthorizerEventV2, IamIdentity, IdentityV1, ProxyEventV1, ProxyEventV2, RequestContextV1, RequestContextV2 } from './events-types.js';

export type * from './events-types.js';

/** One request as an HTTP API received it. */
export interface ApiRequestFacts {
  method: string;
  /** The percent-decoded path as sent, the stage segment included (2.0 rawPath, 1.0 path). */
  path: string;
  /** The query string as sent, without '?'. */
  rawQuery: string;
  /** Header lines in arrival order, names as sent; see gatewayHeaders for the ones API Gateway adds. */
  headers: [string, string][];
  body: Buffer;
  sourceIp: string;
  /** e.g. HTTP/1.1 */
  protocol: string;
  /** API Gateway's request id (apigw-requestid). */
  requestId: string;
  receivedAt: Date;
  /** The host the client addressed, without the port. */
  domainName: string;
  apiId: string;
  accountId: string;
  stage: string;
}

/** The matched route: its key and (for 1.0) path, and the path parameters. */
export interface RouteFacts {
  routeKey: string;
  pathParameters?: Record<string, string>;
}

/** What an authorizer established, as the integration event reports it. */
export type AuthorizerFacts =
  | { kind: 'jwt'; claims: Record<string, string>; scopes: string[] | null }
  | { kind: 'lambda'; context: Record<string, unknown>; principalId?: string; integrationLatency: number }
  | { kind: 'iam'; iam: IamIdentity };


export interface EventExtras {
  stageVariables?: Record<string, string>;
  authorizer?: AuthorizerFacts;
}

/** Media types whose bodies reach the function as text; everything else is base64. */
const TEXT_TYPES = new Set(['application/json', 'application/xml', 'application/javascript']);

export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return type.startsWith('text/') || TEXT_TYPES.has(type);
}

/** The event's body and isBase64Encoded for a request body. */
export function encodeBody(body: Buffer, contentType: string | undefined): { body?: string; isBase64Encoded: boolean } {
  if (body.length === 0) return { isBase64Encoded: false };
  return isTextContentType(contentType) ? { body: body.toString('utf8'), isBase64Encoded: false } : { body: body.toString('base64'), isBase64Encoded: true };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** `22/Nov/2026:06:01:46 +0000`, the CLF time of requestContext.time / requestTime. */
export function clfTime(d: Date): string {
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** An id in the form of API Gateway's (`Mc7UVioPPHcEKPA=`). */
export function newApiRequestId(): string {
  return `${randomBytes(11).toString('base64url')}=`;
}

/** An X-Amzn-Trace-Id root: `Root=1-<epoch seconds hex>-<96 random bits hex>`. */
export function newTraceId(at: Date): string {
  return `Root=1-${Math.floor(at.getTime() / 1000).toString(16).padStart(8, '0')}-${randomBytes(12).toString('hex')}`;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect', 'content-length']);

/**
 * The headers the integration sees: the client's, without hop-by-hop ones,
 * plus those API Gateway writes. X-Forwarded-For gets the client's address
 * appended; the others replace anything the client sent.
 */
export function gatewayHeaders(raw: [string, string][], info: { sourceIp: string; port: string; proto: string; traceId: string; bodyLength: number }): [string, string][] {
  const out: [string, string][] = [];
  let forwardedFor: string | undefined;
  for (const [name, value] of raw) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || lower === 'x-amzn-trace-id' || lower === 'x-forwarded-port' || lower === 'x-forwarded-proto') continue;
    if (lower === 'x-forwarded-for') {
      forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
      continue;
    }
    out.push([name, value]);
  }
  out.push(['Content-Length', String(info.bodyLength)]);
  out.push(['X-Amzn-Trace-Id', info.traceId]);
  out.push(['X-Forwarded-For', forwardedFor ? `${forwardedFor}, ${info.sourceIp}` : info.sourceIp]);
  out.push(['X-Forwarded-Port', info.port]);
  out.push(['X-Forwarded-Proto', info.proto]);
  return out;
}

/** The first value of a header, by case-insensitive name. */
export function headerValue(headers: [string, string][], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [n, v] of headers) if (n.toLowerCase() === lower) return v;
  return undefined;
}

/** 2.0 headers (lower-case, repeats joined with ',') and cookies (every Cookie header, split at ';'). */
export function headersV2(headers: [string, string][]): { headers: Record<string, string>; cookies: string[] } {
  const out: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (lower === 'cookie') {
      for (const c of value.split(';')) {
        const t = c.trim();
        if (t) cookies.push(t);
      }
      continue;
    }
    out[lower] = out[lower] === undefined ? value : `${out[lower]},${value}`;
  }
  return { headers: out, cookies };
}

/** The names API Gateway writes itself in 1.0 events, whatever case the client used. */
const CANONICAL_V1: Record<string, string> = {
  'content-length': 'Content-Length',
  'content-type': 'Content-Type',
  host: 'Host',
  'user-agent': 'User-Agent',
  'x-amzn-trace-id': 'X-Amzn-Trace-Id',
  'x-forwarded-for': 'X-Forwarded-For',
  'x-forwarded-port': 'X-Forwarded-Port',
  'x-forwarded-proto': 'X-Forwarded-Proto',
};

/** 1.0 headers (the last value of each) and multiValueHeaders, names as sent. */
export function headersV1(headers: [string, string][]): { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> } {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  const nameOf = new Map<string, string>();
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    let key = nameOf.get(lower);
    if (key === undefined) {
      key = CANONICAL_V1[lower] ?? name;
      nameOf.set(lower, key);
      multi[key] = [];
    }
    single[key] = value;
    multi[key]!.push(value);
  }
  return { headers: single, multiValueHeaders: multi };
}

function decodeQueryPart(s: string): string {
  const spaced = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** Query parameters in order, decoded as API Gateway does ('+' is a space). */
export function queryPairs(rawQuery: string): [string, string][] {
  const out: [string, string][] = [];
  if (!rawQuery) return out;
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decodeQueryPart(eq === -1 ? part : part.slice(0, eq));
    out.push([key, eq === -1 ? '' : decodeQueryPart(part.slice(eq + 1))]);
  }
  return out;
}

export function queryV2(rawQuery: string): Record<string, string> | undefined {
  const pairs = queryPairs(rawQuery);
  if (pairs.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of pairs) out[k] = out[k] === undefined ? v : `${out[k]},${v}`;
  return out;
}

export function queryV1(rawQuery: string): { single: Record<string, string> | null; multi: Record<string, string[]> | null } {
  const pairs = queryPairs(rawQuery);
  if (pairs.length === 0) return { single: null, multi: null };
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [k, v] of pairs) {
    single[k] = v;
    (multi[k] ??= []).push(v);
  }
  return { single, multi };
}

function nonEmpty<T extends object>(o: T | undefined): T | undefined {
  return o && Object.keys(o).length > 0 ? o : undefined;
}

function domainPrefix(domainName: string): string {
  return domainName.split('.', 1)[0]!;
}

/** The route's path template for 1.0 `resource` (`$default` for the default route). */
export function resourcePath(routeKey: string): string {
  const space = routeKey.indexOf(' ');
  return space === -1 ? routeKey : routeKey.slice(space + 1);
}

function requestContextV2(req: ApiRequestFacts, routeKey: string, userAgent: string): RequestContextV2 {
  return {
    accountId: req.accountId,
    apiId: req.apiId,
    domainName: req.domainName,
    domainPrefix: domainPrefix(req.domainName),
    http: { method: req.method, path: req.path, protocol: req.protocol, sourceIp: req.sourceIp, userAgent },
    requestId: req.requestId,
    routeKey,
    stage: req.stage,
    time: clfTime(req.receivedAt),
    timeEpoch: req.receivedAt.getTime(),
  };
}

function authorizerV2(a: AuthorizerFacts): NonNullable<RequestContextV2['authorizer']> {
  if (a.kind === 'jwt') return { jwt: { claims: a.claims, scopes: a.scopes } };
  if (a.kind === 'iam') return { iam: a.iam };
  return { lambda: a.context };
}

/** 1.0 follows REST APIs: JWT claims at the top, a Lambda context flattened to strings with principalId (IAM callers fill `identity` instead). */
function authorizerV1(a: Exclude<AuthorizerFacts, { kind: 'iam' }>): Record<string, unknown> {
  if (a.kind === 'jwt') return { claims: a.claims, scopes: a.scopes };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a.context)) out[k] = v === null || v === undefined ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  out.principalId = a.principalId ?? '';
  out.integrationLatency = a.integrationLatency;
  return out;
}

/** The payload format 2.0 proxy event. */
export function buildEventV2(req: ApiRequestFacts, route: RouteFacts, extras: EventExtras = {}): ProxyEventV2 {
  const { headers, cookies } = headersV2(req.headers);
  const context = requestContextV2(req, route.routeKey, headers['user-agent'] ?? '');
  if (extras.authorizer) context.authorizer = authorizerV2(extras.authorizer);
  const body = encodeBody(req.body, headers['content-type']);
  // Filled in AWS's key order, leaving out what AWS leaves out.
  const event = { version: '2.0', routeKey: route.routeKey, rawPath: req.path, rawQueryString: req.rawQuery } as ProxyEventV2;
  if (cookies.length > 0) event.cookies = cookies;
  event.headers = headers;
  const query = queryV2(req.rawQuery);
  if (query) event.queryStringParameters = query;
  event.requestContext = context;
  if (body.body !== undefined) event.body = body.body;
  const params = nonEmpty(route.pathParameters);
  if (params) event.pathParameters = params;
  event.isBase64Encoded = body.isBase64Encoded;
  const vars = nonEmpty(extras.stageVariables);
  if (vars) event.stageVariables = vars;
  return event;
}

function identityV1(req: ApiRequestFacts, userAgent: string): IdentityV1 {
  return {
    accessKey: null,
    accountId: null,
    caller: null,
    cognitoAmr: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp: req.sourceIp,
    user: null,
    userAgent,
    userArn: null,
  };
}

function requestContextV1(req: ApiRequestFacts, routeKey: string, userAgent: string): RequestContextV1 {
  return {
    accountId: req.accountId,
    apiId: req.apiId,
    domainName: req.domainName,
    domainPrefix: domainPrefix(req.domainName),
    extendedRequestId: req.requestId,
    httpMethod: req.method,
    identity: identityV1(req, userAgent),
    path: req.path,
    protocol: req.protocol,
    requestId: req.requestId,
    requestTime: clfTime(req.receivedAt),
    requestTimeEpoch: req.receivedAt.getTime(),
    resourceId: routeKey,
    resourcePath: resourcePath(routeKey),
    stage: req.stage,
  };
}

/** The payload format 1.0 proxy event. */
export function buildEventV1(req: ApiRequestFacts, route: RouteFacts, extras: EventExtras = {}): ProxyEventV1 {
  const { headers, multiValueHeaders } = headersV1(req.headers);
  const query = queryV1(req.rawQuery);
  const userAgent = headerValue(req.headers, 'user-agent') ?? '';
  const context = requestContextV1(req, route.routeKey, userAgent);
  const a = extras.authorizer;
  if (a?.kind === 'iam') Object.assign(context.identity, { accessKey: a.iam.accessKey, accountId: a.iam.accountId, caller: a.iam.callerId, user: a.iam.userId, userArn: a.iam.userArn });
  else if (a) context.authorizer = authorizerV1(a);
  const body = encodeBody(req.body, headerValue(req.headers, 'content-type'));
  return {
    version: '1.0',
    resource: resourcePath(route.routeKey),
    path: req.path,
    httpMethod: req.method,
    headers,
    multiValueHeaders,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    requestContext: context,
    pathParameters: nonEmpty(route.pathParameters) ?? null,
    stageVariables: nonEmpty(extras.stageVariables) ?? null,
    body: body.body ?? null,
    isBase64Encoded: body.isBase64Encoded,
  };
}

/** `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path without its leading slash>` */
export function executeApiArn(region: string, accountId: string, apiId: string, rest: string): string {
  return `arn:aws:execute-api:${region}:${accountId}:${apiId}/${rest}`;
}

/** The REQUEST authorizer event in format 2.0: the request without its body, plus routeArn and the identity values. */
export function buildAuthorizerEventV2(req: ApiRequestFacts, route: RouteFacts, routeArn: string, identitySource: string[], extras: EventExtras = {}): AuthorizerEventV2 {
  const { headers, cookies } = headersV2(req.headers);
  const event = { version: '2.0', type: 'REQUEST', routeArn, identitySource, routeKey: route.routeKey, rawPath: req.path, rawQueryString: req.rawQuery } as AuthorizerEventV2;
  if (cookies.length > 0) event.cookies = cookies;
  event.headers = headers;
  const query = queryV2(req.rawQuery);
  if (query) event.queryStringParameters = query;
  event.requestContext = requestContextV2(req, route.routeKey, headers['user-agent'] ?? '');
  const params = nonEmpty(route.pathParameters);
  if (params) event.pathParameters = params;
  const vars = nonEmpty(extras.stageVariables);
  if (vars) event.stageVariables = vars;
  return event;
}

/** The REQUEST authorizer event in format 1.0 (REST-compatible): methodArn, and the identity values joined with ','. */
export function buildAuthorizerEventV1(req: ApiRequestFacts, route: RouteFacts, routeArn: string, identitySource: string[], extras: EventExtras = {}): AuthorizerEventV1 {
  const full = buildEventV1(req, route, { ...(extras.stageVariables ? { stageVariables: extras.stageVariables } : {}) });
  const joined = identitySource.join(',');
  return {
    version: '1.0',
    type: 'REQUEST',
    methodArn: routeArn,
    identitySource: joined,
    authorizationToken: joined,
    resource: full.resource,
    path: full.path,
    httpMethod: full.httpMethod,
    headers: full.headers,
    multiValueHeaders: full.multiValueHeaders,
    queryStringParameters: full.queryStringParameters,
    multiValueQueryStringParameters: full.multiValueQueryStringParameters,
    pathParameters: full.pathParameters,
    stageVariables: full.stageVariables,
    requestContext: full.requestContext,
  };
}

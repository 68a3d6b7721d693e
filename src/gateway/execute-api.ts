/**
 * The HTTP API data plane: what `https://<apiId>.execute-api.<region>.amazonaws.com`
 * does on AWS, served at `http://<apiId>.execute-api.localhost:<port>/...` and,
 * where wildcard names do not resolve, at `http://<host>:<port>/_stratus/execute-api/<apiId>/...`.
 *
 * The chain, in AWS's order: the API (404 when unknown; 403 when its default
 * endpoint is disabled) → the stage (a first path segment naming one, else
 * `$default`) → CORS preflight when configured → the route (404
 * {"message":"Not Found"}) → throttling (429) → the route's authorizer (JWT
 * or Lambda REQUEST) → the integration: AWS_PROXY invokes the function as
 * apigateway.amazonaws.com, which its resource policy must allow for
 * `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<route path>`
 * (`<stage>/$default` for the default route), or the function is not invoked
 * and the answer is 500; HTTP_PROXY forwards the request. A function error or
 * a malformed result is 500 {"message":"Internal Server Error"}, a throttled
 * function 429 {"message":"Too Many Requests"}, an integration slower than
 * TimeoutInMillis (at most 30 s) 503 {"message":"Service Unavailable"}.
 * Every answer carries `apigw-requestid`.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-lambda.html
 */
import type { IncomingMessage } from 'node:http';
import { isServiceError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Authorizer } from '../identity/authorizer.js';
import type { Credentials } from '../identity/credentials.js';
import type { HttpRequest, HttpResponse } from '../protocol/types.js';
import { lambdaArnOf, PATH_STYLE_PREFIX, routeIntegrationId, type ApiGatewayV2Service, type AuthorizerRecord, type HttpApiRuntime, type IntegrationRecord, type RouteRecord, type StageSnapshot } from '../services/apigatewayv2/index.js';
import { AuthorizerCache, authorizeJwt, authorizeLambda, JwksCache, selectIdentity, type AuthDecision, type IdentityView } from '../services/apigatewayv2/authorizers-runtime.js';
import {
  buildAuthorizerEventV1,
  buildAuthorizerEventV2,
  buildEventV1,
  buildEventV2,
  executeApiArn,
  gatewayHeaders,
  newApiRequestId,
  newTraceId,
  queryV2,
  resourcePath,
  type ApiRequestFacts,
  type AuthorizerFacts,
} from '../services/apigatewayv2/events.js';
import { FORBIDDEN, gatewayError, INTERNAL_ERROR, mapResponseV1, mapResponseV2, NOT_FOUND, SERVICE_UNAVAILABLE, TOO_MANY_REQUESTS, type MappedResponse } from '../services/apigatewayv2/responses.js';
import { decodePath, RouteTable, type RouteMatch } from '../services/apigatewayv2/routing.js';
import type { LambdaService } from '../services/lambda/index.js';
import { authenticateRequest } from './authenticate.js';
import { applyCors, isPreflight, preflightHeaders, Throttle } from './execute-api-cors.js';
import { forward } from './execute-api-http.js';
import { bufferBody } from './http.js';
import type { ServiceRegistry } from './registry.js';

export interface ExecuteApiOptions {
  registry: ServiceRegistry;
  log: Logger;
  /** For AWS_IAM routes: the keys SigV4 signatures are checked with, and the IAM policy evaluation. */
  credentials?: Credentials;
  authorizer?: Authorizer;
}

export interface ExecuteApiTarget {
  apiId: string;
  /** The path after the API's base, as sent (still percent-encoded). */
  rawPath: string;
}

const HOST = /^([a-z0-9]+)\.execute-api(?:\.[a-z0-9-]+)?\.localhost$/;
/** HTTP APIs take at most 10 MB of payload. */
const MAX_PAYLOAD = 10 * 1024 * 1024;
const MAX_INTEGRATION_TIMEOUT_MS = 30_000;
const AUTHORIZER_TIMEOUT_MS = 10_000;
const APIGATEWAY = 'apigateway.amazonaws.com';

/** The API a request addresses, by host or by the path-style prefix; undefined for any other request. Cheap: runs on every request. */
export function executeApiTarget(req: HttpRequest): ExecuteApiTarget | undefined {
  if (req.hostname.includes('.execute-api')) {
    const m = HOST.exec(req.hostname);
    if (m) return { apiId: m[1]!, rawPath: req.rawPath || '/' };
  }
  if (req.rawPath.startsWith(PATH_STYLE_PREFIX)) {
    const rest = req.rawPath.slice(PATH_STYLE_PREFIX.length);
    const slash = rest.indexOf('/');
    const apiId = slash === -1 ? rest : rest.slice(0, slash);
    if (/^[a-z0-9]+$/.test(apiId)) return { apiId, rawPath: slash === -1 ? '/' : rest.slice(slash) };
  }
  return undefined;
}

/** What one runtime (one DocumentStore) keeps between requests. */
interface PlaneState {
  tables: WeakMap<StageSnapshot, RouteTable<RouteRecord>>;
  throttle: Throttle;
  jwks: JwksCache;
  authorizers: AuthorizerCache;
}
const states = new WeakMap<HttpApiRuntime, PlaneState>();

function stateOf(runtime: HttpApiRuntime): PlaneState {
  let s = states.get(runtime);
  if (!s) states.set(runtime, (s = { tables: new WeakMap(), throttle: new Throttle(), jwks: new JwksCache(), authorizers: new AuthorizerCache() }));
  return s;
}

export interface RequestInfo {
  receivedAt: Date;
  sourceIp: string;
}

/** Serves one request to an HTTP API; never throws for anything the client sent. */
export async function serveExecuteApi(opts: ExecuteApiOptions, nodeReq: IncomingMessage, req: HttpRequest, target: ExecuteApiTarget, info: RequestInfo): Promise<HttpResponse> {
  const requestId = newApiRequestId();
  let response: MappedResponse;
  try {
    response = await handle(opts, nodeReq, req, target, info, requestId);
  } catch (err) {
    opts.log.error('HTTP API request failed', { err, apiId: target.apiId, requestId });
    response = INTERNAL_ERROR();
  }
  response.headers['apigw-requestid'] = requestId;
  return { status: response.status, headers: response.headers, body: response.body };
}

async function handle(opts: ExecuteApiOptions, nodeReq: IncomingMessage, req: HttpRequest, target: ExecuteApiTarget, info: RequestInfo, requestId: string): Promise<MappedResponse> {
  const service = opts.registry.get('apigatewayv2')?.def as ApiGatewayV2Service | undefined;
  const lambda = opts.registry.get('lambda')?.def as LambdaService | undefined;
  const runtime = service?.runtime;
  if (!runtime) return discard(req, NOT_FOUND());
  const api = await runtime.getApi(target.apiId);
  if (!api) return discard(req, NOT_FOUND());
  if (api.disableExecuteApiEndpoint) return discard(req, FORBIDDEN());
  const state = stateOf(runtime);

  const path = decodePath(target.rawPath);
  const first = path.split('/', 2)[1];
  let snapshot = first && first !== '$default' ? await runtime.getStageSnapshot(api.apiId, first) : undefined;
  let stagePath = path;
  let rawStagePath = target.rawPath;
  if (snapshot) {
    stagePath = path.slice(first!.length + 1) || '/';
    const cut = target.rawPath.indexOf('/', 1);
    rawStagePath = cut === -1 ? '/' : target.rawPath.slice(cut);
  }
  snapshot ??= await runtime.getStageSnapshot(api.apiId, '$default');
  if (!snapshot) return discard(req, NOT_FOUND());

  const cors = snapshot.corsConfiguration;
  if (cors && isPreflight(req.method, req.headers)) return discard(req, { status: 204, headers: preflightHeaders(cors, req.headers), body: Buffer.alloc(0) });

  let table = state.tables.get(snapshot);
  if (!table) state.tables.set(snapshot, (table = new RouteTable(snapshot.routes)));
  const match = table.match(req.method, stagePath);
  const finish = (r: MappedResponse): MappedResponse => {
    if (cors) applyCors(cors, req.headers['origin'], r.headers);
    return r;
  };
  if (!match) return discard(req, finish(NOT_FOUND()));
  const route = match.route;
  const stageName = snapshot.stage.stageName;

  const limits = Throttle.settingsFor(snapshot.stage, route.routeKey);
  if (limits && !state.throttle.take(`${api.apiId}/${stageName}/${route.routeKey}`, limits)) return discard(req, finish(TOO_MANY_REQUESTS()));

  let body: Buffer;
  try {
    body = await bufferBody(req.body, MAX_PAYLOAD);
  } catch {
    return finish(gatewayError(413, 'Request Entity Too Large'));
  }
  const facts: ApiRequestFacts = {
    method: req.method,
    path,
    rawQuery: req.rawQuery,
    headers: gatewayHeaders(rawHeaderPairs(nodeReq), { sourceIp: info.sourceIp, port: String(nodeReq.socket.localPort ?? ''), proto: 'http', traceId: newTraceId(info.receivedAt), bodyLength: body.length }),
    body,
    sourceIp: info.sourceIp,
    protocol: `HTTP/${nodeReq.httpVersion}`,
    requestId,
    receivedAt: info.receivedAt,
    domainName: req.hostname,
    apiId: api.apiId,
    accountId: api.accountId,
    stage: stageName,
  };
  const ctx: Call = { opts, req, lambda, snapshot, state, facts, match, stagePath, rawStagePath };

  const auth = await authorize(ctx, route);
  if (!auth.allow) return finish(auth.response);

  const integrationId = routeIntegrationId(route);
  const integration = integrationId ? snapshot.integrations.find((i) => i.integrationId === integrationId) : undefined;
  if (!integration) return finish(NOT_FOUND());
  const result = integration.integrationType === 'HTTP_PROXY' ? await httpProxy(ctx, integration) : await lambdaProxy(ctx, integration, auth.facts);
  return finish(result);
}

interface Call {
  opts: ExecuteApiOptions;
  req: HttpRequest;
  lambda: LambdaService | undefined;
  snapshot: StageSnapshot;
  state: PlaneState;
  facts: ApiRequestFacts;
  match: RouteMatch<RouteRecord>;
  /** The decoded path within the stage. */
  stagePath: string;
  /** The same, still percent-encoded. */
  rawStagePath: string;
}

/** Lets the connection be reused when a request is answered without reading its body. */
function discard(req: HttpRequest, r: MappedResponse): MappedResponse {
  if (!Buffer.isBuffer(req.body) && !req.body.readableEnded) req.body.resume();
  return r;
}

function rawHeaderPairs(nodeReq: IncomingMessage): [string, string][] {
  const raw = nodeReq.rawHeaders;
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

/** The route ARN a Lambda authorizer's policy is checked against: the request's method and path. */
function routeArn(c: Call): string {
  const { api } = c.snapshot;
  return executeApiArn(api.region, api.accountId, api.apiId, `${c.facts.stage}/${c.facts.method}/${c.stagePath.replace(/^\//, '')}`);
}

/** The SourceArn API Gateway invokes an integration with: the stage, the method and the route's path. */
export function integrationSourceArn(region: string, accountId: string, apiId: string, stage: string, method: string, routeKey: string): string {
  return executeApiArn(region, accountId, apiId, routeKey === '$default' ? `${stage}/$default` : `${stage}/${method}${resourcePath(routeKey)}`);
}

async function authorize(c: Call, route: RouteRecord): Promise<AuthDecision | { allow: true; facts?: undefined }> {
  const type = route.authorizationType;
  if (type === 'NONE' || !type) return { allow: true };
  if (type === 'AWS_IAM') return authorizeIam(c);
  const authorizer = c.snapshot.authorizers.find((a) => a.authorizerId === route.authorizerId);
  if (!authorizer) return { allow: false, response: INTERNAL_ERROR() };
  const view = identityView(c);
  if (authorizer.authorizerType === 'JWT') {
    const token = selectIdentity(authorizer.identitySource[0] ?? '$request.header.Authorization', view);
    return authorizeJwt({ authorizer, token, scopes: route.authorizationScopes ?? [], jwks: c.state.jwks });
  }
  const { api } = c.snapshot;
  const arn = routeArn(c);
  const v1 = authorizer.authorizerPayloadFormatVersion === '1.0';
  const extras = { stageVariables: c.snapshot.stage.stageVariables };
  const routeFacts = routeFactsOf(c);
  return authorizeLambda({
    authorizer,
    apiId: api.apiId,
    view,
    routeArn: arn,
    accountId: api.accountId,
    event: (identity) => (v1 ? buildAuthorizerEventV1(c.facts, routeFacts, arn, identity, extras) : buildAuthorizerEventV2(c.facts, routeFacts, arn, identity, extras)),
    invoke: (event) => invokeAuthorizer(c, authorizer, event),
    cache: c.state.authorizers,
  });
}

/**
 * AWS_IAM: the request must be SigV4-signed (service execute-api) by a
 * principal whose policies allow execute-api:Invoke on the route ARN;
 * anything else is 403 {"message":"Forbidden"}.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control-iam.html
 */
async function authorizeIam(c: Call): Promise<AuthDecision> {
  const { credentials, authorizer } = c.opts;
  if (!credentials || !authorizer) return { allow: false, response: FORBIDDEN() };
  let principal;
  try {
    principal = (await authenticateRequest({ ...c.req, body: c.facts.body }, 'json', credentials, c.facts.receivedAt)).principal;
  } catch {
    return { allow: false, response: FORBIDDEN() };
  }
  const { api } = c.snapshot;
  const result = await authorizer.authorize({
    principal,
    action: 'execute-api:Invoke',
    resources: [routeArn(c)],
    resourceAccountId: api.accountId,
    context: { 'aws:SourceIp': c.facts.sourceIp, 'aws:SecureTransport': 'false', 'aws:RequestedRegion': api.region, 'aws:UserAgent': c.req.headers['user-agent'] },
  });
  if (!result.allowed) return { allow: false, response: FORBIDDEN() };
  const accountId = principal.accountId;
  return {
    allow: true,
    facts: { kind: 'iam', iam: { accessKey: principal.accessKeyId ?? '', accountId, callerId: principal.userId, cognitoIdentity: null, principalOrgId: null, userArn: principal.arn, userId: principal.userId } },
  };
}

async function invokeAuthorizer(c: Call, authorizer: AuthorizerRecord, event: unknown): Promise<Buffer | undefined> {
  const fn = authorizer.functionArn ?? lambdaArnOf(authorizer.authorizerUri ?? '');
  if (!fn || !c.lambda) return undefined;
  const { api } = c.snapshot;
  const source = { servicePrincipal: APIGATEWAY, sourceArn: executeApiArn(api.region, api.accountId, api.apiId, `authorizers/${authorizer.authorizerId}`), sourceAccount: api.accountId };
  const outcome = await withTimeout(c.lambda.invokeAsService(fn, Buffer.from(JSON.stringify(event)), source, c.facts.requestId), AUTHORIZER_TIMEOUT_MS).catch((err: unknown) => {
    c.opts.log.debug('Lambda authorizer invocation failed', { err, authorizer: authorizer.authorizerId });
    return undefined;
  });
  if (!outcome || outcome === TIMED_OUT || outcome.functionError) return undefined;
  return outcome.payload;
}

function identityView(c: Call): IdentityView {
  const headers = new Map<string, string>();
  for (const [name, value] of c.facts.headers) {
    const lower = name.toLowerCase();
    const prev = headers.get(lower);
    headers.set(lower, prev === undefined ? value : `${prev},${value}`);
  }
  let query: Record<string, string> | undefined;
  const vars = c.snapshot.stage.stageVariables ?? {};
  const context: Record<string, string> = {
    accountId: c.facts.accountId,
    apiId: c.facts.apiId,
    domainName: c.facts.domainName,
    httpMethod: c.facts.method,
    path: c.facts.path,
    protocol: c.facts.protocol,
    requestId: c.facts.requestId,
    routeKey: c.match.route.routeKey,
    stage: c.facts.stage,
    'identity.sourceIp': c.facts.sourceIp,
  };
  return {
    header: (name) => headers.get(name.toLowerCase()),
    query: (name) => (query ??= queryV2(c.facts.rawQuery) ?? {})[name],
    stageVariable: (name) => vars[name],
    context: (name) => context[name],
  };
}

function routeFactsOf(c: Call) {
  return c.match.pathParameters ? { routeKey: c.match.route.routeKey, pathParameters: c.match.pathParameters } : { routeKey: c.match.route.routeKey };
}

const TIMED_OUT = Symbol('timed out');

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function integrationTimeout(integration: IntegrationRecord): number {
  return Math.min(Math.max(integration.timeoutInMillis || MAX_INTEGRATION_TIMEOUT_MS, 50), MAX_INTEGRATION_TIMEOUT_MS);
}

async function lambdaProxy(c: Call, integration: IntegrationRecord, authorizer: AuthorizerFacts | undefined): Promise<MappedResponse> {
  const fn = integration.functionArn ?? lambdaArnOf(integration.integrationUri);
  if (!fn || !c.lambda) return INTERNAL_ERROR();
  const { api, stage } = c.snapshot;
  const extras = { stageVariables: stage.stageVariables, ...(authorizer ? { authorizer } : {}) };
  const v1 = integration.payloadFormatVersion === '1.0';
  const event = v1 ? buildEventV1(c.facts, routeFactsOf(c), extras) : buildEventV2(c.facts, routeFactsOf(c), extras);
  const source = { servicePrincipal: APIGATEWAY, sourceArn: integrationSourceArn(api.region, api.accountId, api.apiId, c.facts.stage, c.facts.method, c.match.route.routeKey), sourceAccount: api.accountId };

  let outcome;
  try {
    outcome = await withTimeout(c.lambda.invokeAsService(fn, Buffer.from(JSON.stringify(event)), source, c.facts.requestId), integrationTimeout(integration));
  } catch (err) {
    if (isServiceError(err) && err.status === 429) return TOO_MANY_REQUESTS();
    c.opts.log.debug('Lambda integration failed', { err, function: fn });
    return INTERNAL_ERROR();
  }
  if (outcome === TIMED_OUT) return SERVICE_UNAVAILABLE();
  if (!outcome) {
    c.opts.log.warn(`API Gateway is not allowed to invoke ${fn} for ${source.sourceArn}; add a permission for ${APIGATEWAY} to the function's policy`, { apiId: api.apiId });
    return INTERNAL_ERROR();
  }
  if (outcome.functionError) return INTERNAL_ERROR();
  return (v1 ? mapResponseV1(outcome.payload) : mapResponseV2(outcome.payload)) ?? INTERNAL_ERROR();
}

function httpProxy(c: Call, integration: IntegrationRecord): Promise<MappedResponse> {
  return forward({
    integrationUri: integration.integrationUri,
    ...(integration.integrationMethod ? { integrationMethod: integration.integrationMethod } : {}),
    method: c.facts.method,
    rawStagePath: c.rawStagePath,
    rawQuery: c.facts.rawQuery,
    isDefaultRoute: c.match.route.routeKey === '$default',
    ...(c.match.pathParameters ? { pathParameters: c.match.pathParameters } : {}),
    stageVariables: c.snapshot.stage.stageVariables ?? {},
    headers: c.facts.headers,
    body: c.facts.body,
    timeoutMs: integrationTimeout(integration),
  });
}


/**
 * The function URL data plane: what `https://<url-id>.lambda-url.<region>.on.aws`
 * does on AWS, served at `http://<url-id>.lambda-url.<region>.localhost:<port>/...`
 * and at `<endpoint>/_stratus/lambda-url/<url-id>/...`.
 *
 * The chain: the URL (an unknown url-id is 403 {"Message":"Forbidden"}) →
 * CORS preflight, answered by Lambda when the URL has a Cors configuration
 * (without one the OPTIONS request reaches the function) → authorization by
 * AuthType:
 * - NONE: the function's (or alias's) resource policy must allow
 *   lambda:InvokeFunctionUrl to "*" with lambda:FunctionUrlAuthType = NONE,
 *   which CreateFunctionUrlConfig does not add (only the console does);
 * - AWS_IAM: the request must be SigV4-signed (service `lambda`) by a
 *   principal allowed lambda:InvokeFunctionUrl by its identity policies or
 *   the resource policy;
 * otherwise 403 {"Message":"Forbidden"} → the payload 2.0 event (apiId and
 * domainPrefix the url-id, routeKey and stage `$default`, accountId
 * "anonymous" for NONE) → the 2.0 response rules. A function error or a
 * malformed result is 502 "Internal Server Error", a throttled function 429.
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html#urls-cors
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Principal } from '../core/context.js';
import { isServiceError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Authorizer } from '../identity/authorizer.js';
import type { Credentials } from '../identity/credentials.js';
import { compilePolicy, evaluate } from '../identity/policy/index.js';
import type { HttpRequest, HttpResponse } from '../protocol/types.js';
import type { CorsRecord } from '../services/apigatewayv2/index.js';
import { buildEventV2, gatewayHeaders, newTraceId, type ApiRequestFacts, type AuthorizerFacts } from '../services/apigatewayv2/events.js';
import { mapResponseV2, type MappedResponse } from '../services/apigatewayv2/responses.js';
import { decodePath } from '../services/apigatewayv2/routing.js';
import { URL_PATH_PREFIX, urlFunctionArn, type FunctionUrlRecord, type LambdaService, type UrlCors } from '../services/lambda/index.js';
import { authenticateRequest } from './authenticate.js';
import { applyCors, isPreflight, preflightHeaders } from './execute-api-cors.js';
import type { RequestInfo } from './execute-api.js';
import { bufferBody } from './http.js';
import type { ServiceRegistry } from './registry.js';

export interface FunctionUrlOptions {
  registry: ServiceRegistry;
  log: Logger;
  credentials: Credentials;
  authorizer: Authorizer;
}

export interface FunctionUrlTarget {
  urlId: string;
  /** The path after the URL's base, as sent (still percent-encoded). */
  rawPath: string;
}

const HOST = /^([a-z0-9]{32})\.lambda-url(?:\.[a-z0-9-]+)?\.localhost$/;
const URL_ID = /^[a-z0-9]{32}$/;
/** Function URLs take at most 6 MB of request payload, as synchronous Invoke. */
const MAX_PAYLOAD = 6 * 1024 * 1024;

/** The function URL a request addresses, by host or by the path-style prefix; undefined for anything else. Cheap: runs on every request. */
export function functionUrlTarget(req: HttpRequest): FunctionUrlTarget | undefined {
  if (req.hostname.includes('.lambda-url')) {
    const m = HOST.exec(req.hostname);
    if (m) return { urlId: m[1]!, rawPath: req.rawPath || '/' };
  }
  if (req.rawPath.startsWith(URL_PATH_PREFIX)) {
    const rest = req.rawPath.slice(URL_PATH_PREFIX.length);
    const slash = rest.indexOf('/');
    const urlId = slash === -1 ? rest : rest.slice(0, slash);
    if (URL_ID.test(urlId)) return { urlId, rawPath: slash === -1 ? '/' : rest.slice(slash) };
  }
  return undefined;
}

const message = (status: number, text: string): MappedResponse => ({ status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ Message: text })) });
const FORBIDDEN = () => message(403, 'Forbidden');
const THROTTLED = () => message(429, 'Rate Exceeded.');
const BAD_GATEWAY = (): MappedResponse => ({ status: 502, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from('Internal Server Error') });

/** Serves one request to a function URL; never throws for anything the client sent. */
export async function serveFunctionUrl(opts: FunctionUrlOptions, nodeReq: IncomingMessage, req: HttpRequest, target: FunctionUrlTarget, info: RequestInfo): Promise<HttpResponse> {
  const requestId = randomUUID();
  let response: MappedResponse;
  try {
    response = await handle(opts, nodeReq, req, target, info, requestId);
  } catch (err) {
    opts.log.error('function URL request failed', { err, urlId: target.urlId, requestId });
    response = BAD_GATEWAY();
  }
  if (!Buffer.isBuffer(req.body) && !req.body.readableEnded) req.body.resume();
  response.headers['x-amzn-requestid'] = requestId;
  return { status: response.status, headers: response.headers, body: response.body };
}

function corsRecord(c: UrlCors): CorsRecord {
  const out: CorsRecord = {};
  if (c.AllowOrigins) out.allowOrigins = c.AllowOrigins;
  if (c.AllowMethods) out.allowMethods = c.AllowMethods;
  if (c.AllowHeaders) out.allowHeaders = c.AllowHeaders;
  if (c.ExposeHeaders) out.exposeHeaders = c.ExposeHeaders;
  if (c.MaxAge !== undefined) out.maxAge = c.MaxAge;
  if (c.AllowCredentials !== undefined) out.allowCredentials = c.AllowCredentials;
  return out;
}

async function handle(opts: FunctionUrlOptions, nodeReq: IncomingMessage, req: HttpRequest, target: FunctionUrlTarget, info: RequestInfo, requestId: string): Promise<MappedResponse> {
  const lambda = opts.registry.get('lambda')?.def as LambdaService | undefined;
  const url = lambda ? await lambda.functionUrl(target.urlId) : undefined;
  if (!lambda || !url) return FORBIDDEN();

  const cors = url.cors ? corsRecord(url.cors) : undefined;
  if (cors && isPreflight(req.method, req.headers)) return { status: 200, headers: preflightHeaders(cors, req.headers), body: Buffer.alloc(0) };
  const finish = (r: MappedResponse): MappedResponse => {
    if (cors) applyCors(cors, req.headers['origin'], r.headers);
    return r;
  };

  let body: Buffer;
  try {
    body = await bufferBody(req.body, MAX_PAYLOAD);
  } catch {
    return finish(message(413, 'Request must be smaller than 6291456 bytes for the InvokeFunction operation'));
  }
  const arn = urlFunctionArn(url);
  const auth = url.authType === 'AWS_IAM' ? await authorizeIam(opts, lambda, url, arn, req, body, info) : await allowsPublic(lambda, url, arn);
  if (!auth.allow) return finish(FORBIDDEN());

  const domainName = `${url.urlId}.lambda-url.${url.region}.localhost`;
  const facts: ApiRequestFacts = {
    method: req.method,
    path: decodePath(target.rawPath),
    rawQuery: req.rawQuery,
    headers: gatewayHeaders(rawHeaderPairs(nodeReq), { sourceIp: info.sourceIp, port: String(nodeReq.socket.localPort ?? ''), proto: 'http', traceId: newTraceId(info.receivedAt), bodyLength: body.length }),
    body,
    sourceIp: info.sourceIp,
    protocol: `HTTP/${nodeReq.httpVersion}`,
    requestId,
    receivedAt: info.receivedAt,
    domainName,
    apiId: url.urlId,
    accountId: auth.facts ? url.accountId : 'anonymous',
    stage: '$default',
  };
  const event = buildEventV2(facts, { routeKey: '$default' }, auth.facts ? { authorizer: auth.facts } : {});
  // AWS reports the url-id as the domain prefix whatever host was used (path-style included).
  (event.requestContext as unknown as Record<string, unknown>).domainPrefix = url.urlId;

  let outcome;
  try {
    outcome = await lambda.invokeForUrl(arn, Buffer.from(JSON.stringify(event)), requestId);
  } catch (err) {
    if (isServiceError(err) && err.status === 429) return finish(THROTTLED());
    opts.log.debug('function URL invocation failed', { err, function: arn });
    return finish(BAD_GATEWAY());
  }
  if (outcome.functionError) return finish(BAD_GATEWAY());
  return finish(mapResponseV2(outcome.payload) ?? BAD_GATEWAY());
}

type UrlAuth = { allow: false } | { allow: true; facts?: AuthorizerFacts };

/** AuthType NONE: the resource policy must let anyone invoke the URL. */
async function allowsPublic(lambda: LambdaService, url: FunctionUrlRecord, arn: string): Promise<UrlAuth> {
  const doc = await lambda.urlPolicy(arn);
  if (!doc) return { allow: false };
  const decision = evaluate(
    {
      principal: { type: 'anonymous', arn: '*', accountId: '' },
      action: 'lambda:InvokeFunctionUrl',
      resource: arn,
      resourceAccountId: url.accountId,
      context: { 'lambda:FunctionUrlAuthType': 'NONE' },
    },
    { resource: compilePolicy(doc) },
  );
  return { allow: decision.decision === 'Allow' };
}

/** AuthType AWS_IAM: a SigV4 signature (service lambda) of a caller allowed lambda:InvokeFunctionUrl. */
async function authorizeIam(opts: FunctionUrlOptions, lambda: LambdaService, url: FunctionUrlRecord, arn: string, req: HttpRequest, body: Buffer, info: RequestInfo): Promise<UrlAuth> {
  let principal: Principal;
  try {
    principal = (await authenticateRequest({ ...req, body }, 'json', opts.credentials, info.receivedAt)).principal;
  } catch {
    return { allow: false };
  }
  if (principal.type === 'anonymous') return { allow: false };
  const result = await opts.authorizer.authorize({
    principal,
    action: 'lambda:InvokeFunctionUrl',
    resources: [arn],
    resourceAccountId: url.accountId,
    context: { 'aws:SourceIp': info.sourceIp, 'aws:SecureTransport': 'false', 'aws:RequestedRegion': url.region, 'aws:UserAgent': req.headers['user-agent'], 'lambda:FunctionUrlAuthType': 'AWS_IAM' },
    resourcePolicy: (a) => lambda.urlPolicy(a),
  });
  if (!result.allowed) return { allow: false };
  return {
    allow: true,
    facts: { kind: 'iam', iam: { accessKey: principal.accessKeyId ?? '', accountId: principal.accountId, callerId: principal.userId, cognitoIdentity: null, principalOrgId: null, userArn: principal.arn, userId: principal.userId } },
  };
}

function rawHeaderPairs(nodeReq: IncomingMessage): [string, string][] {
  const raw = nodeReq.rawHeaders;
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

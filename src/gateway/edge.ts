/**
 * The single edge port, as one ordered chain a reader can follow from socket
 * to provider:
 *   internal routes → detect service → (virtual-host rewrite) → buffer body
 *   → authenticate (SigV4) → resolve operation → parse → authorize (IAM)
 *   → provider → serialize.
 * Every failure on the way is written in the detected service's own error
 * format; nothing a client sends can crash the process.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { RequestContext } from '../core/context.js';
import { notImplemented, ServiceError } from '../core/errors.js';
import { requestId as newRequestId } from '../core/ids.js';
import { deferredLogger, type Logger } from '../core/logger.js';
import type { Authorizer } from '../identity/authorizer.js';
import type { Credentials } from '../identity/credentials.js';
import { unknownOperationError } from '../protocol/index.js';
import type { HttpRequest, HttpResponse } from '../protocol/types.js';
import { authenticateRequest } from './authenticate.js';
import { detectService } from './detect.js';
import { executeApiTarget, serveExecuteApi } from './execute-api.js';
import { functionUrlTarget, serveFunctionUrl } from './function-url.js';
import { bufferBody, toHttpRequest, writeResponse } from './http.js';
import { applyS3Cors, isS3WebCandidate, serveS3Web } from './s3-web.js';
import type { RegisteredService, ServiceRegistry } from './registry.js';

export interface EdgeOptions {
  registry: ServiceRegistry;
  credentials: Credentials;
  authorizer: Authorizer;
  log: Logger;
  /** The account that owns what anonymous requests reach. */
  accountId: string;
  /** The default region for unsigned requests (S3 anonymous, websites). */
  region: string;
  /** The public base URL, e.g. http://127.0.0.1:4566 */
  endpoint: () => string;
  /** Routes under /_stratus/ (health, reset); undefined when the path is not one. */
  internal: (req: HttpRequest, ctx: { requestId: string }) => Promise<HttpResponse | undefined>;
}

export function createEdge(opts: EdgeOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (nodeReq, res) => {
    handle(opts, nodeReq, res).catch((err) => {
      // Only reached when writing the response itself failed (client gone, stream error).
      opts.log.debug('response aborted', { err });
      if (!res.headersSent) {
        res.writeHead(500);
        res.end();
      } else res.destroy();
    });
  };
}

async function handle(opts: EdgeOptions, nodeReq: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = newRequestId();
  const receivedAt = new Date();
  const req = toHttpRequest(nodeReq);
  const head = req.method === 'HEAD';

  if (req.rawPath.startsWith('/_stratus/')) {
    const response = await opts.internal(req, { requestId }).catch((err) => internalError(err, requestId));
    if (response) return writeResponse(res, response, head);
  }
  // HTTP APIs (<apiId>.execute-api hosts and /_stratus/execute-api/<apiId>/) are a data plane of their own.
  const api = executeApiTarget(req);
  if (api) return writeResponse(res, await serveExecuteApi(opts, nodeReq, req, api, { receivedAt, sourceIp: clientIp(nodeReq) }), head);
  // Function URLs (<url-id>.lambda-url hosts and /_stratus/lambda-url/<url-id>/) likewise.
  const url = functionUrlTarget(req);
  if (url) return writeResponse(res, await serveFunctionUrl(opts, nodeReq, req, url, { receivedAt, sourceIp: clientIp(nodeReq) }), head);
  // S3 websites, CORS preflights and browser POST uploads are not signed API calls.
  if (isS3WebCandidate(req)) {
    const response = await serveS3Web(opts, req, { requestId, receivedAt, sourceIp: clientIp(nodeReq) });
    if (response) return writeResponse(res, response, head);
  }

  // Query-protocol calls may name their service only by the Action in a form body.
  if ((req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    try {
      req.body = await bufferBody(req.body);
    } catch (err) {
      return writeResponse(res, internalError(err, requestId), head);
    }
  }
  const detection = detectService(req, opts.registry);
  if (detection.kind !== 'service') {
    // Only an execute-api host that executeApiTarget refused, or nothing routable at all.
    return writeResponse(res, { status: 501, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Not implemented' }) }, head);
  }
  const service = detection.service;
  // Virtual-hosted S3 is served path-style, but verified against the path the client signed.
  const virtual = detection.bucket ? { bucket: detection.bucket, path: `/${detection.bucket}${req.rawPath === '/' ? '' : req.rawPath}` } : undefined;
  if (req.headers['origin'] !== undefined && service === opts.registry.s3) await applyS3Cors(service, virtual ? { ...req, rawPath: virtual.path } : req, res);

  let operation: string | undefined;
  // Most requests never log; the request's child logger is made only when one does.
  const log = deferredLogger(opts.log.level, () => opts.log.child({ requestId, service: service.def.name }));
  try {
    const response = await serve(opts, service, req, requestId, receivedAt, log, clientIp(nodeReq), (op) => (operation = op), virtual);
    if (opts.log.level === 'debug') log.debug('request', { operation, status: response.status, ms: Date.now() - receivedAt.getTime() });
    // A buffered response is written at once; only a streamed one has to be waited for.
    const streaming = writeResponse(res, response, head);
    if (streaming) await streaming;
  } catch (err) {
    if (!(err instanceof ServiceError)) log.error('unexpected failure', { operation, err });
    else if (opts.log.level === 'debug') log.debug('request failed', { operation, code: err.code, status: err.status });
    drain(req.body);
    const response = service.codec.serializeError(err, operation, { requestId });
    await writeResponse(res, response, head);
  }
}

async function serve(
  opts: EdgeOptions,
  service: RegisteredService,
  req: HttpRequest,
  requestId: string,
  receivedAt: Date,
  log: Logger,
  sourceIp: string,
  setOperation: (op: string) => void,
  virtual?: { bucket: string; path: string },
): Promise<HttpResponse> {
  const { codec, def } = service;
  // REST operations with a streaming payload keep the body as a stream; everything else is buffered
  // first, because the signature covers it and the query protocol's Action lives in it.
  const early = codec.protocol.startsWith('rest') ? codec.resolveOperation(virtual ? { ...req, rawPath: virtual.path } : req) : undefined;
  if (!(early && codec.hasStreamingInput(early)) && !Buffer.isBuffer(req.body)) req.body = await bufferBody(req.body);

  // Operations marked anonymous (SNS's SubscribeURL/UnsubscribeURL) may come with no signature at all.
  const anonymousAllowed = () => {
    const op = early ?? codec.resolveOperation(req);
    return op !== undefined && def.operations[op]?.anonymous === true;
  };
  // Without a promise when the key is cached and the body buffered (almost every call).
  const authenticated = authenticateRequest(req, service.style, opts.credentials, receivedAt, virtual?.bucket, anonymousAllowed);
  const auth = authenticated instanceof Promise ? await authenticated : authenticated;
  req.body = auth.body;
  if (virtual) req.rawPath = virtual.path;

  const operation = early ?? codec.resolveOperation(req);
  if (!operation) throw unknownOperationError(service.model, req);
  setOperation(operation);
  const spec = def.operations[operation];
  if (!spec) throw notImplemented(def.actionPrefix, operation);

  const principal = auth.principal;
  if (principal.fromGetSessionToken && !sessionTokenMayCall(def.name, operation)) {
    // AWS: without MFA, GetSessionToken credentials cannot call IAM, nor STS beyond these two.
    throw new ServiceError(def.name === 'sts' ? 'AccessDenied' : 'InvalidClientTokenId', def.name === 'sts' ? `Cannot call ${operation} with session credentials` : 'The security token included in the request is invalid', { status: 403 });
  }
  const ctx: RequestContext = {
    requestId,
    accountId: principal.accountId || opts.accountId,
    region: auth.region ?? opts.region,
    service: def.name,
    operation,
    principal,
    sourceIp,
    secureTransport: false,
    userAgent: req.headers['user-agent'],
    receivedAt,
    log,
    endpoint: opts.endpoint(),
  };

  const input = await codec.parse(operation, req);

  // An unsigned call to an anonymous operation is the handler's to check (SNS checks the token); IAM has no caller to judge.
  const authorization = spec.anonymous === true && principal.type === 'anonymous' && service.style !== 's3' ? 'none' : (spec.authorization ?? 'iam');
  if (authorization === 'iam') {
    const action = spec.action ?? `${def.actionPrefix}:${operation}`;
    const resources = spec.resources ? await spec.resources(input, ctx) : ['*'];
    const result = await opts.authorizer.authorize({
      principal,
      action,
      resources,
      context: {
        'aws:SourceIp': ctx.sourceIp,
        'aws:SecureTransport': String(ctx.secureTransport),
        'aws:RequestedRegion': ctx.region,
        'aws:UserAgent': ctx.userAgent,
        ...(spec.conditions ? spec.conditions(input, ctx) : {}),
      },
      resourcePolicy: def.resourcePolicy ? (arn) => def.resourcePolicy!(arn, ctx) : undefined,
    });
    if (!result.allowed) throw accessDenied(service, result.message);
  } else if (authorization === 'custom') {
    await spec.authorize!(input, ctx);
  }

  const result = spec.handler(input, ctx);
  const output = result instanceof Promise ? await result : result;
  return codec.serialize(operation, output ?? {}, { requestId });
}

function sessionTokenMayCall(service: string, operation: string): boolean {
  if (service === 'iam') return false;
  return service !== 'sts' || operation === 'AssumeRole' || operation === 'GetCallerIdentity';
}

function accessDenied(service: RegisteredService, message: string): ServiceError {
  // SNS names its denial AuthorizationError (403).
  if (service.def.name === 'sns') return new ServiceError('AuthorizationError', message, { status: 403 });
  const json = service.codec.protocol === 'json' || service.codec.protocol === 'rest-json';
  return new ServiceError(json ? 'AccessDeniedException' : 'AccessDenied', message, { status: 403 });
}

function internalError(err: unknown, requestId: string): HttpResponse {
  const status = err instanceof ServiceError ? (err.status ?? 400) : 500;
  const body = err instanceof ServiceError ? { code: err.code, message: err.message, requestId } : { code: 'InternalFailure', message: 'internal error', requestId };
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** Discards an unread request body so the connection can be reused. */
function drain(body: Buffer | Readable): void {
  if (!Buffer.isBuffer(body) && !body.readableEnded) body.resume();
}

function clientIp(req: IncomingMessage): string {
  const ip = req.socket.remoteAddress ?? '127.0.0.1';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

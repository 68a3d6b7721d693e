/**
 * Stratus's own routes under /_stratus/: readiness for scripts and test
 * suites, and a reset that wipes all state. Reset changes everything, so it
 * demands a request signed by the account root, like any AWS call.
 */
import type { Readable } from 'node:stream';
import { ServiceError } from '../core/errors.js';
import type { Credentials } from '../identity/credentials.js';
import type { HttpRequest, HttpResponse } from '../protocol/types.js';
import { authenticate } from './authenticate.js';
import { bufferBody } from './http.js';

export interface InternalOptions {
  credentials: Credentials;
  /** Service name → state ('running', or 'not implemented' for model-only services). */
  services: () => Record<string, string>;
  ready: () => boolean;
  reset: () => Promise<void>;
  version: string;
  /** GetFunction's Code.Location: the zip a signed, expiring token names, or undefined. */
  lambdaCode?: (token: string) => Promise<{ body: Readable; size: number } | undefined>;
  /** GET /_stratus/usage[?month=YYYY-MM]: the account's Lambda usage and estimated cost (root-signed). */
  usage?: (accountId: string, month?: string) => Promise<unknown>;
  /** /_stratus/ses/messages[/<id>[/raw]] (the SES inbox) and /_stratus/ses/verify (the verification link). */
  ses?: SesRoutes;
  /** GET /_stratus/sns/SimpleNotificationService-<fingerprint>.pem: the certificate SNS signs messages with (the SigningCertURL), or undefined. */
  snsCertificate?: (path: string) => Promise<string | undefined>;
}

export interface SesRoutes {
  list(q: { limit?: number; from?: string; to?: string }): Promise<unknown>;
  get(id: string): Promise<unknown | undefined>;
  raw(id: string): Promise<{ body: Readable; size: number } | undefined>;
  remove(id?: string): Promise<number>;
  verify(token: string): Promise<{ status: number; html: string }>;
}

const LAMBDA_CODE = '/_stratus/lambda-code/';
const SES_MESSAGES = '/_stratus/ses/messages';
const SNS_CERTIFICATES = '/_stratus/sns/';

/** The inbox is local development tooling: open to this machine, root-signed requests only from elsewhere. */
function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

function json(status: number, body: unknown): HttpResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export function createInternalRoutes(opts: InternalOptions) {
  return async (req: HttpRequest, ctx: { requestId: string }): Promise<HttpResponse | undefined> => {
    if (req.rawPath === '/_stratus/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      const ready = opts.ready();
      return json(ready ? 200 : 503, { status: ready ? 'ready' : 'starting', version: opts.version, services: opts.services() });
    }
    if (req.rawPath.startsWith(LAMBDA_CODE) && (req.method === 'GET' || req.method === 'HEAD') && opts.lambdaCode) {
      // The token is the credential, as in an S3 presigned URL: no signature needed.
      const found = await opts.lambdaCode(decodeURIComponent(req.rawPath.slice(LAMBDA_CODE.length)));
      if (!found) return json(403, { code: 'AccessDenied', message: 'Request has expired or the link is not valid', requestId: ctx.requestId });
      return { status: 200, headers: { 'content-type': 'application/zip', 'content-length': String(found.size) }, body: found.body };
    }
    if (req.rawPath === '/_stratus/usage' && opts.usage) {
      if (req.method !== 'GET') return json(405, { code: 'MethodNotAllowed', message: 'use GET', requestId: ctx.requestId });
      req.body = await bufferBody(req.body, 1024 * 1024);
      let principal;
      try {
        principal = (await authenticate(req, 'query', opts.credentials)).principal;
      } catch (err) {
        if (err instanceof ServiceError) return json(err.status ?? 403, { code: err.code, message: err.message, requestId: ctx.requestId });
        throw err;
      }
      if (principal.type !== 'root') return json(403, { code: 'AccessDenied', message: 'Only the account root may read usage.', requestId: ctx.requestId });
      const month = typeof req.query.month === 'string' ? req.query.month : undefined;
      if (month !== undefined && !/^\d{4}-\d{2}$/.test(month)) return json(400, { code: 'ValidationError', message: 'month must be YYYY-MM', requestId: ctx.requestId });
      return json(200, await opts.usage(principal.accountId, month));
    }
    if (opts.ses && req.rawPath === '/_stratus/ses/verify' && (req.method === 'GET' || req.method === 'HEAD')) {
      // The token is the credential, as in the link AWS mails.
      const page = await opts.ses.verify(typeof req.query.token === 'string' ? req.query.token : '');
      return { status: page.status, headers: { 'content-type': 'text/html; charset=utf-8' }, body: page.html };
    }
    if (opts.ses && (req.rawPath === SES_MESSAGES || req.rawPath.startsWith(SES_MESSAGES + '/'))) {
      const remote = (req.body as { socket?: { remoteAddress?: string } }).socket?.remoteAddress;
      if (!isLoopback(remote)) {
        req.body = await bufferBody(req.body, 1024 * 1024);
        try {
          if ((await authenticate(req, 'query', opts.credentials)).principal.type !== 'root') return json(403, { code: 'AccessDenied', message: 'Only the account root may read the SES inbox from another machine.', requestId: ctx.requestId });
        } catch (err) {
          if (err instanceof ServiceError) return json(err.status ?? 403, { code: err.code, message: err.message, requestId: ctx.requestId });
          throw err;
        }
      }
      let id: string | undefined;
      let sub: string | undefined;
      try {
        [id, sub] = req.rawPath.slice(SES_MESSAGES.length + 1).split('/').map(decodeURIComponent);
      } catch {
        return json(400, { code: 'InvalidURI', message: 'Malformed percent-encoding in the path', requestId: ctx.requestId });
      }
      const read = req.method === 'GET' || req.method === 'HEAD';
      if (!id && read) {
        const q = (k: string) => (typeof req.query[k] === 'string' ? (req.query[k] as string) : undefined);
        return json(200, await opts.ses.list({ limit: q('limit') ? Number(q('limit')) : undefined, from: q('from'), to: q('to') }));
      }
      if (req.method === 'DELETE' && sub === undefined) return json(200, { deleted: await opts.ses.remove(id || undefined), requestId: ctx.requestId });
      if (id && read && sub === 'raw') {
        const raw = await opts.ses.raw(id);
        return raw ? { status: 200, headers: { 'content-type': 'message/rfc822', 'content-length': String(raw.size) }, body: raw.body } : json(404, { code: 'NotFound', message: `No message ${id}`, requestId: ctx.requestId });
      }
      if (id && read && sub === undefined) {
        const found = await opts.ses.get(id);
        return found ? json(200, found) : json(404, { code: 'NotFound', message: `No message ${id}`, requestId: ctx.requestId });
      }
      return json(405, { code: 'MethodNotAllowed', message: 'use GET or DELETE', requestId: ctx.requestId });
    }
    if (opts.snsCertificate && req.rawPath.startsWith(SNS_CERTIFICATES) && (req.method === 'GET' || req.method === 'HEAD')) {
      // Public, as AWS's certificate URLs are: subscribers fetch it unsigned to check message signatures.
      const pem = await opts.snsCertificate(req.rawPath);
      if (!pem) return json(404, { code: 'NotFound', message: 'No such certificate', requestId: ctx.requestId });
      return { status: 200, headers: { 'content-type': 'application/x-x509-ca-cert', 'content-length': String(Buffer.byteLength(pem)) }, body: pem };
    }
    if (req.rawPath === '/_stratus/reset') {
      if (req.method !== 'POST') return json(405, { code: 'MethodNotAllowed', message: 'use POST', requestId: ctx.requestId });
      req.body = await bufferBody(req.body, 1024 * 1024);
      let principalType: string;
      try {
        principalType = (await authenticate(req, 'query', opts.credentials)).principal.type;
      } catch (err) {
        if (err instanceof ServiceError) return json(err.status ?? 403, { code: err.code, message: err.message, requestId: ctx.requestId });
        throw err;
      }
      if (principalType !== 'root') {
        return json(403, { code: 'AccessDenied', message: 'Only the account root may reset Stratus.', requestId: ctx.requestId });
      }
      await opts.reset();
      return json(200, { status: 'reset', requestId: ctx.requestId });
    }
    return undefined;
  };
}

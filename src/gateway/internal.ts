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
}

const LAMBDA_CODE = '/_stratus/lambda-code/';

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

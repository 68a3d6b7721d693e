/**
 * Authentication at the edge: finds the credentials a request was signed
 * with and has the SigV4 layer check the token, expiry and signature. S3
 * admits unsigned requests, evaluated as the anonymous principal (bucket
 * policies may allow them); other services only for operations marked
 * `anonymous` (SNS's SubscribeURL and UnsubscribeURL).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
 */
import type { Readable } from 'node:stream';
import type { Principal } from '../core/context.js';
import type { Credentials } from '../identity/credentials.js';
import type { ResolvedCredentials } from '../identity/types.js';
import { invalidAccessKeyError, missingAuthenticationError, parseAuth, verifyRequest, type ParsedAuth, type SigV4Style } from '../protocol/sigv4/index.js';
import type { HttpRequest } from '../protocol/types.js';

export interface Authenticated {
  principal: Principal;
  /** The body to parse: possibly a decoded aws-chunked stream. */
  body: Buffer | Readable;
  /** The region the request was signed for, when signed. */
  region?: string;
}

export const ANONYMOUS: Principal = { type: 'anonymous', arn: '*', accountId: '', userId: 'anonymous' };

export async function authenticate(req: HttpRequest, style: SigV4Style, credentials: Credentials, now = new Date()): Promise<Authenticated> {
  return authenticateRequest(req, style, credentials, now);
}

/**
 * authenticate() without a promise when nothing has to be waited for (the key
 * is cached and the body buffered), as on almost every API call; throws the
 * SigV4 error synchronously or returns a promise that rejects with it.
 */
export function authenticateRequest(
  req: HttpRequest,
  style: SigV4Style,
  credentials: Credentials,
  now = new Date(),
  bucket?: string,
  /** For a request with no signature at all: whether its operation may be called unsigned (SNS's SubscribeURL). */
  anonymousAllowed?: () => boolean,
): Authenticated | Promise<Authenticated> {
  // A virtual-hosted S3 request is verified against the path the client signed; SigV2 also signs the Host's bucket.
  const auth = parseAuth(req, bucket === undefined ? { style, now } : { style, now, bucket });
  if (!auth) {
    if (style === 's3' || anonymousAllowed?.()) return { principal: ANONYMOUS, body: req.body };
    throw missingAuthenticationError(style);
  }
  const hit = credentials.cached(auth.accessKeyId, now.getTime());
  if (hit) return verified(req, style, auth, hit.value, now);
  return credentials.lookup(auth.accessKeyId, now.getTime()).then((creds) => verified(req, style, auth, creds, now));
}

function verified(req: HttpRequest, style: SigV4Style, auth: ParsedAuth, creds: ResolvedCredentials | undefined, now: Date): Authenticated | Promise<Authenticated> {
  if (!creds || !creds.active) throw invalidAccessKeyError(style, auth.accessKeyId);
  const result = verifyRequest(req, auth, creds, { now });
  if (result instanceof Promise) return result.then((v) => ({ principal: creds.principal, body: v.body, region: auth.region }));
  return { principal: creds.principal, body: result.body, region: auth.region };
}

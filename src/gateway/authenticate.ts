/**
 * Authentication at the edge: finds the credentials a request was signed
 * with and has the SigV4 layer check the token, expiry and signature. S3
 * alone admits unsigned requests, evaluated as the anonymous principal
 * (bucket policies may allow them).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
 */
import type { Readable } from 'node:stream';
import type { Principal } from '../core/context.js';
import type { Credentials } from '../identity/credentials.js';
import { invalidAccessKeyError, missingAuthenticationError, parseAuth, verify, type SigV4Style } from '../protocol/sigv4/index.js';
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
  const auth = parseAuth(req, { style, now });
  if (!auth) {
    if (style === 's3') return { principal: ANONYMOUS, body: req.body };
    throw missingAuthenticationError(style);
  }
  const creds = await credentials.lookup(auth.accessKeyId, now.getTime());
  if (!creds || !creds.active) throw invalidAccessKeyError(style, auth.accessKeyId);
  const verified = await verify(req, auth, { secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken, expiresAt: creds.expiresAt }, { now });
  return { principal: creds.principal, body: verified.body, region: auth.region };
}

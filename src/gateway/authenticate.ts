/**
 * Authentication at the edge: finds the credentials a request was signed
 * with, checks their session token and expiry, then has the SigV4 layer
 * recompute the signature. S3 alone admits unsigned requests, evaluated as
 * the anonymous principal (bucket policies may allow them).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
 */
import type { Readable } from 'node:stream';
import type { Principal } from '../core/context.js';
import { ServiceError } from '../core/errors.js';
import { expiredTokenError, invalidKeyError, invalidTokenError, missingAuthError, parseAuth, SigV4Error, verify } from '../protocol/sigv4/index.js';
import type { HttpRequest } from '../protocol/types.js';
import type { Credentials } from '../identity/credentials.js';

export interface Authenticated {
  principal: Principal;
  /** The body to parse: possibly a decoded aws-chunked stream. */
  body: Buffer | Readable;
  /** The region the request was signed for, when signed. */
  region?: string;
}

export const ANONYMOUS: Principal = { type: 'anonymous', arn: '*', accountId: '', userId: 'anonymous' };

/** JSON-protocol services name the same failures with their own codes. */
const JSON_CODES: Record<string, string> = {
  MissingAuthenticationToken: 'MissingAuthenticationTokenException',
  InvalidClientTokenId: 'UnrecognizedClientException',
  SignatureDoesNotMatch: 'InvalidSignatureException',
  ExpiredToken: 'ExpiredTokenException',
};

export async function authenticate(req: HttpRequest, style: 's3' | 'aws', credentials: Credentials, now = new Date(), json = false): Promise<Authenticated> {
  try {
    const auth = parseAuth(req, style);
    if (!auth) {
      if (style === 's3') return { principal: ANONYMOUS, body: req.body };
      throw missingAuthError(style);
    }
    const creds = await credentials.resolve(auth.accessKeyId);
    if (!creds || !creds.active) throw invalidKeyError(style);
    if (creds.sessionToken !== undefined) {
      if (auth.sessionToken !== creds.sessionToken) throw invalidTokenError(style);
      if (creds.expiresAt !== undefined && creds.expiresAt <= now.getTime()) throw expiredTokenError(style);
    } else if (auth.sessionToken !== undefined) {
      // A long-term key presented with a session token is not a valid credential pair.
      throw invalidTokenError(style);
    }
    const verified = await verify(req, auth, { secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken }, { style, now });
    return { principal: creds.principal, body: verified.body, region: auth.region };
  } catch (err) {
    if (err instanceof SigV4Error) {
      const code = json ? (JSON_CODES[err.code] ?? err.code) : err.code;
      throw new ServiceError(code, err.message, { status: err.status, fields: err.fields });
    }
    throw err;
  }
}

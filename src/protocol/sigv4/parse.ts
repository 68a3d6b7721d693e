/**
 * Reads a request's SigV4 credential, from the Authorization header or a
 * presigned query string, and runs every check AWS makes before it looks the
 * access key up: the shape of the header or query, the date, the clock skew or
 * presigned expiry, the credential scope and (for S3) headers sent unsigned.
 * Each failure is the code, message and members the service itself answers
 * with, in the order it checks them. Follows
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html ,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html and
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html
 */
import type { HttpRequest } from '../types.js';
import { queryParams, type ParseOptions, type ParsedAuth } from './fields.js';
import { parseS3 } from './parse-s3.js';
import { awsHeader, awsPresigned } from './parse-aws.js';

export { ALGORITHM, parseAmzDate, type ParseOptions, type ParsedAuth } from './fields.js';

const DEFAULT_SKEW_MS = 15 * 60 * 1000;

/**
 * The credential a request carries, checked up to the key lookup; undefined for
 * a request with no credential at all (S3 serves those as anonymous, and a few
 * operations elsewhere, such as sts:AssumeRoleWithWebIdentity, need none).
 */
export function parseAuth(req: HttpRequest, opts: ParseOptions): ParsedAuth | undefined {
  const now = opts.now === undefined ? Date.now() : typeof opts.now === 'number' ? opts.now : opts.now.getTime();
  const ctx = { req, opts, now, skew: opts.maxSkewMs ?? DEFAULT_SKEW_MS };
  const authorization = req.headers.authorization;
  const query = req.rawQuery.includes('X-Amz-') || req.rawQuery.includes('Signature=') ? queryParams(req.rawQuery) : undefined;
  if (opts.style === 's3') return parseS3(ctx, authorization, query);
  if (authorization) return awsHeader(ctx, authorization);
  if (query?.has('X-Amz-Algorithm')) return awsPresigned(ctx, query);
  return undefined;
}

/**
 * AWS request authentication for every endpoint Stratus serves: SigV4 in the
 * Authorization header or a presigned query (with aws-chunked streaming
 * payloads and checksummed trailers), and S3's legacy SigV2. The gateway calls
 * parseAuth (no credential: undefined; a malformed one, a skewed clock or an
 * expired presigned URL: SigV4Error), resolves the access key itself, then
 * calls verify with the secret it found:
 *
 *   const style = styleFor(codec.protocol, signingName);
 *   const auth = parseAuth(req, { style, region, service: signingName });
 *   if (!auth) -> anonymous (S3), or throw missingAuthenticationError(style);
 *   const key = await directory.findAccessKey(auth.accessKeyId);
 *   if (!key) throw invalidAccessKeyError(style, auth.accessKeyId);
 *   const { body, trailers } = await verify(req, auth, key);
 *
 * See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
 */
export { parseAuth, parseAmzDate, type ParseOptions, type ParsedAuth } from './parse.js';
export { verify, verifyRequest, stripAwsChunked, type SigningCredentials, type VerifyOptions, type VerifiedRequest } from './verify.js';
export {
  SigV4Error,
  styleFor,
  missingAuthenticationError,
  invalidAccessKeyError,
  invalidTokenError,
  expiredTokenError,
  type SigV4ErrorCode,
  type SigV4Style,
} from './errors.js';

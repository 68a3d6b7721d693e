/**
 * The errors a SigV4 check answers with, in each of the three dialects AWS
 * speaks: S3's (its own codes, XML members such as StringToSign and HTTP 400s
 * for malformed credentials), the query protocol's (STS, IAM, SNS, SES,
 * CloudWatch: IncompleteSignature, SignatureDoesNotMatch, InvalidClientTokenId)
 * and the JSON protocols' (Lambda, Logs: the same faults with an "Exception"
 * suffix and UnrecognizedClientException). Codes, statuses, messages and
 * members follow what those services return; see
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html and
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html
 */
import { ServiceError } from '../../core/errors.js';

/** Which service family's error dialect to answer in. */
export type SigV4Style = 's3' | 'query' | 'json';

export type SigV4ErrorCode =
  | 'MissingAuthenticationToken'
  | 'MissingAuthenticationTokenException'
  | 'IncompleteSignature'
  | 'IncompleteSignatureException'
  | 'InvalidClientTokenId'
  | 'UnrecognizedClientException'
  | 'InvalidAccessKeyId'
  | 'SignatureDoesNotMatch'
  | 'InvalidSignatureException'
  | 'ExpiredToken'
  | 'ExpiredTokenException'
  | 'InvalidToken'
  | 'RequestTimeTooSkewed'
  | 'AccessDenied'
  | 'AuthorizationHeaderMalformed'
  | 'AuthorizationQueryParametersError'
  | 'InvalidArgument'
  | 'InvalidRequest'
  | 'XAmzContentSHA256Mismatch'
  | 'BadDigest'
  | 'IncompleteBody';

export class SigV4Error extends ServiceError {
  declare readonly code: SigV4ErrorCode;
  declare readonly status: number;

  constructor(
    code: SigV4ErrorCode,
    message: string,
    status: number,
    fields: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(code, message, { status, fields, headers, senderFault: true });
    this.name = 'SigV4Error';
  }
}

/** The signing dialect of a service, from its protocol and signing name. */
export function styleFor(protocol: string, signingName?: string): SigV4Style {
  if (signingName === 's3' || (signingName === undefined && protocol === 'rest-xml')) return 's3';
  return protocol === 'json' || protocol === 'rest-json' ? 'json' : 'query';
}

const TOKEN_INVALID = 'The security token included in the request is invalid.';
const TOKEN_EXPIRED = 'The security token included in the request is expired';
const S3_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your key and signing method.';
const AWS_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** A request with no signature where one is needed (S3 treats it as anonymous instead). */
export function missingAuthenticationError(style: SigV4Style): SigV4Error {
  if (style === 'json') {
    return new SigV4Error('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
  }
  if (style === 's3') return new SigV4Error('AccessDenied', 'Access Denied', 403);
  return new SigV4Error('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
}

/** The access key id is unknown (or belongs to credentials presented without their token). */
export function invalidAccessKeyError(style: SigV4Style, accessKeyId: string): SigV4Error {
  if (style === 's3') {
    return new SigV4Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', 403, {
      AWSAccessKeyId: accessKeyId,
    });
  }
  return new SigV4Error(style === 'json' ? 'UnrecognizedClientException' : 'InvalidClientTokenId', TOKEN_INVALID, 403);
}

/** The session token is not one Stratus issued. */
export function invalidTokenError(style: SigV4Style, token: string): SigV4Error {
  if (style === 's3') {
    return new SigV4Error('InvalidToken', 'The provided token is malformed or otherwise invalid.', 400, { 'Token-0': token });
  }
  return new SigV4Error(style === 'json' ? 'UnrecognizedClientException' : 'InvalidClientTokenId', TOKEN_INVALID, 403);
}

/** The session token was valid once and has expired. */
export function expiredTokenError(style: SigV4Style, token: string): SigV4Error {
  if (style === 's3') return new SigV4Error('ExpiredToken', 'The provided token has expired.', 400, { 'Token-0': token });
  return new SigV4Error(style === 'json' ? 'ExpiredTokenException' : 'ExpiredToken', TOKEN_EXPIRED, 403);
}

/** The Authorization header or presigned query is malformed (anything before the key lookup). */
export function incompleteSignature(style: SigV4Style, message: string): SigV4Error {
  return new SigV4Error(style === 'json' ? 'IncompleteSignatureException' : 'IncompleteSignature', message, 400);
}

/** A fault AWS reports as a signature mismatch with its own message (scope, clock). */
export function signatureFault(style: SigV4Style, message: string): SigV4Error {
  return new SigV4Error(style === 'json' ? 'InvalidSignatureException' : 'SignatureDoesNotMatch', message, 403);
}

export function s3HeaderMalformed(message: string, fields: Record<string, unknown> = {}, headers: Record<string, string> = {}): SigV4Error {
  return new SigV4Error('AuthorizationHeaderMalformed', `The authorization header is malformed; ${message}`, 400, fields, headers);
}

export function s3QueryError(message: string, fields: Record<string, unknown> = {}, headers: Record<string, string> = {}): SigV4Error {
  return new SigV4Error('AuthorizationQueryParametersError', message, 400, fields, headers);
}

export function s3InvalidArgument(message: string, name: string, value?: string): SigV4Error {
  const fields: Record<string, unknown> = { ArgumentName: name };
  if (value !== undefined) fields.ArgumentValue = value;
  return new SigV4Error('InvalidArgument', message, 400, fields);
}

/** What a mismatch reveals: S3 echoes the strings it signed, the others say nothing. */
export interface MismatchDetail {
  accessKeyId: string;
  stringToSign: string;
  signatureProvided: string;
  canonicalRequest: string;
}

export function signatureMismatch(style: SigV4Style, detail: MismatchDetail): SigV4Error {
  if (style !== 's3') return signatureFault(style, AWS_MISMATCH);
  return new SigV4Error('SignatureDoesNotMatch', S3_MISMATCH, 403, {
    AWSAccessKeyId: detail.accessKeyId,
    StringToSign: detail.stringToSign,
    SignatureProvided: detail.signatureProvided,
    StringToSignBytes: hexBytes(detail.stringToSign),
    CanonicalRequest: detail.canonicalRequest,
    CanonicalRequestBytes: hexBytes(detail.canonicalRequest),
  });
}

/** S3's "...Bytes" members: each UTF-8 byte as two lower-case hex digits, space separated. */
export function hexBytes(text: string): string {
  const hex = Buffer.from(text, 'utf8').toString('hex');
  let out = '';
  for (let i = 0; i < hex.length; i += 2) out += (i ? ' ' : '') + hex.slice(i, i + 2);
  return out;
}

/** "2024-01-01T00:30:00Z", the form S3 names its ServerTime and Expires in. */
export function s3Time(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** "20240101T003000Z", the ISO 8601 basic form SigV4 dates use. */
export function amzTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

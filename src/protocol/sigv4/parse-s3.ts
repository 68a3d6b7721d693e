/**
 * S3's checks of a SigV4 credential before the key lookup, in S3's order and
 * with its codes: the Authorization header (or a SigV2 one), the presigned
 * query, the credential scope and the headers S3 requires to be signed. See
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html and
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 */
import { SigV4Error, amzTime, s3HeaderMalformed, s3InvalidArgument, s3QueryError, s3Time } from './errors.js';
import {
  ALGORITHM,
  WEEK_SECONDS,
  authParts,
  headerDate,
  parseAmzDate,
  type ParseContext,
  type ParsedAuth,
  type Scope,
} from './fields.js';
import { parseV2Header, parseV2Query, type V2Context } from './sigv2.js';

const PAYLOAD_KEYWORDS = new Set([
  'UNSIGNED-PAYLOAD',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD',
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER',
]);
const HEX64 = /^[0-9a-fA-F]{64}$/;
const S3_PRESIGN_PARAMS = ['X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires'];
const ONE_MECHANISM =
  'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified';
const CREDENTIAL_FORMAT = 'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".';

/** An S3 request's credential: a header, a presigned V4 query, a V2 query, or none. */
export function parseS3(ctx: ParseContext, authorization: string | undefined, query: Map<string, string> | undefined): ParsedAuth | undefined {
  const presigned = query?.has('X-Amz-Algorithm') ?? false;
  const v2Query = query?.has('Signature') ?? false;
  if (authorization !== undefined && (presigned || v2Query)) {
    throw s3InvalidArgument(ONE_MECHANISM, 'Authorization', authorization);
  }
  if (authorization) return s3Header(ctx, authorization);
  if (presigned) {
    if (v2Query) throw s3InvalidArgument(ONE_MECHANISM, 'Authorization');
    return s3Presigned(ctx, query!);
  }
  if (v2Query) return parseV2Query(v2Context(ctx), query!);
  return undefined;
}

function v2Context(ctx: ParseContext): V2Context {
  return { req: ctx.req, now: ctx.now, skew: ctx.skew, region: ctx.opts.region ?? 'us-east-1', bucket: ctx.opts.bucket };
}

function s3Header(ctx: ParseContext, authorization: string): ParsedAuth {
  const { headers } = ctx.req;
  const space = authorization.indexOf(' ');
  if (space < 0) {
    throw s3InvalidArgument("Authorization header is invalid -- one and only one ' ' (space) required", 'Authorization', authorization);
  }
  const scheme = authorization.slice(0, space).toUpperCase();
  if (scheme === 'AWS') return parseV2Header(v2Context(ctx), authorization, authorization.slice(space + 1));
  if (scheme !== ALGORITHM) throw s3InvalidArgument('Unsupported Authorization Type', 'Authorization', authorization);
  const payloadHash = headers['x-amz-content-sha256'];
  if (payloadHash === undefined) {
    throw new SigV4Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256', 400);
  }
  if (!PAYLOAD_KEYWORDS.has(payloadHash) && !HEX64.test(payloadHash)) {
    throw s3InvalidArgument(
      'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.',
      'x-amz-content-sha256',
      payloadHash,
    );
  }
  const { text: dateText, ms } = headerDate(headers);
  if (ms === undefined) throw new SigV4Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header', 403);
  if (Math.abs(ms - ctx.now) > ctx.skew) {
    throw new SigV4Error('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', 403, {
      RequestTime: dateText,
      ServerTime: s3Time(ctx.now),
      MaxAllowedSkewMilliseconds: String(ctx.skew),
    });
  }
  const parts = authParts(authorization.slice(space + 1));
  if (parts.credential === undefined || parts.signedHeaders === undefined || parts.signature === undefined) {
    throw s3HeaderMalformed('the authorization header requires three components: Credential, SignedHeaders, and Signature.');
  }
  const scope = s3Scope(ctx, parts.credential, s3HeaderMalformed);
  const amzDate = amzTime(ms);
  if (scope.date !== amzDate.slice(0, 8)) throw s3HeaderMalformed('Invalid credential date. Date is not the same as X-Amz-Date.');
  const signedHeaders = parts.signedHeaders.split(';');
  s3UnsignedHeaders(headers, signedHeaders);
  return {
    style: 's3',
    version: 4,
    accessKeyId: scope.accessKeyId,
    region: scope.region,
    service: scope.service,
    scope: scope.scope,
    // The date line is signed as sent; only an RFC 1123 Date header is restated as ISO 8601.
    amzDate: headers['x-amz-date'] ?? amzDate,
    date: new Date(ms),
    signedHeaders,
    signature: parts.signature,
    presigned: false,
    sessionToken: headers['x-amz-security-token'],
    payloadHash,
  };
}

function s3Presigned(ctx: ParseContext, query: Map<string, string>): ParsedAuth {
  const { headers } = ctx.req;
  if (query.get('X-Amz-Algorithm') !== ALGORITHM) {
    throw s3QueryError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256"');
  }
  if (S3_PRESIGN_PARAMS.some((name) => !query.has(name))) {
    throw s3QueryError(
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  const amzDate = query.get('X-Amz-Date')!;
  const ms = parseAmzDate(amzDate);
  if (ms === undefined) throw s3QueryError(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  const rawExpires = query.get('X-Amz-Expires')!;
  if (!/^[+-]?\d+$/.test(rawExpires)) throw s3QueryError('X-Amz-Expires should be a number');
  const expires = Number(rawExpires);
  if (expires < 0) throw s3QueryError('X-Amz-Expires must be non-negative');
  if (expires > WEEK_SECONDS) {
    throw s3QueryError(
      'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds',
    );
  }
  const expiresAt = s3Time(ms + expires * 1000);
  if (ms - ctx.now > ctx.skew) {
    throw new SigV4Error('AccessDenied', 'Request is not yet valid', 403, {
      'X-Amz-Date': String(ms),
      Expires: expiresAt,
      ServerTime: s3Time(ctx.now),
    });
  }
  if (ctx.now - ms > expires * 1000) {
    throw new SigV4Error('AccessDenied', 'Request has expired', 403, {
      'X-Amz-Expires': rawExpires,
      Expires: expiresAt,
      ServerTime: s3Time(ctx.now),
    });
  }
  const queryError = (message: string, fields?: Record<string, unknown>, hdrs?: Record<string, string>) =>
    s3QueryError(`Error parsing the X-Amz-Credential parameter; ${message}`, fields, hdrs);
  const scope = s3Scope(ctx, query.get('X-Amz-Credential')!, queryError);
  if (scope.date !== amzDate.slice(0, 8)) {
    throw s3QueryError(`Invalid credential date "${scope.date}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`);
  }
  const signedHeaders = query.get('X-Amz-SignedHeaders')!.split(';');
  s3UnsignedHeaders(headers, signedHeaders);
  return {
    style: 's3',
    version: 4,
    accessKeyId: scope.accessKeyId,
    region: scope.region,
    service: scope.service,
    scope: scope.scope,
    amzDate,
    date: new Date(ms),
    signedHeaders,
    signature: query.get('X-Amz-Signature')!,
    presigned: true,
    expiresSeconds: expires,
    // A token sent as a signed header wins over one in the query.
    sessionToken: signedHeaders.includes('x-amz-security-token')
      ? headers['x-amz-security-token']
      : query.get('X-Amz-Security-Token'),
    // S3 signs a presigned request over the hash sent (the SDK hoists it into the query) and never
    // reads the body against it.
    payloadHash: headers['x-amz-content-sha256'] ?? query.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD',
  };
}

type ScopeError = (message: string, fields?: Record<string, unknown>, headers?: Record<string, string>) => SigV4Error;

/** S3's checks of a credential scope, in its order: shape, date format, region, service, terminal. */
function s3Scope(ctx: ParseContext, credential: string, fail: ScopeError): Scope {
  const bits = credential.split('/');
  if (bits.length !== 5) throw fail(CREDENTIAL_FORMAT);
  const [accessKeyId, date, region, service, terminal] = bits as [string, string, string, string, string];
  if (!isScopeDate(date)) {
    throw fail(`incorrect date format "${date}". This date in the credential must be in the format "yyyyMMdd".`);
  }
  if (region === '') throw fail('a non-empty region must be provided in the credential.');
  const expectedRegion = ctx.opts.region;
  if (expectedRegion !== undefined && region !== expectedRegion) {
    throw fail(`the region '${region}' is wrong; expecting '${expectedRegion}'`, { Region: expectedRegion }, {
      'x-amz-bucket-region': expectedRegion,
    });
  }
  const expectedService = ctx.opts.service ?? 's3';
  if (service !== expectedService) throw fail(`incorrect service "${service}". This endpoint belongs to "${expectedService}".`);
  if (terminal !== 'aws4_request') throw fail(`incorrect terminal "${terminal}". This endpoint uses "aws4_request".`);
  return { accessKeyId, date, region, service, scope: `${date}/${region}/${service}/aws4_request` };
}

function isScopeDate(text: string): boolean {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (!match) return false;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(ms).getUTCDate() === Number(match[3]);
}

/** S3 refuses Host, Content-MD5 and any x-amz-* header (but x-amz-content-sha256) sent unsigned. */
function s3UnsignedHeaders(headers: Record<string, string>, signedHeaders: string[]): void {
  const unsigned: string[] = [];
  for (const name in headers) {
    if (
      (name === 'host' || name === 'content-md5' || (name.startsWith('x-amz-') && name !== 'x-amz-content-sha256')) &&
      !signedHeaders.includes(name)
    ) {
      unsigned.push(name);
    }
  }
  if (unsigned.length === 0) return;
  throw new SigV4Error('AccessDenied', 'There were headers present in the request which were not signed', 403, {
    HeadersNotSigned: javaHashSetOrder(unsigned).join(', '),
  });
}

/** S3 lists those headers in the order a java.util.HashSet iterates them. */
function javaHashSetOrder(names: string[]): string[] {
  let capacity = 16;
  while (names.length > (capacity * 3) / 4) capacity *= 2;
  const bucket = (name: string): number => {
    let code = 0;
    for (let i = 0; i < name.length; i++) code = (Math.imul(31, code) + name.charCodeAt(i)) | 0;
    return (code ^ (code >>> 16)) & (capacity - 1);
  };
  return [...names].sort().sort((a, b) => bucket(a) - bucket(b));
}

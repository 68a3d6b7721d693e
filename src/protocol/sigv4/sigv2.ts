/**
 * S3's legacy Signature Version 2, which the AWS CLI's `aws s3 presign` and
 * boto3's generate_presigned_url still produce by default: "Authorization: AWS
 * <key>:<signature>" and "?AWSAccessKeyId=&Expires=&Signature=" URLs, signed
 * with HMAC-SHA1 over the method, Content-MD5, Content-Type, date or expiry,
 * the x-amz-* headers and the resource. Only S3 accepts it. Follows
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html
 */
import { createHmac } from 'node:crypto';
import type { HttpRequest } from '../types.js';
import { sameSignature } from './canonical.js';
import { SigV4Error, s3InvalidArgument, s3Time, hexBytes } from './errors.js';
import type { ParsedAuth } from './fields.js';

/** The query parameters that name a sub-resource and so are signed. */
const SUB_RESOURCES = new Set([
  'accelerate', 'acl', 'analytics', 'cors', 'delete', 'inventory', 'legal-hold', 'lifecycle', 'location', 'logging',
  'metrics', 'notification', 'object-lock', 'partNumber', 'policy', 'publicAccessBlock', 'replication', 'requestPayment',
  'response-cache-control', 'response-content-disposition', 'response-content-encoding', 'response-content-language',
  'response-content-type', 'response-expires', 'restore', 'retention', 'select', 'select-type', 'tagging', 'torrent',
  'uploadId', 'uploads', 'versionId', 'versioning', 'versions', 'website',
]);
const NO_DATE = 'AWS authentication requires a valid Date or x-amz-date header';

export interface V2Context {
  req: HttpRequest;
  now: number;
  skew: number;
  region: string;
  /** The bucket a virtual-hosted-style request names in its Host header; it leads the signed resource. */
  bucket?: string;
}

/** "Authorization: AWS <key>:<signature>", checked as S3 checks it. */
export function parseV2Header(ctx: V2Context, authorization: string, rest: string): ParsedAuth {
  const { headers } = ctx.req;
  if (rest.startsWith(' ')) {
    throw s3InvalidArgument("Authorization header is invalid -- one and only one ' ' (space) required", 'Authorization', authorization);
  }
  const colon = rest.indexOf(':');
  const accessKeyId = rest.slice(0, colon);
  const signature = rest.slice(colon + 1);
  if (colon < 0 || signature === '' || signature.includes(':')) {
    throw s3InvalidArgument('AWS authorization header is invalid.  Expected AwsAccessKeyId:signature', 'Authorization', authorization);
  }
  const amzDate = headers['x-amz-date'];
  const dateText = amzDate ?? headers.date ?? '';
  const ms = Date.parse(dateText);
  if (dateText === '' || Number.isNaN(ms)) throw new SigV4Error('AccessDenied', NO_DATE, 403);
  if (Math.abs(ms - ctx.now) > ctx.skew) {
    throw new SigV4Error('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', 403, {
      RequestTime: dateText,
      ServerTime: s3Time(ctx.now),
      MaxAllowedSkewMilliseconds: String(ctx.skew),
    });
  }
  // With an x-amz-date the date line is empty: the date is signed among the x-amz-* headers.
  return v2Auth(ctx, accessKeyId, signature, amzDate === undefined ? dateText : '', ms, false, headers['x-amz-security-token']);
}

/** "?AWSAccessKeyId=...&Expires=...&Signature=...", checked as S3 checks it. */
export function parseV2Query(ctx: V2Context, query: Map<string, string>): ParsedAuth {
  const accessKeyId = query.get('AWSAccessKeyId');
  const rawExpires = query.get('Expires');
  if (accessKeyId === undefined || rawExpires === undefined) {
    throw new SigV4Error('AccessDenied', 'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters', 403);
  }
  const expires = /^[+-]?\d{1,19}$/.test(rawExpires) ? Number(rawExpires) : NaN;
  if (!(expires < 2 ** 31)) {
    throw new SigV4Error('AccessDenied', `Invalid date (should be seconds since epoch): ${rawExpires}`, 403);
  }
  if (ctx.now > expires * 1000) {
    throw new SigV4Error('AccessDenied', 'Request has expired', 403, { Expires: s3Time(expires * 1000), ServerTime: s3Time(ctx.now) });
  }
  const token = ctx.req.headers['x-amz-security-token'] ?? query.get('x-amz-security-token') ?? query.get('X-Amz-Security-Token');
  return v2Auth(ctx, accessKeyId, query.get('Signature')!, rawExpires, expires * 1000, true, token);
}

function v2Auth(
  ctx: V2Context,
  accessKeyId: string,
  signature: string,
  dateLine: string,
  ms: number,
  presigned: boolean,
  sessionToken: string | undefined,
): ParsedAuth {
  return {
    style: 's3',
    version: 2,
    accessKeyId,
    amzDate: dateLine,
    date: new Date(ms),
    region: ctx.region,
    service: 's3',
    scope: '',
    signedHeaders: [],
    signature,
    presigned,
    sessionToken,
    payloadHash: 'UNSIGNED-PAYLOAD',
    stringToSign: v2StringToSign(ctx, dateLine, presigned),
  };
}

function v2StringToSign(ctx: V2Context, dateLine: string, presigned: boolean): string {
  const { req } = ctx;
  const amz = new Map<string, string>();
  for (const name in req.headers) {
    if (name.startsWith('x-amz-')) amz.set(name, req.headers[name]!.trim());
  }
  // S3 signs "/<bucket>/<key>": a path-style request for the bucket itself ("/b") signs "/b/".
  let resource = ctx.bucket === undefined ? req.rawPath : `/${ctx.bucket}${req.rawPath}`;
  if (resource.indexOf('/', 1) < 0) resource += '/';
  const subResources: string[] = [];
  for (const pair of req.rawQuery === '' ? [] : req.rawQuery.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    // A presigned URL carries the x-amz-* headers it signed (a session token) in its query.
    const lower = key.toLowerCase();
    if (presigned && lower.startsWith('x-amz-') && !amz.has(lower)) {
      amz.set(lower, decode(pair.slice(eq + 1)).trim());
    } else if (SUB_RESOURCES.has(key)) {
      subResources.push(eq < 0 ? key : `${key}=${decode(pair.slice(eq + 1))}`);
    }
  }
  if (subResources.length > 0) {
    subResources.sort((a, b) => (a.split('=')[0]! < b.split('=')[0]! ? -1 : 1));
    resource += `?${subResources.join('&')}`;
  }
  let amzLines = '';
  for (const name of [...amz.keys()].sort()) amzLines += `${name}:${amz.get(name)}\n`;
  const { headers } = req;
  return `${req.method}\n${headers['content-md5'] ?? ''}\n${headers['content-type'] ?? ''}\n${dateLine}\n${amzLines}${resource}`;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Checks a SigV2 signature: base64 HMAC-SHA1 of the string to sign. */
export function verifyV2(auth: ParsedAuth, secretAccessKey: string): void {
  const stringToSign = auth.stringToSign!;
  const expected = createHmac('sha1', secretAccessKey).update(stringToSign, 'utf8').digest('base64');
  if (!sameSignature(expected, auth.signature)) {
    throw new SigV4Error(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      403,
      {
        AWSAccessKeyId: auth.accessKeyId,
        StringToSign: stringToSign,
        SignatureProvided: auth.signature,
        StringToSignBytes: hexBytes(stringToSign),
      },
    );
  }
}

/**
 * The cryptographic half of SigV4: the canonical request (built by
 * @smithy/signature-v4's own canonicalisation, so the verifier and the SDK
 * that signed cannot drift apart), the string to sign, the cached signing key
 * and the signature. Follows
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 * and, for S3's un-normalised path, https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 */
import { createHash, createHmac, createSecretKey, hash, type Hash, type Hmac, type KeyObject } from 'node:crypto';
import type { IHttpRequest, HeaderBag } from '@smithy/protocol-http';
import { SignatureV4, getCanonicalHeaders } from '@smithy/signature-v4';

type QueryBag = Record<string, string | string[]>;

/** node:crypto behind the Checksum interface the smithy signer wants (it only uses it to sign). */
class NodeSha256 {
  private hash: Hash | Hmac;
  private readonly secret: Buffer | string | undefined;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.secret =
      secret === undefined || typeof secret === 'string'
        ? secret
        : ArrayBuffer.isView(secret)
          ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength)
          : Buffer.from(secret);
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/**
 * Reaches the signer's protected canonicalisation. One instance per path
 * style: S3 signs the path as sent, every other service signs it normalised
 * and encoded a second time.
 */
class Canonicalizer extends SignatureV4 {
  constructor(uriEscapePath: boolean) {
    super({
      service: 'stratus',
      region: 'stratus',
      credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
      sha256: NodeSha256,
      uriEscapePath,
    });
  }

  build(method: string, path: string, query: QueryBag, headers: HeaderBag, signedHeaders: string[], payloadHash: string): string {
    const signed: HeaderBag = {};
    // A header the client signed and did not send still has a line (empty), so the
    // SignedHeaders line we rebuild is the one the client signed.
    for (const name of signedHeaders) signed[name] = headers[name] ?? '';
    const canonicalHeaders = getCanonicalHeaders({ headers: signed } as IHttpRequest, undefined, new Set(signedHeaders));
    const request = { method, path, query, headers: signed, protocol: 'https:', hostname: '' } as IHttpRequest;
    return this.createCanonicalRequest(request, canonicalHeaders, payloadHash);
  }
}

const S3_CANONICALIZER = new Canonicalizer(false);
const AWS_CANONICALIZER = new Canonicalizer(true);

export interface CanonicalInput {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: Record<string, string>;
  signedHeaders: string[];
  payloadHash: string;
  s3: boolean;
  /** Leave X-Amz-Signature out of the query (presigned requests). */
  presigned: boolean;
}

/** The canonical request as the signer builds it, from the request as it came off the wire. */
export function canonicalRequest(input: CanonicalInput): string {
  const canonicalizer = input.s3 ? S3_CANONICALIZER : AWS_CANONICALIZER;
  const path = input.rawPath === '' ? '/' : input.rawPath;
  const query = parseQuery(input.rawQuery, input.presigned, false);
  return canonicalizer.build(input.method, path, query, input.headers, input.signedHeaders, input.payloadHash);
}

/**
 * Other canonical requests a valid signature may have been computed over, for
 * the few places a client may have put something on the wire other than AWS's
 * canonical form (an S3 key with characters left unencoded, a '+' meaning a
 * space). Only tried once canonicalRequest's has failed.
 */
export function* alternativeCanonicalRequests(input: CanonicalInput): Generator<string> {
  const canonicalizer = input.s3 ? S3_CANONICALIZER : AWS_CANONICALIZER;
  const path = input.rawPath === '' ? '/' : input.rawPath;
  const paths = [path];
  if (input.s3) {
    const reencoded = reencodePath(path);
    if (reencoded !== path) paths.push(reencoded);
  }
  const queries = [parseQuery(input.rawQuery, input.presigned, false)];
  if (input.rawQuery.includes('+')) queries.push(parseQuery(input.rawQuery, input.presigned, true));
  for (let p = 0; p < paths.length; p++) {
    for (let q = 0; q < queries.length; q++) {
      if (p === 0 && q === 0) continue;
      yield canonicalizer.build(input.method, paths[p]!, queries[q]!, input.headers, input.signedHeaders, input.payloadHash);
    }
  }
}

/** The decoded query, as the signer expects it, from the query string exactly as sent. */
function parseQuery(rawQuery: string, presigned: boolean, plusIsSpace: boolean): QueryBag {
  const query: QueryBag = {};
  if (rawQuery === '') return query;
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq), plusIsSpace);
    if (presigned && key === 'X-Amz-Signature') continue;
    // A key with no '=' (S3's "?acl") is signed as "acl=".
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1), plusIsSpace);
    const existing = query[key];
    if (existing === undefined) query[key] = value;
    else if (typeof existing === 'string') query[key] = [existing, value];
    else existing.push(value);
  }
  return query;
}

function decode(text: string, plusIsSpace: boolean): string {
  const source = plusIsSpace ? text.replace(/\+/g, ' ') : text;
  if (!source.includes('%')) return source;
  try {
    return decodeURIComponent(source);
  } catch {
    return source;
  }
}

/** RFC 3986 encoding as AWS canonicalises: everything but unreserved characters. */
function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** An S3 path with each segment decoded and encoded the canonical way. */
function reencodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => escapeUri(decode(segment, false)))
    .join('/');
}

export function sha256Hex(data: string | Buffer): string {
  return hash('sha256', data, 'hex');
}

export const EMPTY_SHA256 = sha256Hex('');

export function stringToSign(algorithm: string, amzDate: string, scope: string, canonicalRequest: string): string {
  return `${algorithm}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
}

const KEY_CACHE_LIMIT = 512;
const signingKeys = new Map<string, KeyObject>();

/**
 * kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"),
 * kept in a small LRU: every request of a day for one key, region and service shares it.
 */
export function signingKey(secret: string, date: string, region: string, service: string): KeyObject {
  const cacheKey = `${date}\n${region}\n${service}\n${secret}`;
  const cached = signingKeys.get(cacheKey);
  if (cached !== undefined) {
    signingKeys.delete(cacheKey);
    signingKeys.set(cacheKey, cached);
    return cached;
  }
  let key = createHmac('sha256', `AWS4${secret}`).update(date).digest();
  key = createHmac('sha256', key).update(region).digest();
  key = createHmac('sha256', key).update(service).digest();
  key = createHmac('sha256', key).update('aws4_request').digest();
  const keyObject = createSecretKey(key);
  signingKeys.set(cacheKey, keyObject);
  if (signingKeys.size > KEY_CACHE_LIMIT) signingKeys.delete(signingKeys.keys().next().value as string);
  return keyObject;
}

export function hmacHex(key: KeyObject, data: string): string {
  return createHmac('sha256', key).update(data).digest('hex');
}

/** Compares two signatures in time that depends only on their length. */
export function sameSignature(expected: string, provided: string): boolean {
  if (expected.length !== provided.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ provided.charCodeAt(i);
  return diff === 0;
}

/**
 * The cryptographic half of SigV4: the canonical request, the string to sign,
 * the cached signing key and the signature. The canonical request is built by
 * a lean builder that reproduces @smithy/signature-v4's canonicalisation
 * exactly (canonical.test.ts holds the two side by side) and hands anything
 * unusual (unsorted or upper-case SignedHeaders, names that collide with
 * Object.prototype) to smithy's own, so the verifier and the SDK that signed
 * cannot drift apart. Follows
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 * and, for S3's un-normalised path, https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 */
import { createHash, createHmac, hash, type Hash, type Hmac } from 'node:crypto';
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
  return leanCanonicalRequest(input) ?? smithyCanonicalRequest(input);
}

/** The same canonical request through @smithy/signature-v4's canonicalisation (the reference; tests compare). */
export function smithyCanonicalRequest(input: CanonicalInput): string {
  const canonicalizer = input.s3 ? S3_CANONICALIZER : AWS_CANONICALIZER;
  const path = input.rawPath === '' ? '/' : input.rawPath;
  const query = parseQuery(input.rawQuery, input.presigned, false);
  return canonicalizer.build(input.method, path, query, input.headers, input.signedHeaders, input.payloadHash);
}

/**
 * smithy's canonicalisation without its per-request objects, sorts and regular
 * expressions, for every request it can reproduce byte for byte; undefined
 * (use smithy's) when a SignedHeaders list is not strictly ascending lower-case
 * names, or a header or query name is one a plain object already has
 * (smithy keys both by object properties, with odd results for those).
 */
export function leanCanonicalRequest(input: CanonicalInput): string | undefined {
  const path = input.rawPath === '' ? '/' : input.rawPath;
  const query = input.rawQuery === '' ? '' : leanQuery(input.rawQuery);
  if (query === undefined) return undefined;
  const signed = input.signedHeaders;
  let lines = '';
  let previous = '';
  for (let i = 0; i < signed.length; i++) {
    const name = signed[i]!;
    // smithy sorts (and so merges) the names; a list already in order, without repeats, needs neither.
    if ((i > 0 && name <= previous) || !isLowerCase(name) || INHERITED_LOWER_CASE.includes(name)) return undefined;
    const value = input.headers[name];
    if (value !== undefined && typeof value !== 'string') return undefined;
    lines += `${name}:${value === undefined ? '' : canonicalValue(value)}\n`;
    previous = name;
  }
  const signedLine = signed.length === 1 ? signed[0]! : signed.join(';');
  return `${input.method}\n${input.s3 ? path : normalizedPath(path)}\n${query}\n${lines}\n${signedLine}\n${input.payloadHash}`;
}

/** Names every plain object answers for (`__proto__`, `constructor`...), where smithy's object-keyed maps misbehave. */
const INHERITED: object = Object.prototype;
/** The lower-case ones (`constructor`, `__proto__`): a header name is checked against these alone, without a lookup. */
const INHERITED_LOWER_CASE = Object.getOwnPropertyNames(Object.prototype).filter((name) => name === name.toLowerCase());

function isLowerCase(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) return false;
  }
  return true;
}

const NEEDS_FOLDING = /[\r\n\t]|  |^ | $/;

/** A header value as smithy canonicalises it: line breaks to spaces, runs of blanks to one, trimmed. */
function canonicalValue(value: string): string {
  if (!NEEDS_FOLDING.test(value)) return value;
  return value
    .replace(/[\r\n]/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '');
}

/** Every service but S3 signs the path with dot segments and empty segments removed, then encoded twice. */
function normalizedPath(path: string): string {
  if (path === '/') return path;
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

interface QueryPair {
  key: string;
  value: string;
}

/**
 * The canonical query string: every parameter but X-Amz-Signature (in any
 * case, as smithy drops it, which covers a presigned request's own), names and
 * values encoded, sorted by name then value.
 */
function leanQuery(rawQuery: string): string | undefined {
  const pairs: QueryPair[] = [];
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq), false);
    if (key in INHERITED) return undefined;
    if (key.toLowerCase() === 'x-amz-signature') continue;
    pairs.push({ key: escapeUri(key), value: escapeUri(eq < 0 ? '' : decode(pair.slice(eq + 1), false)) });
  }
  if (pairs.length > 1) pairs.sort(byKeyThenValue);
  let out = '';
  for (let i = 0; i < pairs.length; i++) out += `${i === 0 ? '' : '&'}${pairs[i]!.key}=${pairs[i]!.value}`;
  return out;
}

function byKeyThenValue(a: QueryPair, b: QueryPair): number {
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
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

const SUB_DELIMS = /[!'()*]/;

/** RFC 3986 encoding as AWS canonicalises: everything but unreserved characters. */
function escapeUri(text: string): string {
  const encoded = encodeURIComponent(text);
  return SUB_DELIMS.test(encoded) ? encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : encoded;
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
const BLOCK = 64;

/**
 * A derived SigV4 signing key, kept as HMAC-SHA256's two padded key blocks
 * (RFC 2104: key XOR ipad, key XOR opad) so that each signature is two one-shot
 * SHA-256 calls rather than a new Hmac object.
 */
export class SigningKey {
  readonly inner = Buffer.alloc(BLOCK, 0x36);
  /** key XOR opad, then room for the inner digest. */
  readonly outer = Buffer.alloc(BLOCK + 32, 0x5c);
  constructor(key: Buffer) {
    for (let i = 0; i < key.length; i++) {
      this.inner[i] = 0x36 ^ key[i]!;
      this.outer[i] = 0x5c ^ key[i]!;
    }
  }
}

const signingKeys = new Map<string, SigningKey>();
// Requests arrive in runs signed by one key for one service: the last key is checked before the map.
let last: { secret: string; date: string; region: string; service: string; key: SigningKey } | undefined;

/**
 * kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"),
 * kept in a small LRU: every request of a day for one key, region and service shares it
 * (as the SDKs cache it on their side).
 */
export function signingKey(secret: string, date: string, region: string, service: string): SigningKey {
  if (last !== undefined && last.secret === secret && last.date === date && last.region === region && last.service === service) return last.key;
  const cacheKey = `${date}\n${region}\n${service}\n${secret}`;
  let keyObject = signingKeys.get(cacheKey);
  if (keyObject !== undefined) {
    signingKeys.delete(cacheKey);
    signingKeys.set(cacheKey, keyObject);
  } else {
    let key = createHmac('sha256', `AWS4${secret}`).update(date).digest();
    key = createHmac('sha256', key).update(region).digest();
    key = createHmac('sha256', key).update(service).digest();
    key = createHmac('sha256', key).update('aws4_request').digest();
    keyObject = new SigningKey(key);
    signingKeys.set(cacheKey, keyObject);
    if (signingKeys.size > KEY_CACHE_LIMIT) signingKeys.delete(signingKeys.keys().next().value as string);
  }
  last = { secret, date, region, service, key: keyObject };
  return keyObject;
}

const SCRATCH_LIMIT = 64 * 1024;
let scratch = Buffer.allocUnsafe(4096);

/** HMAC-SHA256(key, data) in hex: SHA-256(outer block || SHA-256(inner block || data)). */
export function hmacHex(key: SigningKey, data: string): string {
  // UTF-8 takes at most three bytes per UTF-16 unit; a rare long text (an S3 POST policy) gets a buffer of its own.
  const room = BLOCK + data.length * 3;
  if (scratch.length < room && room <= SCRATCH_LIMIT) scratch = Buffer.allocUnsafe(room);
  const input = scratch.length >= room ? scratch : Buffer.allocUnsafe(room);
  key.inner.copy(input, 0);
  const length = BLOCK + input.write(data, BLOCK, 'utf8');
  // The inner digest as a latin1 ('binary') string: asking node for a Buffer allocates one, which costs more than the hash.
  key.outer.write(hash('sha256', input.subarray(0, length), 'binary'), BLOCK, 'binary');
  return hash('sha256', key.outer, 'hex');
}

/** Compares two signatures in time that depends only on their length. */
export function sameSignature(expected: string, provided: string): boolean {
  if (expected.length !== provided.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ provided.charCodeAt(i);
  return diff === 0;
}

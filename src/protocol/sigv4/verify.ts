/**
 * Checks a parsed SigV4 credential against the secret it resolved to: the
 * session token, the signature over the canonical request, then the payload
 * the signature vouches for (a hex SHA-256 of the body, UNSIGNED-PAYLOAD, or
 * an aws-chunked stream with signed chunks and/or a checksummed trailer).
 * Streaming bodies stay streams: their checks run as the bytes pass and fail
 * the stream before it ends. Follows
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html and
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 */
import { createHash } from 'node:crypto';
import { Readable, Transform, pipeline, type TransformCallback } from 'node:stream';
import type { HttpRequest } from '../types.js';
import { ALGORITHM, type ParsedAuth } from './parse.js';
import { AwsChunkedDecoder } from './chunked.js';
import { verifyV2 } from './sigv2.js';
import {
  alternativeCanonicalRequests,
  canonicalRequest,
  hmacHex,
  sameSignature,
  sha256Hex,
  signingKey,
  stringToSign,
  type SigningKey,
} from './canonical.js';
import {
  SigV4Error,
  expiredTokenError,
  invalidAccessKeyError,
  invalidTokenError,
  signatureMismatch,
} from './errors.js';

export interface SigningCredentials {
  secretAccessKey: string;
  /** Temporary credentials must be presented with exactly this token. */
  sessionToken?: string;
  /** Epoch ms after which the temporary credentials are expired. */
  expiresAt?: number;
}

export interface VerifyOptions {
  now?: Date | number;
}

export interface VerifiedRequest {
  /** The payload to read: the decoded bytes for aws-chunked bodies, a checking stream for streamed ones. */
  body: Buffer | Readable;
  /** x-amz-decoded-content-length of an aws-chunked body: the object's real size. */
  decodedContentLength?: number;
  /** An aws-chunked body's trailer headers; settles once the body has been read. */
  trailers?: Promise<Record<string, string>>;
}

const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';

/**
 * Verifies the request against the credentials its access key resolved to.
 * Throws SigV4Error; resolves with the body the operation should read.
 */
export async function verify(
  req: HttpRequest,
  auth: ParsedAuth,
  creds: SigningCredentials,
  opts: VerifyOptions = {},
): Promise<VerifiedRequest> {
  return verifyRequest(req, auth, creds, opts);
}

/**
 * verify(), answering at once (no promise) when nothing has to be waited for:
 * a buffered body whose payload line is its SHA-256 or UNSIGNED-PAYLOAD, the
 * common case the edge serves. Throws SigV4Error synchronously or rejects.
 */
export function verifyRequest(
  req: HttpRequest,
  auth: ParsedAuth,
  creds: SigningCredentials,
  opts: VerifyOptions = {},
): VerifiedRequest | Promise<VerifiedRequest> {
  checkToken(auth, creds, opts);
  if (auth.version === 2) {
    verifyV2(auth, creds.secretAccessKey);
    return { body: req.body };
  }
  const body = req.body;
  if (auth.payloadHash !== undefined) return verifySigned(req, auth, creds, body, auth.payloadHash, false);
  // Services other than S3 sign the body's hash itself, so the body has to be whole first.
  if (!Buffer.isBuffer(body)) return collect(body).then((whole) => verifySigned(req, auth, creds, whole, sha256Hex(whole), true));
  return verifySigned(req, auth, creds, body, sha256Hex(body), true);
}

function verifySigned(
  req: HttpRequest,
  auth: ParsedAuth,
  creds: SigningCredentials,
  body: Buffer | Readable,
  payloadHash: string,
  hashedHere: boolean,
): VerifiedRequest | Promise<VerifiedRequest> {
  const key = signingKey(creds.secretAccessKey, auth.scope.slice(0, 8), auth.region, auth.service);
  const signedCanonical = matchSignature(req, auth, key, payloadHash);
  // A hash computed from the body itself matches it by construction.
  if (hashedHere) return { body };
  return payload(req, auth, body, payloadHash, key, signedCanonical);
}

function checkToken(auth: ParsedAuth, creds: SigningCredentials, opts: VerifyOptions): void {
  if (creds.sessionToken === undefined) {
    if (auth.sessionToken !== undefined) throw invalidTokenError(auth.style, auth.sessionToken);
    return;
  }
  // AWS reports a temporary key without its own token as an unknown key.
  if (auth.sessionToken !== creds.sessionToken) throw invalidAccessKeyError(auth.style, auth.accessKeyId);
  const now = opts.now === undefined ? Date.now() : typeof opts.now === 'number' ? opts.now : opts.now.getTime();
  if (creds.expiresAt !== undefined && now >= creds.expiresAt) throw expiredTokenError(auth.style, creds.sessionToken);
}

/** The canonical request the signature was made over, or a SignatureDoesNotMatch naming the usual one. */
function matchSignature(req: HttpRequest, auth: ParsedAuth, key: SigningKey, payloadHash: string): string {
  const input = {
    method: req.method,
    rawPath: req.rawPath,
    rawQuery: req.rawQuery,
    headers: req.headers,
    signedHeaders: auth.signedHeaders,
    payloadHash,
    s3: auth.style === 's3',
    presigned: auth.presigned,
  };
  const canonical = canonicalRequest(input);
  const toSign = stringToSign(ALGORITHM, auth.amzDate, auth.scope, canonical);
  if (sameSignature(hmacHex(key, toSign), auth.signature)) return canonical;
  for (const alternative of alternativeCanonicalRequests(input)) {
    if (sameSignature(hmacHex(key, stringToSign(ALGORITHM, auth.amzDate, auth.scope, alternative)), auth.signature)) {
      return alternative;
    }
  }
  throw signatureMismatch(auth.style, {
    accessKeyId: auth.accessKeyId,
    stringToSign: toSign,
    signatureProvided: auth.signature,
    canonicalRequest: canonical,
  });
}

function payload(
  req: HttpRequest,
  auth: ParsedAuth,
  body: Buffer | Readable,
  payloadHash: string,
  key: SigningKey,
  signedCanonical: string,
): VerifiedRequest | Promise<VerifiedRequest> {
  if (payloadHash === 'UNSIGNED-PAYLOAD' || (auth.presigned && !payloadHash.startsWith('STREAMING-'))) return { body };
  if (!payloadHash.startsWith('STREAMING-')) {
    const expected = payloadHash.toLowerCase();
    if (!Buffer.isBuffer(body)) return { body: pipeline(body, new Sha256Check(expected, auth), () => {}) };
    const actual = sha256Hex(body);
    if (actual !== expected) throw contentMismatch(auth, expected, actual);
    return { body };
  }
  const signed = payloadHash === STREAMING_SIGNED || payloadHash === STREAMING_SIGNED_TRAILER;
  if (!signed && payloadHash !== STREAMING_UNSIGNED_TRAILER) {
    throw new SigV4Error('InvalidRequest', `Unsupported x-amz-content-sha256 for this endpoint: ${payloadHash}`, 400);
  }
  const declared = req.headers['x-amz-decoded-content-length'];
  const decodedContentLength = declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : undefined;
  const decoder = new AwsChunkedDecoder({
    style: auth.style,
    trailer: payloadHash !== STREAMING_SIGNED,
    expectedTrailers: splitList(req.headers['x-amz-trailer']),
    decodedLength: decodedContentLength,
    signing: signed
      ? {
          key,
          amzDate: auth.amzDate,
          scope: auth.scope,
          seedSignature: auth.signature,
          accessKeyId: auth.accessKeyId,
          canonicalRequest: signedCanonical,
        }
      : undefined,
  });
  if (Buffer.isBuffer(body)) {
    return collect(Readable.from([body]).pipe(decoder)).then((decoded) => ({ body: decoded, decodedContentLength, trailers: decoder.trailers }));
  }
  return { body: pipeline(body, decoder, () => {}), decodedContentLength, trailers: decoder.trailers };
}

/** Passes a streamed body through, failing it at the end when its SHA-256 is not the signed one. */
class Sha256Check extends Transform {
  private readonly hash = createHash('sha256');
  constructor(
    private readonly expected: string,
    private readonly auth: ParsedAuth,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    callback(null, chunk);
  }
  override _flush(callback: TransformCallback): void {
    const actual = this.hash.digest('hex');
    callback(actual === this.expected ? null : contentMismatch(this.auth, this.expected, actual));
  }
}

function contentMismatch(auth: ParsedAuth, expected: string, actual: string): SigV4Error {
  // Elsewhere a body that is not the one signed is simply a signature that does not match.
  if (auth.style !== 's3') {
    return signatureMismatch(auth.style, { accessKeyId: auth.accessKeyId, stringToSign: '', signatureProvided: '', canonicalRequest: '' });
  }
  return new SigV4Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", 400, {
    ClientComputedContentSHA256: expected,
    S3ComputedContentSHA256: actual,
  });
}

function splitList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

/** S3 stores an object's Content-Encoding without the transfer-only "aws-chunked". */
export function stripAwsChunked(contentEncoding: string | undefined): string | undefined {
  if (contentEncoding === undefined) return undefined;
  const rest = splitList(contentEncoding).filter((item) => item.toLowerCase() !== 'aws-chunked');
  return rest.length > 0 ? rest.join(',') : undefined;
}

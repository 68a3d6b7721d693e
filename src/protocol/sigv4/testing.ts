/**
 * Test support for the SigV4 suites: turns requests produced by the real
 * signers (@smithy/signature-v4, the S3 client, botocore) into the gateway's
 * HttpRequest shape, exactly as they would arrive on the wire. Not used by the
 * verifier itself.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { Readable } from 'node:stream';
import { HttpRequest as SmithyRequest, type IHttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '../types.js';

export const AKID = 'AKIDEXAMPLE';
export const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
export const TOKEN = 'FwoGZXIvYXdzEDMaDPWKaVEQA+D5xrr7/CLEAXcx9p1NGpYqnz4/E/Co7SDSgOfSLz6gSlnOJ9Ce6IwrZPNDldt9Ju==';
/** A fixed clock: every suite signs and verifies at this instant unless it says otherwise. */
export const NOW = Date.UTC(2024, 0, 1, 0, 0, 0);

/** A SHA-256 constructor for the smithy signer, from node:crypto (what @smithy/hash-node does). */
export class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash =
      secret === undefined
        ? createHash('sha256')
        : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as ArrayBuffer));
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
  reset(): void {}
}

export function signer(service: string, opts: { region?: string; s3?: boolean; token?: string; secret?: string } = {}): SignatureV4 {
  return new SignatureV4({
    service,
    region: opts.region ?? 'us-east-1',
    credentials: { accessKeyId: AKID, secretAccessKey: opts.secret ?? SECRET, sessionToken: opts.token },
    sha256: Sha256,
    uriEscapePath: !opts.s3,
    applyChecksum: opts.s3 ?? false,
  });
}

/** RFC 3986 encoding, as the SDK's HTTP handler writes query strings. */
export function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** What node:http would hand the gateway for a request the SDK signed. */
export function fromSmithy(request: IHttpRequest, body?: Buffer | Readable): HttpRequest {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(request.query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) {
      pairs.push(v === null || v === undefined ? escapeUri(key) : `${escapeUri(key)}=${escapeUri(v)}`);
    }
  }
  return fromWire(request.method, `${request.path}${pairs.length ? `?${pairs.join('&')}` : ''}`, request.headers, body ?? toBuffer(request.body));
}

/** A request from its method, raw target (path?query) and headers, as node:http parses it. */
export function fromWire(method: string, target: string, headers: Record<string, string>, body: Buffer | Readable = Buffer.alloc(0)): HttpRequest {
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const rawQuery = q < 0 ? '' : target.slice(q + 1);
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = String(value);
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(rawQuery)) {
    const existing = query[key];
    query[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return { method, rawPath, rawQuery, query, headers: lower, body, hostname: (lower.host ?? '').split(':')[0]! };
}

function toBuffer(body: unknown): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new Error('test bodies must be strings or bytes');
}

export function newRequest(init: ConstructorParameters<typeof SmithyRequest>[0]): SmithyRequest {
  return new SmithyRequest({ protocol: 'https:', hostname: 'localhost', ...init });
}

export async function readAll(body: Buffer | Readable): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Runs fn and returns what it threw (asserting that it threw). */
export async function rejection(fn: () => unknown): Promise<Record<string, unknown> & { code: string; status: number; message: string; fields: Record<string, unknown> }> {
  try {
    await fn();
  } catch (error) {
    return error as never;
  }
  throw new Error('expected a rejection');
}

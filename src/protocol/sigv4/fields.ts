/**
 * What every SigV4 parser shares: the shape of a parsed credential, the
 * options a check runs with, and the readers of the request's date,
 * Authorization components and query parameters. See
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-elements.html
 */
import type { HttpRequest } from '../types.js';
import type { SigV4Style } from './errors.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const WEEK_SECONDS = 604800;

export interface ParseOptions {
  style: SigV4Style;
  /** The server's clock (tests pin it). */
  now?: Date | number;
  /** How far the request date may be from now; 15 minutes, as AWS allows. */
  maxSkewMs?: number;
  /** The region this endpoint signs for; a credential scoped elsewhere is refused. Unchecked when absent. */
  region?: string;
  /** The signing name this endpoint expects ("s3", "sts"...). Unchecked when absent. */
  service?: string;
  /** S3: the bucket a virtual-hosted-style request names in its Host header (SigV2 signs it). */
  bucket?: string;
}

export interface ParsedAuth {
  style: SigV4Style;
  /** 4, or 2 for S3's legacy signatures (which have no scope and sign no payload). */
  version: 2 | 4;
  accessKeyId: string;
  /** The timestamp line of the string to sign, as sent. */
  amzDate: string;
  date: Date;
  region: string;
  service: string;
  /** "<yyyymmdd>/<region>/<service>/aws4_request" */
  scope: string;
  signedHeaders: string[];
  signature: string;
  presigned: boolean;
  expiresSeconds?: number;
  sessionToken?: string;
  /** The payload line of the canonical request; undefined means "the SHA-256 of the body". */
  payloadHash: string | undefined;
  /** SigV2 only: what was signed, which needs no secret to compute. */
  stringToSign?: string;
}

/** A request being parsed, with the clock and window it is judged by. */
export interface ParseContext {
  req: HttpRequest;
  opts: ParseOptions;
  now: number;
  skew: number;
}

export interface Scope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  scope: string;
}

export interface AuthParts {
  credential?: string;
  signedHeaders?: string;
  signature?: string;
}

/** How every SDK writes the three components; the general split below reads it the same way. */
const SDK_SHAPE = /^Credential=([^,\s]+), ?SignedHeaders=([^,\s]+), ?Signature=([^,\s]+)$/;

/** "Credential=..., SignedHeaders=..., Signature=..." (commas, spaces or both between them). */
export function authParts(text: string): AuthParts {
  const sdk = SDK_SHAPE.exec(text);
  if (sdk) return { credential: sdk[1], signedHeaders: sdk[2], signature: sdk[3] };
  const parts: AuthParts = {};
  for (const piece of text.split(/[,\s]+/)) {
    const eq = piece.indexOf('=');
    if (eq < 0) continue;
    const name = piece.slice(0, eq);
    const value = piece.slice(eq + 1);
    if (name === 'Credential') parts.credential = value;
    else if (name === 'SignedHeaders') parts.signedHeaders = value;
    else if (name === 'Signature') parts.signature = value;
  }
  return parts;
}

/** "20240101T000000Z" to epoch ms, or undefined. */
export function parseAmzDate(text: string): number | undefined {
  if (text.length !== 16 || text.charCodeAt(8) !== 84 /* T */ || text.charCodeAt(15) !== 90 /* Z */) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 4, 6);
  const day = digits(text, 6, 8);
  const hour = digits(text, 9, 11);
  const minute = digits(text, 11, 13);
  const second = digits(text, 13, 15);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls "20240230" over into March: such a date is not one.
  return Number.isNaN(ms) || new Date(ms).getUTCDate() !== day ? undefined : ms;
}

/** The ASCII digits text[from, to) as a number; -1 if any is not one. */
function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** The request date: x-amz-date when sent (readable or not), else the HTTP Date header. */
export function headerDate(headers: Record<string, string>): { text: string | undefined; ms: number | undefined } {
  const amz = headers['x-amz-date'];
  if (amz !== undefined) return { text: amz, ms: parseAmzDate(amz) };
  const http = headers.date;
  if (http === undefined) return { text: undefined, ms: undefined };
  const ms = parseAmzDate(http) ?? Date.parse(http);
  return { text: http, ms: Number.isNaN(ms) ? undefined : ms };
}

/** The query string's parameters, decoded without reading '+' as a space (SigV4 clients encode it). */
export function queryParams(rawQuery: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const pair of rawQuery.split('&')) {
    const eq = pair.indexOf('=');
    const key = safeDecode(eq < 0 ? pair : pair.slice(0, eq));
    if (!params.has(key)) params.set(key, eq < 0 ? '' : safeDecode(pair.slice(eq + 1)));
  }
  return params;
}

function safeDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Scalar conversions shared by every protocol: text (query strings, XML text,
 * headers, URI labels) to typed values and back, timestamps in the three AWS
 * formats, and blobs. Providers see timestamps as Date and blobs as Buffer; on
 * output they may hand back a Date, an ISO-8601 string or a number of epoch
 * seconds. https://smithy.io/2.0/spec/protocol-traits.html#timestampformat-trait
 */
import { Readable } from 'node:stream';
import type { ServiceError } from '../core/errors.js';
import type { Shape, TimestampFormat } from './model.js';

/** Builds the protocol's own "bad input" error (SerializationException, MalformedXML...). */
export type BadInput = (message: string) => ServiceError;

const INT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const EPOCH_RE = /^[+-]?\d+(\.\d+)?$/;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Converts one textual value to the shape's type; `where` names the parameter in error messages. */
export function parseText(shape: Shape, text: string, bad: BadInput, where: string): unknown {
  switch (shape.type) {
    case 'string':
    case 'character':
      return text;
    case 'boolean': {
      const lower = text.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      throw bad(`Value '${text}' at '${where}' failed to satisfy constraint: Member must be a boolean`);
    }
    case 'integer':
    case 'long':
    case 'short':
    case 'byte':
    case 'biginteger': {
      const t = text.trim();
      if (!INT_RE.test(t)) throw bad(`Value '${text}' at '${where}' failed to satisfy constraint: Member must be an integer`);
      return Number(t);
    }
    case 'float':
    case 'double':
    case 'bigdecimal': {
      const t = text.trim();
      if (t === 'NaN') return NaN;
      if (t === 'Infinity') return Infinity;
      if (t === '-Infinity') return -Infinity;
      if (!FLOAT_RE.test(t)) throw bad(`Value '${text}' at '${where}' failed to satisfy constraint: Member must be a number`);
      return Number(t);
    }
    case 'timestamp': {
      const d = parseTimestamp(text);
      if (!d) throw bad(`Value '${text}' at '${where}' failed to satisfy constraint: Member must be a timestamp`);
      return d;
    }
    case 'blob':
      return decodeBase64(text, bad, where);
    default:
      throw bad(`Value at '${where}' has an unexpected type`);
  }
}

/** Accepts ISO-8601, RFC 822/7231 dates and epoch seconds; undefined when unparseable. */
export function parseTimestamp(text: string | number): Date | undefined {
  if (typeof text === 'number') return Number.isFinite(text) ? new Date(text * 1000) : undefined;
  const t = text.trim();
  if (t === '') return undefined;
  if (EPOCH_RE.test(t)) return new Date(Number(t) * 1000);
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

export function decodeBase64(text: string, bad: BadInput, where: string): Buffer {
  const t = text.replace(/\s+/g, '');
  if (t.length % 4 === 1 || !BASE64_RE.test(t)) throw bad(`Value at '${where}' is not valid base64`);
  return Buffer.from(t, 'base64');
}

/** A provider's timestamp value (Date, ISO string, epoch seconds) as a Date. */
export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value * 1000);
  if (typeof value === 'string') return parseTimestamp(value) ?? new Date(NaN);
  return new Date(NaN);
}

/** ISO-8601 in UTC; `millis: false` drops a zero fraction (IAM writes 2012-05-08T23:34:01Z). */
export function isoString(d: Date, millis: boolean): string {
  const s = d.toISOString();
  return !millis && s.endsWith('.000Z') ? s.slice(0, -5) + 'Z' : s;
}

/** A timestamp in a textual format (XML, query, headers). */
export function formatTimestampText(value: unknown, format: TimestampFormat, millis = true): string {
  const d = toDate(value);
  if (Number.isNaN(d.getTime())) return typeof value === 'string' ? value : '';
  switch (format) {
    case 'rfc822':
      return d.toUTCString();
    case 'unixTimestamp':
      return String(d.getTime() / 1000);
    default:
      return isoString(d, millis);
  }
}

/** Epoch seconds, fractional when the instant has milliseconds (JSON protocols' default). */
export function epochSeconds(value: unknown): number {
  return toDate(value).getTime() / 1000;
}

export function toBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  return Buffer.from(String(value), 'utf8');
}

function formatNumber(value: unknown): string {
  const n = typeof value === 'number' ? value : Number(value);
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return String(n);
}

/** A scalar value as text for XML, query and headers; timestamps default to `tsDefault`. */
export function formatText(shape: Shape, value: unknown, tsDefault: TimestampFormat, millis = true): string {
  switch (shape.type) {
    case 'timestamp':
      return formatTimestampText(value, shape.timestampFormat ?? tsDefault, millis);
    case 'blob':
      return toBuffer(value).toString('base64');
    case 'boolean':
      return value === true || value === 'true' ? 'true' : 'false';
    case 'integer':
    case 'long':
    case 'short':
    case 'byte':
    case 'float':
    case 'double':
    case 'bigdecimal':
    case 'biginteger':
      return formatNumber(value);
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8 decode; invalid byte sequences become the caller's protocol error. */
export function decodeUtf8(body: Buffer, bad: BadInput): string {
  try {
    return utf8.decode(body);
  } catch {
    throw bad('The request body is not valid UTF-8');
  }
}

export function isReadable(body: unknown): body is Readable {
  return typeof body === 'object' && body !== null && typeof (body as Readable).pipe === 'function';
}

/** Streaming payloads reach providers as a Readable whether or not the gateway buffered them. */
export function asStream(body: Buffer | Readable): Readable {
  return isReadable(body) ? body : Readable.from(body.length > 0 ? [body] : []);
}

/**
 * Shape-driven JSON for the awsJson1_0/1_1 and restJson1 protocols: member
 * names come from `locationName` when set, timestamps default to epoch seconds,
 * blobs travel as base64, and non-finite doubles as the strings "NaN" and
 * "Infinity". Reading checks every JSON type against the model so a wrong type
 * becomes the protocol's 400 instead of reaching a provider.
 * https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html
 */
import { memo, isNumeric, type Shape } from './model.js';
import { decodeBase64, decodeUtf8, epochSeconds, formatTimestampText, parseTimestamp, toBuffer, type BadInput } from './scalars.js';

interface JsonMember {
  name: string;
  shape: Shape;
  key: string;
}

/** Members that travel in the JSON body (no HTTP binding), computed once per structure. */
export function jsonMembers(shape: Shape): JsonMember[] {
  return memo(shape, 'json', () =>
    Object.entries(shape.members)
      .filter(([, m]) => m.location === undefined)
      .map(([name, m]) => ({ name, shape: m, key: m.locationName ?? name })),
  );
}

/** A provider value as a JSON-ready value. */
export function toJson(shape: Shape, value: unknown): unknown {
  switch (shape.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      const v = value as Record<string, unknown>;
      for (const m of jsonMembers(shape)) {
        const item = v[m.name];
        if (item !== undefined && item !== null) out[m.key] = toJson(m.shape, item);
      }
      return out;
    }
    case 'list':
      return (value as unknown[]).map((item) => (item === null || item === undefined ? null : toJson(shape.member!, item)));
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(value as Record<string, unknown>)) {
        if (item !== undefined) out[k] = item === null ? null : toJson(shape.value!, item);
      }
      return out;
    }
    case 'timestamp': {
      const format = shape.timestampFormat ?? 'unixTimestamp';
      return format === 'unixTimestamp' ? epochSeconds(value) : formatTimestampText(value, format);
    }
    case 'blob':
      return toBuffer(value).toString('base64');
    case 'float':
    case 'double':
    case 'bigdecimal': {
      const n = Number(value);
      if (Number.isFinite(n)) return n;
      return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
    }
    case 'integer':
    case 'long':
    case 'short':
    case 'byte':
    case 'biginteger':
      return typeof value === 'number' ? value : Number(value);
    case 'boolean':
      return value === true || value === 'true';
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function expected(bad: BadInput, what: string, value: unknown, where: string): never {
  throw bad(`Expected ${what} at '${where || '$'}' but found ${kindOf(value)}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A parsed JSON value as the shape's typed value (Date, Buffer, number...). */
export function fromJson(shape: Shape, value: unknown, bad: BadInput, where: string): unknown {
  switch (shape.type) {
    case 'structure': {
      if (!isPlainObject(value)) expected(bad, 'an object', value, where);
      const out: Record<string, unknown> = {};
      for (const m of jsonMembers(shape)) {
        const item = value[m.key];
        if (item === undefined || item === null) continue;
        out[m.name] = fromJson(m.shape, item, bad, where ? `${where}.${m.key}` : m.key);
      }
      return out;
    }
    case 'list': {
      if (!Array.isArray(value)) expected(bad, 'an array', value, where);
      return value.map((item, i) => (item === null ? null : fromJson(shape.member!, item, bad, `${where}[${i}]`)));
    }
    case 'map': {
      if (!isPlainObject(value)) expected(bad, 'an object', value, where);
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(value)) {
        out[k] = item === null ? null : fromJson(shape.value!, item, bad, `${where}.${k}`);
      }
      return out;
    }
    case 'timestamp': {
      if (typeof value !== 'number' && typeof value !== 'string') expected(bad, 'a timestamp', value, where);
      const d = parseTimestamp(value);
      if (!d) expected(bad, 'a timestamp', value, where);
      return d;
    }
    case 'blob':
      if (typeof value !== 'string') expected(bad, 'a base64 string', value, where);
      return decodeBase64(value, bad, where);
    case 'boolean':
      if (typeof value !== 'boolean') expected(bad, 'a boolean', value, where);
      return value;
    case 'string':
    case 'character':
      if (typeof value !== 'string') expected(bad, 'a string', value, where);
      return value;
    default:
      if (isNumeric(shape.type)) {
        if (typeof value === 'number') {
          if (shape.type !== 'float' && shape.type !== 'double' && shape.type !== 'bigdecimal' && !Number.isInteger(value)) {
            expected(bad, 'an integer', value, where);
          }
          return value;
        }
        if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') {
          if (shape.type === 'float' || shape.type === 'double') return Number(value);
        }
        expected(bad, 'a number', value, where);
      }
      return value;
  }
}

/**
 * JSON.parse of a request body with the checks AWS applies first: valid UTF-8
 * and a single JSON value. An empty body reads as `{}`.
 */
export function parseJsonBody(body: Buffer, bad: BadInput): unknown {
  if (body.length === 0) return {};
  const text = decodeUtf8(body, bad);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw bad(`Could not parse request body into json: ${(err as Error).message}`);
  }
}

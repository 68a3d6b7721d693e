/**
 * Turning a Lambda function's result into the HTTP API's response, by the
 * rules of each payload format, and API Gateway's own error responses.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html#http-api-develop-integrations-lambda.response
 *
 * 2.0: valid JSON without a `statusCode` is a 200 `application/json` whose
 * body is the result (a JSON string's value, anything else as the JSON
 * text); with one, `statusCode`, `headers`, `multiValueHeaders`, `cookies`
 * (each a Set-Cookie), `body` and `isBase64Encoded` are read. 1.0: the
 * result must be an object with `statusCode`. Anything malformed (a body
 * that is not a string, a header value that is an object, a status that is
 * no status) makes API Gateway answer 500 {"message":"Internal Server Error"}.
 */

export interface MappedResponse {
  status: number;
  /** Lower-case names; Set-Cookie (and any repeated header) as an array. */
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** API Gateway's JSON error body, e.g. 404 {"message":"Not Found"}. */
export function gatewayError(status: number, message: string, headers: Record<string, string> = {}): MappedResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(JSON.stringify({ message })) };
}

export const NOT_FOUND = (): MappedResponse => gatewayError(404, 'Not Found');
export const INTERNAL_ERROR = (): MappedResponse => gatewayError(500, 'Internal Server Error');
export const UNAUTHORIZED = (headers?: Record<string, string>): MappedResponse => gatewayError(401, 'Unauthorized', headers);
export const FORBIDDEN = (headers?: Record<string, string>): MappedResponse => gatewayError(403, 'Forbidden', headers);
export const TOO_MANY_REQUESTS = (): MappedResponse => gatewayError(429, 'Too Many Requests');
export const SERVICE_UNAVAILABLE = (): MappedResponse => gatewayError(503, 'Service Unavailable');

/** What API Gateway writes itself; an integration's values for these are not passed on. */
const GATEWAY_OWNED = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'apigw-requestid']);

/** Used when a structured result names no Content-Type but has a body. */
const DEFAULT_CONTENT_TYPE = 'text/plain; charset=utf-8';

class Malformed extends Error {}

function parse(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    throw new Malformed('the result is not JSON');
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function statusOf(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{3}$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 100 || n > 599) throw new Malformed('statusCode is not an HTTP status');
  return n;
}

function scalar(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new Malformed('a header value is not a string, number or boolean');
}

function addHeader(out: Record<string, string | string[]>, name: string, value: string): void {
  const key = name.toLowerCase();
  if (GATEWAY_OWNED.has(key)) return;
  const prev = out[key];
  if (prev === undefined) out[key] = key === 'set-cookie' ? [value] : value;
  else if (Array.isArray(prev)) prev.push(value);
  else out[key] = [prev, value];
}

function readHeaders(result: Record<string, unknown>, out: Record<string, string | string[]>): void {
  const multi = result.multiValueHeaders;
  if (multi !== undefined && multi !== null) {
    if (!isObject(multi)) throw new Malformed('multiValueHeaders is not an object');
    for (const [name, values] of Object.entries(multi)) {
      if (values === null || values === undefined) continue;
      if (!Array.isArray(values)) throw new Malformed('a multiValueHeaders entry is not a list');
      for (const v of values) addHeader(out, name, scalar(v));
    }
  }
  const single = result.headers;
  if (single !== undefined && single !== null) {
    if (!isObject(single)) throw new Malformed('headers is not an object');
    for (const [name, value] of Object.entries(single)) {
      if (value === null || value === undefined) continue;
      const v = scalar(value);
      const prev = out[name.toLowerCase()];
      // A header named in both maps with the same value is sent once.
      if (prev === v || (Array.isArray(prev) && prev.includes(v))) continue;
      addHeader(out, name, v);
    }
  }
}

function readBody(result: Record<string, unknown>): Buffer {
  const body = result.body;
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body !== 'string') throw new Malformed('body is not a string');
  return result.isBase64Encoded === true ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

function structured(result: Record<string, unknown>, cookies: boolean): MappedResponse {
  const status = statusOf(result.statusCode);
  const headers: Record<string, string | string[]> = {};
  readHeaders(result, headers);
  if (cookies && result.cookies !== undefined && result.cookies !== null) {
    if (!Array.isArray(result.cookies)) throw new Malformed('cookies is not a list');
    for (const c of result.cookies) addHeader(headers, 'set-cookie', scalar(c));
  }
  const body = readBody(result);
  if (headers['content-type'] === undefined && body.length > 0) headers['content-type'] = DEFAULT_CONTENT_TYPE;
  return { status, headers, body };
}

/** Payload format 2.0; undefined when API Gateway would answer 500 for a malformed result. */
export function mapResponseV2(payload: Buffer): MappedResponse | undefined {
  try {
    const result = parse(payload);
    if (isObject(result) && 'statusCode' in result) return structured(result, true);
    const body = typeof result === 'string' ? Buffer.from(result, 'utf8') : Buffer.from(payload.toString('utf8').trim(), 'utf8');
    return { status: 200, headers: { 'content-type': 'application/json' }, body };
  } catch (err) {
    if (err instanceof Malformed) return undefined;
    throw err;
  }
}

/** Payload format 1.0; undefined when API Gateway would answer 500 for a malformed result. */
export function mapResponseV1(payload: Buffer): MappedResponse | undefined {
  try {
    const result = parse(payload);
    if (!isObject(result) || !('statusCode' in result)) return undefined;
    return structured(result, false);
  } catch (err) {
    if (err instanceof Malformed) return undefined;
    throw err;
  }
}

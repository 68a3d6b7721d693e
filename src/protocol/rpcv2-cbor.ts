/**
 * The smithy RPC v2 CBOR protocol (CloudWatch offers it to botocore and SDK v3
 * clients next to awsJson1_0 and awsQuery): every call is
 * `POST {prefix}/service/{ServiceName}/operation/{Operation}` with
 * `smithy-protocol: rpc-v2-cbor` and the input structure as one CBOR map
 * keyed by member names; HTTP binding traits are ignored. Timestamps travel as
 * tag 1 epoch seconds, blobs as byte strings. Responses repeat the
 * smithy-protocol header; an operation without output answers an empty body
 * and no Content-Type. Errors are the error's members plus `__type`, its
 * absolute shape id, with the model's status.
 * https://smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2.html
 */
import { ServiceError } from '../core/errors.js';
import { CborError, CborWriter, decodeCbor, type CborValue } from './cbor.js';
import { resolveError } from './errors.js';
import { isNumeric, memo, type ServiceModel, type Shape } from './model.js';
import { isReadable, toBuffer, toDate, type BadInput } from './scalars.js';
import type { HttpRequest, HttpResponse, SerializeContext, ServiceCodec } from './types.js';

export const SMITHY_PROTOCOL = 'rpc-v2-cbor';
const CONTENT_TYPE = 'application/cbor';

export interface RpcV2CborOptions {
  /** The service shape's name, e.g. GraniteServiceVersion20100801 for CloudWatch. */
  serviceName: string;
  /** The Smithy namespace of the service's shapes, e.g. com.amazonaws.cloudwatch. */
  namespace: string;
}

/** Whether a request says it speaks RPC v2 CBOR. */
export function isRpcV2Cbor(req: HttpRequest): boolean {
  const h = req.headers['smithy-protocol'];
  return h !== undefined && h.trim().toLowerCase() === SMITHY_PROTOCOL;
}

const serialization: BadInput = (message) => new ServiceError('SerializationException', message, { status: 400 });

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (Buffer.isBuffer(v)) return 'a byte string';
  if (v instanceof Date) return 'a timestamp';
  if (v instanceof Map) return 'a map with non-string keys';
  return typeof v === 'object' ? 'a map' : `a ${typeof v}`;
}

function expected(what: string, v: unknown, where: string): never {
  throw serialization(`Expected ${what} at '${where || '$'}' but found ${kindOf(v)}`);
}

function isStringMap(v: unknown): v is Record<string, CborValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v) && !(v instanceof Date) && !(v instanceof Map) && Object.getPrototypeOf(v) === Object.prototype;
}

/** Every member travels in the body under its member name: rpcv2Cbor ignores HTTP bindings. */
function members(shape: Shape): Array<[string, Shape]> {
  return memo(shape, 'cbor', () => Object.entries(shape.members));
}

/** A decoded CBOR value as the shape's typed value (Date, Buffer, number...). */
function fromCbor(shape: Shape, v: CborValue, where: string): unknown {
  switch (shape.type) {
    case 'structure': {
      if (!isStringMap(v)) expected('a map', v, where);
      const out: Record<string, unknown> = {};
      for (const [name, m] of members(shape)) {
        const item = v[name];
        // null and undefined both mean absent (the spec reads CBOR undefined as null).
        if (item === undefined || item === null) continue;
        out[name] = fromCbor(m, item, where ? `${where}.${name}` : name);
      }
      return out;
    }
    case 'list': {
      if (!Array.isArray(v)) expected('an array', v, where);
      return v.map((item, i) => (item === null || item === undefined ? null : fromCbor(shape.member!, item, `${where}[${i}]`)));
    }
    case 'map': {
      if (!isStringMap(v)) expected('a map', v, where);
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        out[k] = item === null || item === undefined ? null : fromCbor(shape.value!, item, `${where}.${k}`);
      }
      return out;
    }
    case 'timestamp':
      if (v instanceof Date) return v;
      // Tag 1 is what the spec sends; a bare number of epoch seconds is accepted too.
      if (typeof v === 'number' && Number.isFinite(v)) return new Date(v * 1000);
      return expected('a timestamp', v, where);
    case 'blob':
      if (!Buffer.isBuffer(v)) expected('a byte string', v, where);
      return v;
    case 'boolean':
      if (typeof v !== 'boolean') expected('a boolean', v, where);
      return v;
    case 'string':
    case 'character':
      if (typeof v !== 'string') expected('a string', v, where);
      return v;
    default: {
      if (!isNumeric(shape.type)) return v;
      const floating = shape.type === 'float' || shape.type === 'double' || shape.type === 'bigdecimal';
      if (typeof v === 'bigint') return shape.type === 'biginteger' ? v : Number(v);
      if (typeof v !== 'number') expected('a number', v, where);
      if (!floating && !Number.isInteger(v)) expected('an integer', v, where);
      return v;
    }
  }
}

/** Writes a provider value in the shape's CBOR form. */
function writeValue(w: CborWriter, shape: Shape, value: unknown): void {
  switch (shape.type) {
    case 'structure': {
      const v = value as Record<string, unknown>;
      const present = members(shape).filter(([name]) => v[name] !== undefined && v[name] !== null);
      w.mapHeader(present.length);
      for (const [name, m] of present) {
        w.text(name);
        writeValue(w, m, v[name]);
      }
      return;
    }
    case 'list': {
      const items = value as unknown[];
      w.arrayHeader(items.length);
      for (const item of items) {
        if (item === null || item === undefined) w.null();
        else writeValue(w, shape.member!, item);
      }
      return;
    }
    case 'map': {
      const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
      w.mapHeader(entries.length);
      for (const [k, item] of entries) {
        w.text(k);
        if (item === null) w.null();
        else writeValue(w, shape.value!, item);
      }
      return;
    }
    case 'timestamp':
      w.epoch(toDate(value));
      return;
    case 'blob':
      w.bytes(toBuffer(value));
      return;
    case 'boolean':
      w.bool(value === true || value === 'true');
      return;
    case 'float':
    case 'double':
    case 'bigdecimal': {
      const n = Number(value);
      // A float shape fits single precision; anything else keeps all its bits (half precision is never sent).
      if (shape.type === 'float' && Math.fround(n) === n) w.float32(n);
      else w.float64(n);
      return;
    }
    case 'integer':
    case 'long':
    case 'short':
    case 'byte':
    case 'biginteger': {
      if (typeof value === 'bigint') w.int(value);
      else {
        const n = Number(value);
        if (Number.isInteger(n)) w.int(n);
        else w.float64(n);
      }
      return;
    }
    default:
      w.text(typeof value === 'string' ? value : String(value));
  }
}

export class RpcV2CborCodec implements ServiceCodec {
  readonly protocol = 'rpc-v2-cbor' as const;
  private readonly serviceNames: Set<string>;
  /** Error shape name by wire code, for `__type`. */
  private readonly errorShapes = new Map<string, string>();

  constructor(
    private readonly model: ServiceModel,
    private readonly options: RpcV2CborOptions,
  ) {
    // The spec asks servers to accept the absolute service id with '#' as '.', too.
    this.serviceNames = new Set([options.serviceName, `${options.namespace}.${options.serviceName}`]);
    // The model lists each error by shape name first, then by code when they differ.
    for (const [name, info] of model.errors) if (!this.errorShapes.has(info.code)) this.errorShapes.set(info.code, name);
  }

  resolveOperation(req: HttpRequest): string | undefined {
    if (req.method !== 'POST') return undefined;
    // The spec forbids X-Amz-Target on this protocol; such a request is malformed, not routable.
    if (req.headers['x-amz-target'] !== undefined || req.headers['x-amzn-target'] !== undefined) return undefined;
    // Only the last four segments route; anything before them is a prefix.
    const parts = req.rawPath.split('/');
    if (parts.length < 5) return undefined;
    const [service, svcName, operation, opName] = parts.slice(-4);
    if (service !== 'service' || operation !== 'operation' || !this.serviceNames.has(svcName!)) return undefined;
    return this.model.operations.has(opName!) ? opName : undefined;
  }

  hasStreamingInput(): boolean {
    return false;
  }

  async parse(operation: string, req: HttpRequest): Promise<Record<string, unknown>> {
    if (isReadable(req.body)) throw serialization('The request body must be buffered');
    const body = req.body;
    const type = req.headers['content-type'];
    if (body.length > 0 && type !== undefined && type.split(';')[0]!.trim().toLowerCase() !== CONTENT_TYPE) {
      throw new ServiceError('UnsupportedMediaTypeException', `Unsupported Content-Type: ${type}`, { status: 415 });
    }
    const input = this.model.operations.get(operation)?.input;
    if (body.length === 0) return {};
    let decoded: CborValue;
    try {
      decoded = decodeCbor(body);
    } catch (err) {
      if (err instanceof CborError) throw serialization(`Could not parse request body into CBOR: ${err.message}`);
      throw err;
    }
    if (!input) {
      if (!isStringMap(decoded)) expected('a map', decoded, '');
      return {};
    }
    return fromCbor(input, decoded, '') as Record<string, unknown>;
  }

  serialize(operation: string, output: Record<string, unknown> | undefined, ctx: SerializeContext): HttpResponse {
    const shape = this.model.operations.get(operation)?.output;
    const headers: Record<string, string> = { 'smithy-protocol': SMITHY_PROTOCOL, 'x-amzn-requestid': ctx.requestId };
    // An operation without an output shape (Unit) answers no body and no Content-Type.
    if (!shape) return { status: 200, headers, body: Buffer.alloc(0) };
    const w = new CborWriter();
    writeValue(w, shape, output ?? {});
    headers['content-type'] = CONTENT_TYPE;
    return { status: 200, headers, body: w.finish() };
  }

  serializeError(error: unknown, _operation: string | undefined, ctx: SerializeContext): HttpResponse {
    const e = resolveError(this.model, error, 'InternalFailure');
    const fields = Object.entries(e.fields).filter(([k, v]) => v !== undefined && v !== null && k !== '__type' && k !== 'message');
    const w = new CborWriter();
    w.mapHeader(2 + fields.length);
    w.text('__type').text(`${this.options.namespace}#${this.errorShapes.get(e.code) ?? e.code}`);
    w.text('message').text(e.message);
    for (const [k, v] of fields) w.text(k).value(v);
    return {
      status: e.status,
      headers: {
        ...e.headers,
        'smithy-protocol': SMITHY_PROTOCOL,
        'content-type': CONTENT_TYPE,
        'x-amzn-requestid': ctx.requestId,
      },
      body: w.finish(),
    };
  }
}

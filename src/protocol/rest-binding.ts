/**
 * The HTTP bindings restXml and restJson1 share: URI labels, query-string
 * members (and maps of them), headers (including prefix maps such as
 * `x-amz-meta-`), the status-code member, and the skeleton of a rest codec. The
 * XML and JSON codecs only supply how a body is read and written.
 * https://smithy.io/2.0/spec/http-bindings.html
 */
import type { Readable } from 'node:stream';
import { ServiceError } from '../core/errors.js';
import { memo, type OperationModel, type ServiceModel, type Shape } from './model.js';
import { RestRouter, type RouteMatch } from './rest-router.js';
import { formatText, isReadable, parseText, parseTimestamp, toDate, type BadInput } from './scalars.js';
import type { HttpRequest, HttpResponse, SerializeContext, ServiceCodec } from './types.js';

type Bound = [name: string, shape: Shape, wireName: string];

/** An output member no model declares: the HTTP status to answer with, when the provider must choose it. */
export const HTTP_STATUS = '$httpStatus';

export interface RestBindings {
  uri: Bound[];
  query: Bound[];
  queryMap: [string, Shape] | undefined;
  header: Bound[];
  prefixHeaders: Bound[];
  statusCode: string | undefined;
  /** Members without an HTTP location, i.e. the body's. */
  body: Array<[string, Shape]>;
  payload: [string, Shape] | undefined;
}

export function restBindings(shape: Shape): RestBindings {
  return memo(shape, 'rest', () => {
    const b: RestBindings = {
      uri: [], query: [], queryMap: undefined, header: [], prefixHeaders: [],
      statusCode: undefined, body: [], payload: undefined,
    };
    for (const [name, m] of Object.entries(shape.members)) {
      switch (m.location) {
        case 'uri':
          b.uri.push([name, m, m.locationName ?? name]);
          break;
        case 'querystring':
          if (m.type === 'map') b.queryMap = [name, m];
          else b.query.push([name, m, m.locationName ?? name]);
          break;
        case 'header':
          b.header.push([name, m, (m.locationName ?? name).toLowerCase()]);
          break;
        case 'headers':
          b.prefixHeaders.push([name, m, (m.locationName ?? '').toLowerCase()]);
          break;
        case 'statusCode':
          b.statusCode = name;
          break;
        default:
          if (name === shape.payload) b.payload = [name, m];
          else b.body.push([name, m]);
      }
    }
    return b;
  });
}

function decodeLabel(raw: string, bad: BadInput): string {
  if (raw.indexOf('%') === -1) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw bad(`Could not decode the URI segment ${raw.slice(0, 64)}`);
  }
}

function splitHeaderList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function readHeader(shape: Shape, value: string, bad: BadInput, where: string): unknown {
  if (shape.jsonvalue) {
    try {
      return JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
    } catch {
      throw bad(`Header '${where}' is not base64-encoded JSON`);
    }
  }
  if (shape.type === 'list') return splitHeaderList(value).map((v) => parseText(shape.member!, v, bad, where));
  // HTTP says an invalid date in a conditional header is ignored, not rejected.
  if (shape.type === 'timestamp') return parseTimestamp(value);
  return parseText(shape, value, bad, where);
}

/** Reads every HTTP-bound member of the input; `badUri` reports undecodable labels. */
export function readBoundInput(
  b: RestBindings,
  req: HttpRequest,
  labels: Record<string, string>,
  bad: BadInput,
  badUri: BadInput,
): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [name, m, wire] of b.uri) {
    const raw = labels[wire];
    if (raw !== undefined) input[name] = parseText(m, decodeLabel(raw, badUri), bad, wire);
  }
  for (const [name, m, wire] of b.query) {
    const raw = req.query[wire];
    if (raw === undefined) continue;
    if (m.type === 'list') {
      input[name] = (Array.isArray(raw) ? raw : [raw]).map((v) => parseText(m.member!, v, bad, wire));
    } else {
      input[name] = parseText(m, Array.isArray(raw) ? raw[0]! : raw, bad, wire);
    }
  }
  if (b.queryMap) {
    const [name, m] = b.queryMap;
    const taken = new Set(b.query.map(([, , wire]) => wire));
    const map: Record<string, unknown> = {};
    for (const [k, raw] of Object.entries(req.query)) {
      if (taken.has(k)) continue;
      const values = Array.isArray(raw) ? raw : [raw];
      map[k] = m.value?.type === 'list' ? values : values[0];
    }
    input[name] = map;
  }
  for (const [name, m, wire] of b.header) {
    const raw = req.headers[wire];
    if (raw === undefined) continue;
    const value = readHeader(m, raw, bad, wire);
    if (value !== undefined) input[name] = value;
  }
  for (const [name, , prefix] of b.prefixHeaders) {
    const map: Record<string, string> = {};
    let any = false;
    for (const [h, v] of Object.entries(req.headers)) {
      if (h.length > prefix.length && h.startsWith(prefix)) {
        map[h.slice(prefix.length)] = v;
        any = true;
      }
    }
    if (any) input[name] = map;
  }
  return input;
}

function headerText(shape: Shape, value: unknown): string {
  if (shape.jsonvalue) return Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
  if (shape.type === 'list') return (value as unknown[]).map((v) => headerText(shape.member!, v)).join(', ');
  if (shape.type === 'timestamp') {
    const format = shape.timestampFormat ?? 'rfc822';
    return format === 'rfc822' ? toDate(value).toUTCString() : formatText(shape, value, format);
  }
  return formatText(shape, value, 'rfc822');
}

/** Writes header members into `headers`; returns the status the statusCode member sets, if any. */
export function writeBoundOutput(
  b: RestBindings,
  output: Record<string, unknown>,
  headers: Record<string, string | string[]>,
): number | undefined {
  for (const [name, m, wire] of b.header) {
    const v = output[name];
    if (v !== undefined && v !== null) headers[wire] = headerText(m, v);
  }
  for (const [name, m, prefix] of b.prefixHeaders) {
    const map = output[name] as Record<string, unknown> | undefined;
    if (!map) continue;
    for (const [k, v] of Object.entries(map)) if (v !== undefined && v !== null) headers[prefix + k] = headerText(m.value!, v);
  }
  if (b.statusCode !== undefined) {
    const status = Number(output[b.statusCode]);
    if (Number.isInteger(status) && status >= 100 && status <= 599) return status;
  }
  return undefined;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

/** The parts common to restXml and restJson1 codecs. */
export abstract class RestCodec implements ServiceCodec {
  abstract readonly protocol: 'rest-xml' | 'rest-json';
  protected readonly router: RestRouter;
  // The gateway resolves then parses the same request; one remembered match avoids routing twice.
  private lastRequest: HttpRequest | undefined;
  private lastMatch: RouteMatch | undefined;
  private readonly streaming = new Set<string>();

  constructor(protected readonly model: ServiceModel) {
    this.router = new RestRouter(model);
    for (const op of model.operations.values()) {
      const p = op.input ? restBindings(op.input).payload : undefined;
      if (p && p[1].type === 'blob' && p[1].streaming) this.streaming.add(op.name);
    }
  }

  /** The protocol's error for a malformed body or a value of the wrong type. */
  protected abstract bad: BadInput;
  /** The error for an undecodable URI. */
  protected abstract badUri: BadInput;
  protected abstract readBody(op: OperationModel, input: Record<string, unknown>, body: Buffer | Readable): void;
  protected abstract writeBody(
    op: OperationModel,
    output: Record<string, unknown>,
    headers: Record<string, string | string[]>,
  ): Buffer | string | Readable | undefined;
  abstract serializeError(error: unknown, operation: string | undefined, ctx: SerializeContext): HttpResponse;
  protected abstract requestIdHeaders(ctx: SerializeContext): Record<string, string>;

  resolveOperation(req: HttpRequest): string | undefined {
    const match = this.router.match(req);
    if (!match) return undefined;
    this.lastRequest = req;
    this.lastMatch = match;
    return match.op.name;
  }

  hasStreamingInput(operation: string): boolean {
    return this.streaming.has(operation);
  }

  async parse(operation: string, req: HttpRequest): Promise<Record<string, unknown>> {
    const op = this.model.operations.get(operation);
    if (!op) throw new ServiceError('UnknownOperationException', `Unknown operation ${operation}`, { status: 404 });
    if (!op.input) return {};
    const match = this.lastRequest === req ? this.lastMatch : undefined;
    const labels = match && match.op === op ? match.labels : this.router.labelsFor(operation, req);
    const input = readBoundInput(restBindings(op.input), req, labels, this.bad, this.badUri);
    let body = req.body;
    if (isReadable(body) && !this.streaming.has(operation)) body = await collect(body);
    this.readBody(op, input, body);
    return input;
  }

  serialize(operation: string, output: Record<string, unknown> | undefined, ctx: SerializeContext): HttpResponse {
    const op = this.model.operations.get(operation);
    const headers: Record<string, string | string[]> = this.requestIdHeaders(ctx);
    if (!op) return { status: 200, headers, body: undefined };
    const out = output ?? {};
    let status = op.http.responseCode;
    if (op.output) status = writeBoundOutput(restBindings(op.output), out, headers) ?? status;
    // A status the model cannot express (S3's 206 for a range, 200 vs 204 for a POST upload).
    const override = out[HTTP_STATUS];
    if (typeof override === 'number') status = override;
    return { status, headers, body: this.writeBody(op, out, headers) };
  }
}

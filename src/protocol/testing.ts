/**
 * Test harness: an AWS SDK v3 `requestHandler` that runs a codec in-process,
 * so the real clients' serializers and parsers exercise our parse/serialize
 * without a server. It mirrors the gateway's order (resolve, buffer unless the
 * input streams, parse, call, serialize) and records every exchange.
 * https://github.com/smithy-lang/smithy-typescript (HttpHandler contract)
 */
import { Readable } from 'node:stream';
import { HttpResponse as SdkHttpResponse, type HttpRequest as SdkHttpRequest } from '@smithy/protocol-http';
import { createCodec, unknownOperationError } from './index.js';
import type { ServiceModel } from './model.js';
import { isReadable } from './scalars.js';
import type { HttpRequest, HttpResponse } from './types.js';

export interface Exchange {
  operation: string | undefined;
  input: Record<string, unknown> | undefined;
  request: HttpRequest;
  response: HttpResponse;
}

/** Answers one parsed call: return the output, or throw the error to serialize. */
export type Responder = (operation: string, input: Record<string, unknown>, request: HttpRequest) => unknown;

export const TEST_REQUEST_ID = '7a62c49f-347e-4fc4-9331-6e8eEXAMPLE';

function encode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

/** Converts the SDK's request into the gateway's HttpRequest shape (body left as the SDK gave it). */
export function fromSdkRequest(request: SdkHttpRequest): HttpRequest {
  const query: Record<string, string | string[]> = {};
  const pairs: string[] = [];
  for (const [k, v] of Object.entries(request.query ?? {})) {
    const values = v === null || v === undefined ? [''] : Array.isArray(v) ? v : [v];
    query[k] = Array.isArray(v) ? values : values[0]!;
    for (const value of values) pairs.push(v === null ? encode(k) : `${encode(k)}=${encode(value)}`);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers)) headers[k.toLowerCase()] = v;
  const body = request.body as unknown;
  let normalized: Buffer | Readable;
  if (body === undefined || body === null) normalized = Buffer.alloc(0);
  else if (typeof body === 'string') normalized = Buffer.from(body, 'utf8');
  else if (body instanceof Uint8Array) normalized = Buffer.from(body);
  else if (isReadable(body)) normalized = body;
  else throw new Error(`unexpected SDK body type ${typeof body}`);
  return {
    method: request.method,
    rawPath: request.path,
    rawQuery: pairs.join('&'),
    query,
    headers,
    body: normalized,
    hostname: request.hostname,
  };
}

function toSdkResponse(res: HttpResponse): SdkHttpResponse {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const body = res.body;
  const stream = isReadable(body) ? body : Readable.from(body === undefined ? [] : [Buffer.from(body)]);
  return new SdkHttpResponse({ statusCode: res.status, headers, body: stream });
}

/** A requestHandler for SDK clients that serves every call through `model`'s codec and `respond`. */
export function codecHandler(model: ServiceModel, respond: Responder) {
  const codec = createCodec(model);
  const exchanges: Exchange[] = [];
  const ctx = { requestId: TEST_REQUEST_ID };
  const handler = {
    exchanges,
    get last(): Exchange {
      const e = exchanges[exchanges.length - 1];
      if (!e) throw new Error('no request was made');
      return e;
    },
    async handle(sdkRequest: SdkHttpRequest): Promise<{ response: SdkHttpResponse }> {
      const req = fromSdkRequest(sdkRequest);
      let operation: string | undefined;
      let input: Record<string, unknown> | undefined;
      let response: HttpResponse;
      try {
        const early = codec.protocol.startsWith('rest') ? codec.resolveOperation(req) : undefined;
        if (isReadable(req.body) && !(early && codec.hasStreamingInput(early))) req.body = await collect(req.body);
        operation = early ?? codec.resolveOperation(req);
        if (!operation) throw unknownOperationError(model, req);
        input = await codec.parse(operation, req);
        const output = await respond(operation, input, req);
        response = codec.serialize(operation, output as Record<string, unknown> | undefined, ctx);
      } catch (err) {
        response = codec.serializeError(err, operation, ctx);
      }
      exchanges.push({ operation, input, request: req, response });
      return { response: toSdkResponse(response) };
    },
    updateHttpClientConfig(): void {},
    httpHandlerConfigs(): Record<string, never> {
      return {};
    },
  };
  return handler;
}

/** Client options shared by every test client: fixed credentials, no retries, a local endpoint. */
export function clientConfig(requestHandler: unknown) {
  return {
    region: 'us-east-1',
    endpoint: 'http://localhost:4566',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    maxAttempts: 1,
    requestHandler: requestHandler as never,
  };
}

/** A hand-built request, for inputs no SDK would send (malformed bodies, wrong types). */
export function makeRequest(init: {
  method?: string;
  path?: string;
  query?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}): HttpRequest {
  const rawQuery = init.query ?? '';
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(rawQuery)) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return {
    method: init.method ?? 'POST',
    rawPath: init.path ?? '/',
    rawQuery,
    query,
    headers: init.headers ?? {},
    body: typeof init.body === 'string' ? Buffer.from(init.body) : (init.body ?? Buffer.alloc(0)),
    hostname: 'localhost',
  };
}

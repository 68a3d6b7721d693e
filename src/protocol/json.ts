/**
 * The awsJson1_0 / awsJson1_1 protocols (CloudWatch Logs): every call is a
 * POST to "/" naming its operation in `X-Amz-Target: <targetPrefix>.<Op>`, with
 * a JSON body both ways (`application/x-amz-json-1.x`), epoch-second
 * timestamps, base64 blobs, and errors as `{"__type": code, "message": ...}`.
 * https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html
 */
import { ServiceError } from '../core/errors.js';
import { resolveError } from './errors.js';
import { fromJson, parseJsonBody, toJson } from './json-shapes.js';
import type { ServiceModel } from './model.js';
import { isReadable, type BadInput } from './scalars.js';
import type { HttpRequest, HttpResponse, SerializeContext, ServiceCodec } from './types.js';

const serialization: BadInput = (message) => new ServiceError('SerializationException', message, { status: 400 });

/** Content types a JSON-protocol endpoint accepts; anything else is not an operation AWS recognises. */
const ACCEPTED_TYPES = /^application\/(x-amz-json-1\.[01]|json)\s*(;|$)/i;

export class JsonCodec implements ServiceCodec {
  readonly protocol = 'json' as const;
  private readonly prefix: string;
  private readonly contentType: string;

  constructor(private readonly model: ServiceModel) {
    this.prefix = (model.metadata.targetPrefix ?? '') + '.';
    this.contentType = `application/x-amz-json-${model.metadata.jsonVersion ?? '1.0'}`;
  }

  resolveOperation(req: HttpRequest): string | undefined {
    const target = req.headers['x-amz-target'];
    if (target === undefined || !target.startsWith(this.prefix)) return undefined;
    const op = target.slice(this.prefix.length);
    return this.model.operations.has(op) ? op : undefined;
  }

  hasStreamingInput(): boolean {
    return false;
  }

  async parse(operation: string, req: HttpRequest): Promise<Record<string, unknown>> {
    const type = req.headers['content-type'];
    if (type !== undefined && !ACCEPTED_TYPES.test(type)) {
      throw new ServiceError('UnknownOperationException', `Unsupported Content-Type: ${type}`, { status: 400 });
    }
    const input = this.model.operations.get(operation)?.input;
    if (isReadable(req.body)) throw serialization('The request body must be buffered');
    const parsed = parseJsonBody(req.body, serialization);
    if (!input) return {};
    return fromJson(input, parsed, serialization, '') as Record<string, unknown>;
  }

  serialize(operation: string, output: Record<string, unknown> | undefined, ctx: SerializeContext): HttpResponse {
    const shape = this.model.operations.get(operation)?.output;
    const body = shape && output ? JSON.stringify(toJson(shape, output)) : '{}';
    return {
      status: 200,
      headers: { 'content-type': this.contentType, 'x-amzn-requestid': ctx.requestId },
      body,
    };
  }

  serializeError(error: unknown, _operation: string | undefined, ctx: SerializeContext): HttpResponse {
    const e = resolveError(this.model, error, 'InternalFailure');
    const body: Record<string, unknown> = { __type: e.code, message: e.message };
    for (const [k, v] of Object.entries(e.fields)) if (v !== undefined) body[k] = v;
    return {
      status: e.status,
      headers: {
        ...e.headers,
        'content-type': this.contentType,
        'x-amzn-requestid': ctx.requestId,
        'x-amzn-errortype': e.code,
      },
      body: JSON.stringify(body),
    };
  }
}

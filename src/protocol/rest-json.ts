/**
 * The restJson1 protocol (Lambda, API Gateway v2, SES v2, Elastic Transcoder):
 * HTTP bindings from rest-binding.ts, a JSON body for the unbound members or a
 * `payload` member (raw blob, JSON structure), and errors named by the
 * `x-amzn-ErrorType` header with a JSON body. Services differ in small ways
 * (Lambda writes `{"Type":"User","Message":...}`), kept in one table below.
 * https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors
 */
import type { Readable } from 'node:stream';
import { ServiceError } from '../core/errors.js';
import { resolveError } from './errors.js';
import { fromJson, parseJsonBody, toJson } from './json-shapes.js';
import type { OperationModel, ServiceModel } from './model.js';
import { RestCodec, restBindings } from './rest-binding.js';
import { asStream, decodeUtf8, formatText, isReadable, toBuffer, type BadInput } from './scalars.js';
import type { HttpResponse, SerializeContext } from './types.js';

interface Dialect {
  /** Key of the error message in error bodies. */
  messageKey: string;
  /** Whether error bodies carry "Type": "User" | "Service". */
  errorType: boolean;
  /** Error code for a malformed body or a mistyped value. */
  badInputCode: string;
  /** Content-Type of a raw blob payload when no member sets one. */
  blobContentType: string;
}

const DEFAULT_DIALECT: Dialect = {
  messageKey: 'message',
  errorType: false,
  badInputCode: 'SerializationException',
  blobContentType: 'application/octet-stream',
};

/** Keyed by the model's serviceId. */
const DIALECTS: Record<string, Partial<Dialect>> = {
  Lambda: {
    messageKey: 'Message',
    errorType: true,
    badInputCode: 'InvalidRequestContentException',
    blobContentType: 'application/json',
  },
  ApiGatewayV2: { badInputCode: 'BadRequestException' },
  SESv2: { badInputCode: 'BadRequestException' },
  'Elastic Transcoder': { badInputCode: 'ValidationException' },
};

export class RestJsonCodec extends RestCodec {
  readonly protocol = 'rest-json' as const;
  protected bad: BadInput;
  protected badUri: BadInput;
  private readonly dialect: Dialect;

  constructor(model: ServiceModel) {
    super(model);
    this.dialect = { ...DEFAULT_DIALECT, ...DIALECTS[model.metadata.serviceId ?? ''] };
    const code = this.dialect.badInputCode;
    this.bad = (message) => new ServiceError(code, message, { status: 400 });
    this.badUri = this.bad;
  }

  protected readBody(op: OperationModel, input: Record<string, unknown>, body: Buffer | Readable): void {
    const b = restBindings(op.input!);
    if (b.payload) {
      const [name, m] = b.payload;
      if (m.type === 'blob') {
        if (m.streaming) input[name] = asStream(body);
        else if ((body as Buffer).length > 0) input[name] = toBuffer(body);
        return;
      }
      const buf = body as Buffer;
      if (buf.length === 0) return;
      input[name] =
        m.type === 'structure' ? fromJson(m, parseJsonBody(buf, this.bad), this.bad, '') : decodeUtf8(buf, this.bad);
      return;
    }
    if (b.body.length === 0 || isReadable(body) || body.length === 0) return;
    Object.assign(input, fromJson(op.input!, parseJsonBody(body, this.bad), this.bad, '') as Record<string, unknown>);
  }

  protected writeBody(
    op: OperationModel,
    output: Record<string, unknown>,
    headers: Record<string, string | string[]>,
  ): Buffer | string | Readable | undefined {
    if (!op.output) return undefined;
    const b = restBindings(op.output);
    if (b.payload) {
      const [name, m] = b.payload;
      const value = output[name];
      if (value === undefined || value === null) return undefined;
      if (m.type === 'blob') {
        headers['content-type'] ??= this.dialect.blobContentType;
        return isReadable(value) || typeof value === 'string' ? value : toBuffer(value);
      }
      if (m.type !== 'structure') {
        headers['content-type'] ??= 'text/plain';
        return formatText(m, value, 'unixTimestamp');
      }
      headers['content-type'] = 'application/json';
      return JSON.stringify(toJson(m, value));
    }
    if (b.body.length === 0) return undefined;
    headers['content-type'] = 'application/json';
    return JSON.stringify(toJson(op.output, output));
  }

  protected requestIdHeaders(ctx: SerializeContext): Record<string, string> {
    return { 'x-amzn-requestid': ctx.requestId };
  }

  serializeError(error: unknown, _operation: string | undefined, ctx: SerializeContext): HttpResponse {
    const e = resolveError(this.model, error, 'InternalFailure');
    const body: Record<string, unknown> = {};
    if (this.dialect.errorType) body.Type = e.senderFault ? 'User' : 'Service';
    body[this.dialect.messageKey] = e.message;
    for (const [k, v] of Object.entries(e.fields)) if (v !== undefined) body[k] = v;
    return {
      status: e.status,
      headers: {
        ...e.headers,
        'x-amzn-requestid': ctx.requestId,
        'x-amzn-errortype': e.code,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    };
  }
}

/**
 * One service model served over several wire protocols. CloudWatch's own
 * model is awsQuery (the AWS CLI v2, older SDKs), while botocore 1.43 and the
 * SDK v3 client call it over awsJson1_0 by default and both can speak smithy
 * RPC v2 CBOR, which botocore's model lists first. The request says which it
 * speaks (a `smithy-protocol: rpc-v2-cbor` header, an `X-Amz-Target` naming
 * the service); the gateway asks `forRequest` for the codec that parses the
 * request and then writes its response and errors in that same protocol.
 *
 * Such a service is awsQueryCompatible: errors in the newer protocols carry
 * `x-amzn-query-error: <query code>;<Sender|Receiver>` so clients still see
 * the query error codes (InvalidParameterValue, not ...Exception).
 * https://smithy.io/2.0/aws/protocols/aws-query-protocol.html#aws-protocols-awsquerycompatible-trait
 */
import { resolveError } from './errors.js';
import type { ServiceModel } from './model.js';
import type { HttpRequest, HttpResponse, SerializeContext, ServiceCodec } from './types.js';

export interface AlternateProtocol {
  /** Whether the request speaks this protocol. */
  matches(req: HttpRequest): boolean;
  codec: ServiceCodec;
}

/** Adds the awsQueryCompatible error header to another protocol's errors. */
class QueryCompatible implements ServiceCodec {
  readonly protocol: ServiceCodec['protocol'];

  constructor(
    private readonly model: ServiceModel,
    private readonly inner: ServiceCodec,
  ) {
    this.protocol = inner.protocol;
  }

  resolveOperation(req: HttpRequest): string | undefined {
    return this.inner.resolveOperation(req);
  }

  hasStreamingInput(operation: string): boolean {
    return this.inner.hasStreamingInput(operation);
  }

  parse(operation: string, req: HttpRequest): Promise<Record<string, unknown>> {
    return this.inner.parse(operation, req);
  }

  serialize(operation: string, output: Record<string, unknown> | undefined, ctx: SerializeContext): HttpResponse {
    return this.inner.serialize(operation, output, ctx);
  }

  serializeError(error: unknown, operation: string | undefined, ctx: SerializeContext): HttpResponse {
    const res = this.inner.serializeError(error, operation, ctx);
    const e = resolveError(this.model, error, 'InternalFailure');
    res.headers['x-amzn-query-error'] = `${e.code};${e.senderFault ? 'Sender' : 'Receiver'}`;
    return res;
  }
}

export class MultiProtocolCodec implements ServiceCodec {
  readonly protocol: ServiceCodec['protocol'];
  private readonly alternates: AlternateProtocol[];

  constructor(
    model: ServiceModel,
    private readonly primary: ServiceCodec,
    alternates: AlternateProtocol[],
  ) {
    this.protocol = primary.protocol;
    const compatible = primary.protocol === 'query';
    this.alternates = alternates.map((a) => (compatible ? { matches: a.matches, codec: new QueryCompatible(model, a.codec) } : a));
  }

  /** The codec for the protocol this request speaks; the model's own when none other matches. */
  forRequest(req: HttpRequest): ServiceCodec {
    for (const a of this.alternates) if (a.matches(req)) return a.codec;
    return this.primary;
  }

  resolveOperation(req: HttpRequest): string | undefined {
    return this.forRequest(req).resolveOperation(req);
  }

  hasStreamingInput(operation: string): boolean {
    return this.primary.hasStreamingInput(operation);
  }

  parse(operation: string, req: HttpRequest): Promise<Record<string, unknown>> {
    return this.forRequest(req).parse(operation, req);
  }

  // Without the request these can only answer in the model's own protocol; the gateway
  // serves every request through forRequest(req) so replies match what was spoken.
  serialize(operation: string, output: Record<string, unknown> | undefined, ctx: SerializeContext): HttpResponse {
    return this.primary.serialize(operation, output, ctx);
  }

  serializeError(error: unknown, operation: string | undefined, ctx: SerializeContext): HttpResponse {
    return this.primary.serializeError(error, operation, ctx);
  }
}

/** The codec that serves this request: a multi-protocol codec's pick, or the codec itself. */
export function codecForRequest(codec: ServiceCodec, req: HttpRequest): ServiceCodec {
  return codec instanceof MultiProtocolCodec ? codec.forRequest(req) : codec;
}

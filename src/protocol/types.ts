/**
 * The HTTP shapes the protocol layer reads and writes. The gateway turns a
 * node:http request into an HttpRequest; a ServiceCodec turns it into an
 * (operation, input) pair and turns a provider's result or error back into an
 * HttpResponse in the service's own wire protocol.
 */
import type { Readable } from 'node:stream';

export interface HttpRequest {
  method: string;
  /** The path exactly as sent, still percent-encoded, without the query string. */
  rawPath: string;
  /** The query string as sent, without the leading '?'. */
  rawQuery: string;
  /** Decoded query parameters; repeated keys become arrays. */
  query: Record<string, string | string[]>;
  /** Lower-cased names; repeated headers joined with ', ' as node:http does. */
  headers: Record<string, string>;
  /**
   * The body. A Buffer once the gateway has buffered it; a Readable for an
   * operation whose input payload is a streaming blob (S3 PutObject, UploadPart).
   */
  body: Buffer | Readable;
  /** The host the client addressed (Host header), without the port. */
  hostname: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer | string | Readable | undefined;
}

/** Everything the serializer needs besides the data. */
export interface SerializeContext {
  requestId: string;
  /** e.g. for S3 errors' <Resource> and for the RequestId header names. */
  resource?: string;
}

/** The interface of a service model's codec, whatever its protocol. */
export interface ServiceCodec {
  readonly protocol: 'query' | 'rest-xml' | 'rest-json' | 'json' | 'ec2' | 'rpc-v2-cbor';
  /**
   * Finds the operation a request targets. For the query protocol the Action
   * lives in the form body, so the body must already be a Buffer there;
   * rest protocols need only the method, path, query and headers.
   */
  resolveOperation(req: HttpRequest): string | undefined;
  /** Whether the operation's input payload is a streaming blob (keep the body as a stream). */
  hasStreamingInput(operation: string): boolean;
  /** Parses the request into the operation's input structure. Throws ServiceError (400) for malformed input. */
  parse(operation: string, req: HttpRequest): Promise<Record<string, unknown>>;
  serialize(operation: string, output: Record<string, unknown> | undefined, ctx: SerializeContext): HttpResponse;
  /** Serializes any error; the operation may be unknown (e.g. auth failures). */
  serializeError(error: unknown, operation: string | undefined, ctx: SerializeContext): HttpResponse;
}

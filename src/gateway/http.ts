/**
 * Conversions between node:http and the protocol layer's HttpRequest and
 * HttpResponse, plus bounded body buffering.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ServiceError } from '../core/errors.js';
import type { HttpRequest, HttpResponse } from '../protocol/types.js';

/** The largest body the edge buffers (Lambda's sync payload is 6 MB; query and JSON APIs are far smaller). */
export const MAX_BUFFERED_BODY = 32 * 1024 * 1024;

export function parseQuery(rawQuery: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  if (!rawQuery) return query;
  for (const [k, v] of new URLSearchParams(rawQuery)) {
    const prev = query[k];
    if (prev === undefined) query[k] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else query[k] = [prev, v];
  }
  return query;
}

export function toHttpRequest(req: IncomingMessage): HttpRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q + 1);
  // node:http already lower-cases names and joins repeats with ', ', except Set-Cookie (an array).
  const headers = req.headers as Record<string, string>;
  const cookies = headers['set-cookie'] as string | string[] | undefined;
  if (Array.isArray(cookies)) headers['set-cookie'] = cookies.join(', ');
  const host = headers['host'] ?? '';
  const colon = host.indexOf(':');
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : colon === -1 ? host : host.slice(0, colon);
  return { method: req.method ?? 'GET', rawPath, rawQuery, query: parseQuery(rawQuery), headers, body: req, hostname: hostname.toLowerCase() };
}

/**
 * Reads a body fully, refusing more than `limit` bytes. A small request's body
 * is usually all in the stream's buffer once the request's first microtask
 * runs (the HTTP parser pushes the rest of the packet before any), and is then
 * taken with one read(); otherwise it is collected from its events.
 */
export function bufferBody(body: Buffer | Readable, limit = MAX_BUFFERED_BODY): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return Promise.resolve(body);
  if (body.readableEnded) return Promise.resolve(Buffer.alloc(0));
  try {
    const arrived = arrivedBody(body, limit);
    if (arrived !== undefined) return Promise.resolve(arrived);
  } catch (err) {
    return Promise.reject(err);
  }
  return Promise.resolve().then(() => arrivedBody(body, limit) ?? streamedBody(body, limit));
}

/**
 * The whole body when every byte of it is already buffered and nobody else
 * reads the stream: all of a Content-Length (the parser never pushes more), or
 * whatever a finished message holds. Node's parser marks the message complete
 * only a little later, so the declared length is what usually tells.
 */
function arrivedBody(body: Readable, limit: number): Buffer | undefined {
  if (body.readableFlowing === true || body.readableEnded || body.readableObjectMode || body.readableEncoding !== null) return undefined;
  const message = body as Partial<IncomingMessage>;
  const declared = message.headers?.['content-length'];
  if (message.complete !== true && (declared === undefined || body.readableLength !== Number(declared))) return undefined;
  if (body.readableLength > limit) {
    body.resume();
    throw tooLarge(limit);
  }
  const whole = body.readableLength === 0 ? Buffer.alloc(0) : (body.read() as Buffer);
  // Flowing, the stream still ends (and closes) when the parser finishes the message, as if read to the end.
  body.resume();
  return whole;
}

function tooLarge(limit: number): ServiceError {
  return new ServiceError('RequestEntityTooLarge', `Request body exceeds the ${limit} bytes this endpoint accepts.`, { status: 413 });
}

/** Events, not an async iterator: this runs on every request that streams. */
function streamedBody(body: Readable, limit: number): Promise<Buffer> {
  if (body.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        body.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onAborted = () => onError(new ServiceError('IncompleteBody', 'The request body terminated unexpectedly', { status: 400 }));
    const cleanup = () => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('aborted', onAborted);
    };
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
    body.once('aborted', onAborted);
  });
}

/** Writes a response; a promise only when the body is a stream still being piped. */
export function writeResponse(res: ServerResponse, response: HttpResponse, head: boolean): Promise<void> | undefined {
  const { body, headers } = response;
  if (Buffer.isBuffer(body) || typeof body === 'string') {
    if (headers['content-length'] === undefined && headers['Content-Length'] === undefined) headers['content-length'] = String(Buffer.byteLength(body));
  }
  res.writeHead(response.status, headers);
  if (head || body === undefined) {
    if (body instanceof Readable) body.destroy();
    res.end();
    return undefined;
  }
  if (body instanceof Readable) return pipeline(body, res);
  // Node joins a string body to the headers in one chunk; a Buffer would go out as a chunk of its own.
  if (Buffer.isBuffer(body) && body.length <= SINGLE_WRITE_LIMIT) res.end(body.toString('latin1'), 'latin1');
  else res.end(body);
}

const SINGLE_WRITE_LIMIT = 64 * 1024;

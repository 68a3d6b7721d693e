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
  const cookies = req.headers['set-cookie'];
  if (Array.isArray(cookies)) headers['set-cookie'] = cookies.join(', ');
  const host = headers['host'] ?? '';
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  return { method: req.method ?? 'GET', rawPath, rawQuery, query: parseQuery(rawQuery), headers, body: req, hostname: hostname.toLowerCase() };
}

/** Reads a body fully, refusing more than `limit` bytes. Events, not an async iterator: this runs on every request. */
export function bufferBody(body: Buffer | Readable, limit = MAX_BUFFERED_BODY): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return Promise.resolve(body);
  if (body.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        body.resume();
        reject(new ServiceError('RequestEntityTooLarge', `Request body exceeds the ${limit} bytes this endpoint accepts.`, { status: 413 }));
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

export async function writeResponse(res: ServerResponse, response: HttpResponse, head: boolean): Promise<void> {
  const { body, headers } = response;
  if (Buffer.isBuffer(body) || typeof body === 'string') {
    if (headers['content-length'] === undefined && headers['Content-Length'] === undefined) headers['content-length'] = String(Buffer.byteLength(body));
  }
  res.writeHead(response.status, headers);
  if (head || body === undefined) {
    if (body instanceof Readable) body.destroy();
    res.end();
    return;
  }
  if (body instanceof Readable) {
    await pipeline(body, res);
    return;
  }
  // Node sends a latin1 string body in the same write(2) as the headers; a Buffer goes out
  // as a second chunk through writev, which costs a fifth of a small request's time.
  if (Buffer.isBuffer(body) && body.length <= SINGLE_WRITE_LIMIT) res.end(body.toString('latin1'), 'latin1');
  else res.end(body);
}

const SINGLE_WRITE_LIMIT = 64 * 1024;

/**
 * HTTP_PROXY integrations: the request passed whole to an HTTP endpoint and
 * its response passed back whole.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-http.html
 *
 * The integration URI may name the route's path variables (`{petID}`, and
 * `{proxy}` for a greedy `{proxy+}`) and stage variables
 * (`${stageVariables.name}`); for the `$default` route API Gateway appends
 * the full request path. The query string is passed on, the client's headers
 * too (without hop-by-hop ones), with X-Forwarded-* and X-Amzn-Trace-Id.
 * Beyond TimeoutInMillis the answer is 503 {"message":"Service Unavailable"};
 * an endpoint that cannot be reached is 500 {"message":"Internal Server Error"}.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { INTERNAL_ERROR, SERVICE_UNAVAILABLE, type MappedResponse } from '../services/apigatewayv2/responses.js';

export interface ProxyCall {
  integrationUri: string;
  /** ANY forwards the request's own method. */
  integrationMethod?: string;
  method: string;
  /** The path within the stage, percent-encoded as sent. */
  rawStagePath: string;
  rawQuery: string;
  isDefaultRoute: boolean;
  pathParameters?: Record<string, string>;
  stageVariables: Record<string, string>;
  /** The client's headers and those API Gateway adds (see gatewayHeaders). */
  headers: [string, string][];
  body: Buffer;
  timeoutMs: number;
}

const DROP = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect']);

/** The URL the request is forwarded to. */
export function proxyUrl(c: Pick<ProxyCall, 'integrationUri' | 'rawStagePath' | 'rawQuery' | 'isDefaultRoute' | 'pathParameters' | 'stageVariables'>): URL {
  let uri = c.integrationUri.replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (_m, name: string) => c.stageVariables[name] ?? '');
  const params = c.pathParameters ?? {};
  let substituted = false;
  uri = uri.replace(/\{([^{}]+)\}/g, (m, name: string) => {
    const value = params[name] ?? params[name.replace(/\+$/, '')];
    if (value === undefined) return m;
    substituted = true;
    // A greedy value keeps its slashes; each segment is re-encoded.
    return value.split('/').map(encodeURIComponent).join('/');
  });
  const url = new URL(uri);
  if (c.isDefaultRoute && !substituted) url.pathname = `${url.pathname.replace(/\/+$/, '')}${c.rawStagePath}`;
  if (c.rawQuery) url.search = url.search ? `${url.search}&${c.rawQuery}` : `?${c.rawQuery}`;
  return url;
}

export function forward(c: ProxyCall): Promise<MappedResponse> {
  let url: URL;
  try {
    url = proxyUrl(c);
  } catch {
    return Promise.resolve(INTERNAL_ERROR());
  }
  const method = !c.integrationMethod || c.integrationMethod === 'ANY' ? c.method : c.integrationMethod;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of c.headers) {
    const lower = name.toLowerCase();
    if (DROP.has(lower)) continue;
    const prev = headers[lower];
    headers[lower] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  headers['content-length'] = String(c.body.length);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: MappedResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = send(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => done({ status: res.statusCode ?? 502, headers: responseHeaders(res.headers), body: Buffer.concat(chunks) }));
      res.on('error', () => done(INTERNAL_ERROR()));
    });
    const timer = setTimeout(() => {
      req.destroy();
      done(SERVICE_UNAVAILABLE());
    }, c.timeoutMs);
    req.on('error', () => done(INTERNAL_ERROR()));
    req.end(c.body);
  });
}

function responseHeaders(h: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(h)) {
    if (value === undefined || DROP.has(name) || name === 'content-length' || name === 'date') continue;
    out[name] = value;
  }
  return out;
}

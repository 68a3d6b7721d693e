/**
 * The S3 data planes a browser reaches at the edge, which are not API calls
 * and so skip the signed-request chain: the static website endpoint, CORS
 * preflights (OPTIONS) and browser POST uploads (multipart/form-data), plus
 * the CORS headers S3 adds to actual API responses. The S3 service does the
 * work (src/services/s3/data-plane.ts); this module only recognises the
 * requests and addresses them.
 *
 * Website URLs (https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteEndpoints.html):
 *   http://<bucket>.s3-website.localhost:<port>/...            (also s3-website-<region>, s3-website.<region>)
 *   http://127.0.0.1:<port>/_stratus/website/<bucket>/...       (where wildcard localhost names do not resolve)
 * CORS: https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html
 * POST: https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html
 */
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { ServiceError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Credentials } from '../identity/credentials.js';
import type { HttpRequest, HttpResponse } from '../protocol/types.js';
import type { S3Service, WebCall } from '../services/s3/index.js';
import { detectService } from './detect.js';
import type { RegisteredService, ServiceRegistry } from './registry.js';

export interface S3WebOptions {
  registry: ServiceRegistry;
  credentials: Credentials;
  log: Logger;
  endpoint: () => string;
}

export const WEBSITE_PATH = '/_stratus/website/';
const WEBSITE_HOST = /^(.+)\.s3-website(?:[.-][a-z0-9-]+)?\.localhost$/;
const FORM = /^multipart\/form-data/i;

/**
 * Whether a request may be one of these planes. Runs on every request, so it
 * only compares strings; serveS3Web decides for certain.
 */
export function isS3WebCandidate(req: HttpRequest): boolean {
  const method = req.method;
  if (method === 'OPTIONS') return true;
  if (method === 'POST' && FORM.test(req.headers['content-type'] ?? '')) return true;
  return req.hostname.includes('.s3-website') || req.rawPath.startsWith(WEBSITE_PATH);
}

/** The answer to a website, preflight or POST-upload request; undefined when the request is none (an API call). */
export async function serveS3Web(opts: S3WebOptions, req: HttpRequest, info: { requestId: string; receivedAt: Date; sourceIp: string }): Promise<HttpResponse | undefined> {
  const s3 = opts.registry.s3;
  if (!s3) return undefined;
  const def = s3.def as S3Service;
  const call: WebCall = { ...info, userAgent: req.headers['user-agent'], endpoint: opts.endpoint(), log: opts.log.child({ requestId: info.requestId, service: 's3' }) };
  const origin = req.headers['origin'];
  const fail = (err: unknown): HttpResponse => {
    if (!(err instanceof ServiceError)) call.log.error('unexpected failure', { err });
    return s3.codec.serializeError(err, undefined, { requestId: info.requestId });
  };

  const site = websiteTarget(req);
  if (site) {
    let response: HttpResponse;
    try {
      response = await def.websiteResponse({ ...site, method: req.method, rawQuery: req.rawQuery, headers: req.headers, host: req.headers['host'] ?? req.hostname }, call);
    } catch (err) {
      drain(req.body);
      return fail(err);
    }
    drain(req.body);
    return withCors(def, response, site.bucket, origin, req.method);
  }

  const detection = detectService(req, opts.registry);
  if (detection.kind !== 'service' || detection.service !== s3) return undefined;
  const { bucket, key } = addressOf(req, detection.bucket);

  if (req.method === 'OPTIONS') {
    drain(req.body);
    const input = { bucket, key, origin, method: req.headers['access-control-request-method'], requestHeaders: req.headers['access-control-request-headers'] };
    return def.preflightResponse(input, call).catch(fail);
  }

  // POST Object addresses the bucket itself; a form posted to a key is left to the API's 405.
  if (req.method !== 'POST' || !FORM.test(req.headers['content-type'] ?? '') || !bucket || key !== undefined || req.rawQuery !== '') return undefined;
  const host = req.headers['host'] ?? req.hostname;
  const bucketUrl = detection.bucket ? `http://${host}` : `http://${host}/${encodeURIComponent(bucket)}`;
  const lookupSecret = async (accessKeyId: string) => {
    const creds = await opts.credentials.lookup(accessKeyId);
    return creds?.active ? creds : undefined;
  };
  const response = await def.postObject({ bucket, contentType: req.headers['content-type'], body: req.body as Readable, bucketUrl, lookupSecret }, call).catch(fail);
  return withCors(def, response, bucket, origin, 'POST');
}

/**
 * Adds the CORS headers of the addressed bucket to an S3 API response about
 * to be written (success or error alike, as S3 does). On an actual request S3
 * matches Access-Control-Request-Method when sent, else the request's method.
 */
export async function applyS3Cors(s3: RegisteredService, req: HttpRequest, res: ServerResponse): Promise<void> {
  const bucket = decodeSegment(firstSegment(req.rawPath));
  if (!bucket) return;
  const method = req.headers['access-control-request-method'] ?? req.method;
  const headers = await (s3.def as S3Service).corsHeadersFor(bucket, req.headers['origin'], method).catch(() => ({}));
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
}

async function withCors(def: S3Service, response: HttpResponse, bucket: string, origin: string | undefined, method: string): Promise<HttpResponse> {
  if (!origin) return response;
  const headers = await def.corsHeadersFor(bucket, origin, method).catch(() => ({}));
  Object.assign(response.headers, headers);
  return response;
}

interface WebsiteTarget {
  bucket: string;
  rawPath: string;
  basePath: string;
}

function websiteTarget(req: HttpRequest): WebsiteTarget | undefined {
  if (req.rawPath.startsWith(WEBSITE_PATH)) {
    const rest = req.rawPath.slice(WEBSITE_PATH.length);
    const slash = rest.indexOf('/');
    const segment = slash < 0 ? rest : rest.slice(0, slash);
    return { bucket: decodeSegment(segment), rawPath: slash < 0 ? '' : rest.slice(slash), basePath: WEBSITE_PATH + segment };
  }
  const m = WEBSITE_HOST.exec(req.hostname);
  return m ? { bucket: m[1]!, rawPath: req.rawPath, basePath: '' } : undefined;
}

/** Bucket and key of a path-style or virtual-host S3 URL; key undefined when the URL names only the bucket. */
function addressOf(req: HttpRequest, hostBucket: string | undefined): { bucket: string; key?: string } {
  if (hostBucket) {
    const key = req.rawPath.slice(1);
    return { bucket: hostBucket, key: key === '' ? undefined : decodeSegment(key) };
  }
  const segment = firstSegment(req.rawPath);
  const key = req.rawPath.slice(segment.length + 2);
  return { bucket: decodeSegment(segment), key: key === '' ? undefined : decodeSegment(key) };
}

function firstSegment(rawPath: string): string {
  const end = rawPath.indexOf('/', 1);
  return end < 0 ? rawPath.slice(1) : rawPath.slice(1, end);
}

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function drain(body: Buffer | Readable): void {
  if (!Buffer.isBuffer(body) && !body.readableEnded) body.resume();
}

/**
 * S3's data planes that are not API calls, which browsers use: the static
 * website endpoint, CORS preflights and the CORS headers of actual requests,
 * and browser POST uploads. The pure rules live in website.ts, cors.ts and
 * post-upload.ts; this module puts them over the store, the access checks and
 * the object write path. The gateway (src/gateway/s3-web.ts) routes to it.
 *
 * Behaviour matched:
 * - https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteEndpoints.html
 * - https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteAccessPermissionsReqd.html
 *   (anonymous reads only; 404 for a missing object, 403 for one that is not public)
 * - https://docs.aws.amazon.com/AmazonS3/latest/userguide/CustomErrorDocSupport.html
 * - https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html
 * - https://docs.aws.amazon.com/AmazonS3/latest/API/RESTOPTIONSobject.html
 * - https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html
 */
import { pipeline, type Readable } from 'node:stream';
import type { Principal, RequestContext } from '../../core/context.js';
import { ServiceError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { hostId, type HttpResponse } from '../../protocol/index.js';
import { parseXml } from '../../protocol/xml.js';
import { authorizeS3 } from './access.js';
import { CHECKSUM_MEMBERS, Digester, parseRange, readChunks } from './body.js';
import { ownerOf, quoteEtag, type S3Context } from './common.js';
import { corsHeaders, preflight, type CorsConfiguration } from './cors.js';
import { s3Errors } from './errors.js';
import { eventOps } from './events.js';
import type { ObjectVersion } from './models.js';
import { validateObjectKey } from './names.js';
import { checkConditions, MAX_PUT_SIZE, requestedObjectAcl, writeAttributes } from './objects.js';
import { contentLengthGuard, parsePostUpload, postLocation, postUploadResponse, verifyPostPolicy, type PostSigningCredentials } from './post-upload.js';
import { validateTagSet } from './tags.js';
import { resolveWebsiteRequest, websiteErrorPage, type WebsiteConfiguration, type WebsiteErrorPageExtra, type WebsiteLookup } from './website.js';

/** What the gateway knows of a request that is not an API call. */
export interface WebCall {
  requestId: string;
  sourceIp: string;
  userAgent?: string;
  receivedAt: Date;
  /** The public base URL of this Stratus. */
  endpoint: string;
  log: Logger;
}

const ANONYMOUS: Principal = { type: 'anonymous', arn: '*', accountId: '', userId: 'anonymous' };

function contextFor(c: S3Context, call: WebCall, principal: Principal, operation: string): RequestContext {
  return {
    requestId: call.requestId,
    accountId: principal.accountId || c.deps.accountId,
    region: c.deps.region,
    service: 's3',
    operation,
    principal,
    sourceIp: call.sourceIp,
    secureTransport: false,
    userAgent: call.userAgent,
    receivedAt: call.receivedAt,
    log: call.log,
    endpoint: call.endpoint,
  };
}

function idHeaders(call: WebCall): Record<string, string> {
  return { 'x-amz-request-id': call.requestId, 'x-amz-id-2': hostId(call.requestId) };
}

/** Whether `err` is S3 refusing access (as opposed to a failure to report). */
async function allowed(check: () => Promise<void>): Promise<boolean> {
  try {
    await check();
    return true;
  } catch (err) {
    if (err instanceof ServiceError && err.code === 'AccessDenied') return false;
    throw err;
  }
}

// ---------------------------------------------------------------- CORS

/** The CORS headers an actual request from `origin` gets, from the bucket's rules; {} without a match. */
export async function corsHeadersFor(c: S3Context, bucket: string, origin: string | undefined, method: string): Promise<Record<string, string>> {
  if (!origin || !bucket) return {};
  const doc = await c.db.getBucket(bucket);
  return corsHeaders(doc?.value.cors as CorsConfiguration | undefined, { origin, method });
}

export interface PreflightInput {
  /** Empty or undefined when the OPTIONS named no bucket. */
  bucket?: string;
  key?: string;
  origin?: string;
  /** Access-Control-Request-Method. */
  method?: string;
  /** Access-Control-Request-Headers as sent. */
  requestHeaders?: string;
}

/**
 * The answer to an OPTIONS request: 200 with the matched rule's headers, or
 * S3's error (thrown, for the S3 codec to write). Needs no authentication.
 * S3 names ResourceType BUCKET unless rules were evaluated for a key, and a
 * bucket without CORS refuses a preflight lacking its method as OPTIONS.
 */
export async function preflightResponse(c: S3Context, input: PreflightInput, call: WebCall): Promise<HttpResponse> {
  const requestHeaders = input.requestHeaders === undefined ? undefined : [input.requestHeaders];
  const refuse = (status: number, code: string, message: string, fields: Record<string, string>) => new ServiceError(code, message, { status, fields });
  if (!input.origin) {
    const r = preflight(undefined, {});
    if (!r.allowed) throw refuse(r.status, r.code, r.message, r.fields);
  }
  const doc = input.bucket ? await c.db.getBucket(input.bucket) : undefined;
  if (!doc) throw refuse(403, 'AccessForbidden', 'CORSResponse: Bucket not found', { Method: input.method ?? 'OPTIONS', ResourceType: 'BUCKET' });
  const cfg = doc.value.cors as CorsConfiguration | undefined;
  if (!cfg && input.method === undefined) {
    const r = preflight(undefined, { origin: input.origin, method: 'GET' });
    if (!r.allowed) throw refuse(r.status, r.code, r.message, { Method: 'OPTIONS', ResourceType: 'BUCKET' });
  }
  const resourceType = cfg && input.key ? 'OBJECT' : 'BUCKET';
  const r = preflight(cfg, { origin: input.origin, method: input.method, requestHeaders, resourceType });
  if (!r.allowed) throw refuse(r.status, r.code, r.message, r.fields);
  return { status: 200, headers: { ...idHeaders(call), ...r.headers, 'content-length': '0' }, body: undefined };
}

// ---------------------------------------------------------------- website

export interface WebsiteHttpRequest {
  bucket: string;
  method: string;
  /** The path after the bucket, still percent-encoded: '' or starting with '/'. */
  rawPath: string;
  rawQuery: string;
  headers: Record<string, string>;
  /** The Host header as sent, port included. */
  host: string;
  /**
   * Where the website's root lives on this host: '' on a website host, the
   * path-style prefix (e.g. '/_stratus/website/<bucket>') otherwise. Redirects
   * to the website's own paths are made under it.
   */
  basePath: string;
}

/** A website endpoint answer: objects, redirects and HTML error pages, never XML. */
export async function websiteResponse(c: S3Context, req: WebsiteHttpRequest, call: WebCall): Promise<HttpResponse> {
  const head = req.method === 'HEAD';
  const page = (status: number, code: string, message: string, extra: WebsiteErrorPageExtra = {}): HttpResponse => ({
    status,
    headers: { ...idHeaders(call), 'content-type': 'text/html; charset=utf-8' },
    body: websiteErrorPage(status, code, message, call.requestId, extra),
  });
  // The path-style root without its slash: relative links in the index document need it.
  if (req.basePath && req.rawPath === '') return { status: 302, headers: { ...idHeaders(call), location: `${req.basePath}/` }, body: undefined };
  let path: string;
  try {
    path = decodeURIComponent(req.rawPath || '/');
  } catch {
    return page(400, 'InvalidURI', "Couldn't parse the specified URI.");
  }
  const doc = await c.db.getBucket(req.bucket);
  if (!doc) return page(404, 'NoSuchBucket', 'The specified bucket does not exist', { bucket: req.bucket });
  const cfg = doc.value.website as WebsiteConfiguration | undefined;

  const versions = new Map<string, ObjectVersion | undefined>();
  const find = async (key: string) => {
    if (!versions.has(key)) {
      const v = await c.db.findVersion(req.bucket, key);
      versions.set(key, v && !v.deleteMarker ? v : undefined);
    }
    return versions.get(key);
  };
  const lookup = async (key: string): Promise<WebsiteLookup> => {
    const v = await find(key);
    return { exists: v !== undefined, websiteRedirectLocation: v?.websiteRedirectLocation };
  };
  // Redirects to the website itself name the Host; path-style, the base path rides along with it.
  const host = req.host + req.basePath;
  const r = await resolveWebsiteRequest(cfg, { method: req.method, path, host, query: req.rawQuery, bucket: req.bucket }, lookup);
  const ctx = contextFor(c, call, ANONYMOUS, 'WebsiteGetObject');
  const readable = (key: string, v: ObjectVersion) =>
    allowed(() => authorizeS3(c, ctx, { action: 's3:GetObject', bucket: req.bucket, key, objectAcl: async () => v.acl }));

  if (r.kind === 'redirect') {
    const location = r.location.startsWith('/') ? req.basePath + r.location : r.location;
    return { status: r.status, headers: { ...idHeaders(call), location }, body: undefined };
  }
  let error: { status: number; code: string; message: string; extra: WebsiteErrorPageExtra; documentKey?: string };
  if (r.kind === 'object') {
    const v = (await find(r.key))!;
    if (await readable(r.key, v)) return serveObject(c, v, 200, req.headers, head, call, page);
    error = { status: 403, code: 'AccessDenied', message: 'Access Denied', extra: {}, documentKey: cfg?.ErrorDocument?.Key };
  } else {
    error = { status: r.status, code: r.code, message: r.message, extra: { key: r.key, fields: r.fields }, documentKey: r.errorDocumentKey };
  }
  if (error.documentKey !== undefined) {
    const v = await find(error.documentKey);
    if (v && (await readable(error.documentKey, v))) return serveObject(c, v, error.status, {}, head, call, page);
    const why = v ? { code: 'AccessDenied', message: 'Access Denied' } : { code: 'NoSuchKey', message: 'The specified key does not exist.', key: error.documentKey };
    error.extra = { ...error.extra, errorDocument: why };
  }
  return page(error.status, error.code, error.message, error.extra);
}

/** An object as the website serves it: its stored headers, conditionals and one range. */
async function serveObject(
  c: S3Context,
  v: ObjectVersion,
  status: number,
  headers: Record<string, string>,
  head: boolean,
  call: WebCall,
  page: (status: number, code: string, message: string) => HttpResponse,
): Promise<HttpResponse> {
  const h: Record<string, string> = { ...idHeaders(call), 'last-modified': new Date(v.lastModified).toUTCString() };
  if (v.etag) h.etag = v.etag;
  h['content-type'] = v.contentType ?? 'binary/octet-stream';
  if (v.contentEncoding) h['content-encoding'] = v.contentEncoding;
  if (v.contentDisposition) h['content-disposition'] = v.contentDisposition;
  if (v.contentLanguage) h['content-language'] = v.contentLanguage;
  if (v.cacheControl) h['cache-control'] = v.cacheControl;
  if (v.expires) h.expires = v.expires;
  for (const [k, value] of Object.entries(v.metadata ?? {})) h[`x-amz-meta-${k}`] = value;
  let range: { start: number; end: number } | undefined;
  try {
    if (status === 200) {
      const date = (name: string) => {
        const d = headers[name] === undefined ? undefined : new Date(headers[name]!);
        return d && !Number.isNaN(d.getTime()) ? d : undefined;
      };
      checkConditions(v, { IfMatch: headers['if-match'], IfNoneMatch: headers['if-none-match'], IfModifiedSince: date('if-modified-since'), IfUnmodifiedSince: date('if-unmodified-since') });
      range = parseRange(headers.range, v.size);
    }
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err;
    if (err.status === 304) return { status: 304, headers: { ...h, ...err.headers }, body: undefined };
    return page(err.status ?? 400, err.code, err.message);
  }
  h['accept-ranges'] = 'bytes';
  if (range) {
    status = 206;
    h['content-range'] = `bytes ${range.start}-${range.end}/${v.size}`;
  }
  h['content-length'] = String(range ? range.end - range.start + 1 : v.size);
  return { status, headers: h, body: head ? undefined : await readChunks(c.deps.blobs, v, range) };
}

// ---------------------------------------------------------------- POST uploads

export type PostSigner = PostSigningCredentials & { principal: Principal };

export interface PostObjectRequest {
  bucket: string;
  contentType: string | undefined;
  body: Readable;
  /** The bucket's URL as the client addressed it; the object's Location is made from it. */
  bucketUrl: string;
  /** Active credentials by access key id, with the principal they sign for. */
  lookupSecret(accessKeyId: string): Promise<PostSigner | undefined>;
}

/**
 * A browser POST upload: the form read up to the file, its policy verified,
 * the signer (or the anonymous caller) authorized for s3:PutObject, then the
 * file written exactly as PutObject writes a body. Errors are thrown for the
 * S3 codec; the body is always drained so the answer reaches the browser.
 */
export async function postObject(c: S3Context, req: PostObjectRequest, call: WebCall): Promise<HttpResponse> {
  let file: Readable | undefined;
  try {
    const bucket = await c.db.requireBucket(req.bucket);
    const form = await parsePostUpload({ contentType: req.contentType, body: req.body });
    file = form.file;
    const { fields, key } = form;
    const auth = await verifyPostPolicy({ fields, bucket: req.bucket, key, now: new Date(), region: bucket.region, lookupSecret: req.lookupSecret });
    validateObjectKey(key);
    const principal = auth.anonymous ? ANONYMOUS : auth.credentials.principal;
    const ctx = contextFor(c, call, principal, 'PostObject');
    const acl = fields.acl;
    await authorizeS3(c, ctx, { action: 's3:PutObject', bucket: req.bucket, key, conditions: acl ? { 's3:x-amz-acl': acl } : undefined });

    const input = inputFromFields(fields);
    const storedAcl = requestedObjectAcl(bucket, input, c.deps.accountId);
    const attrs = writeAttributes(input);
    const tags = fields.tagging === undefined ? undefined : parseTaggingXml(fields.tagging);
    const expected: Record<string, string> = {};
    for (const [member, header] of Object.entries(CHECKSUM_MEMBERS)) if (fields[header] !== undefined) expected[member] = fields[header]!;
    const digester = new Digester({ contentMd5: fields['content-md5'], expected, maxSize: MAX_PUT_SIZE });
    const guard = contentLengthGuard(auth.anonymous ? undefined : auth.contentLength);
    const chunk = await c.db.writeBlob(req.bucket, pipeline(form.file, guard, digester, () => undefined));
    const d = digester.result!;
    const checksums = Object.keys(d.checksums).length ? d.checksums : undefined;
    const { version } = await c.db.commitVersion(
      req.bucket,
      key,
      { ...attrs, etag: quoteEtag(d.md5Hex), size: d.size, chunks: [chunk], checksums, checksumType: checksums ? 'FULL_OBJECT' : undefined, tags, acl: storedAcl, owner: ownerOf(c.deps.accountId) },
      (v, b) => eventOps(c, b, 'ObjectCreated:Post', key, v, ctx),
    );
    c.deps.lambda?.notifyQueued();
    const result = { bucket: req.bucket, key, etag: version.etag!, location: postLocation(req.bucketUrl, key), versionId: bucket.versioning ? version.versionId : undefined };
    const answer = postUploadResponse(fields, result);
    return { status: answer.status, headers: { ...idHeaders(call), ...answer.headers }, body: answer.body };
  } finally {
    // A refused form leaves the rest of the body unread; reading it lets the browser see the answer.
    if (file && !file.readableEnded) file.destroy();
    req.body.resume();
  }
}

/** The form fields as PutObject's input members, for the shared write helpers. */
function inputFromFields(fields: Record<string, string>): Record<string, unknown> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) if (name.startsWith('x-amz-meta-')) metadata[name.slice('x-amz-meta-'.length)] = value;
  return {
    ACL: fields.acl,
    ContentType: fields['content-type'],
    CacheControl: fields['cache-control'],
    ContentDisposition: fields['content-disposition'],
    ContentEncoding: fields['content-encoding'],
    Expires: fields.expires,
    WebsiteRedirectLocation: fields['x-amz-website-redirect-location'],
    StorageClass: fields['x-amz-storage-class'],
    Metadata: metadata,
  };
}

/** The tagging field: a Tagging document, as PutObjectTagging takes it. */
function parseTaggingXml(text: string): Array<{ Key: string; Value: string }> {
  let root;
  try {
    root = parseXml(text);
  } catch {
    throw s3Errors.malformedXml();
  }
  const tagSet = root.name === 'Tagging' ? root.children.find((n) => n.name === 'TagSet') : undefined;
  if (!tagSet) throw s3Errors.malformedXml();
  const tags = tagSet.children
    .filter((n) => n.name === 'Tag')
    .map((t) => ({ Key: t.children.find((n) => n.name === 'Key')?.text, Value: t.children.find((n) => n.name === 'Value')?.text }));
  return validateTagSet(tags, 10);
}

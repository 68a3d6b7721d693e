/**
 * Object reads and writes: PutObject streams the body through a digester into
 * a new blob (or, when small, into the version record) and then commits it (see store.ts); GetObject and HeadObject
 * answer conditionals, ranges, part numbers and response-* overrides.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-requests.html
 */
import type { Readable } from 'node:stream';
import type { RequestContext } from '../../core/context.js';
import { ServiceError } from '../../core/errors.js';
import { HTTP_STATUS } from '../../protocol/index.js';
import { AwsChunkedDecoder } from '../../protocol/sigv4/chunked.js';
import { s3op } from './access.js';
import { cannedAcl, aclFromGrantHeaders, isPublicAcl } from './acl.js';
import { CHECKSUM_MEMBERS, Digester, digestFrom, parseRange, readBody } from './body.js';
import { etagMatches, ownerOf, quoteEtag, type Operations, type S3Context } from './common.js';
import { s3Errors } from './errors.js';
import { eventOps } from './events.js';
import type { BucketRecord, ObjectVersion, StoredAcl } from './models.js';
import { validateObjectKey } from './names.js';
import { parseTaggingHeader } from './tags.js';

export const MAX_PUT_SIZE = 5 * 1024 ** 3;
export const STORAGE_CLASSES = ['STANDARD', 'REDUCED_REDUNDANCY', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER', 'DEEP_ARCHIVE', 'OUTPOSTS', 'GLACIER_IR', 'SNOW', 'EXPRESS_ONEZONE'];

/** The object ACL a write asks for, checked against Object Ownership and Block Public Access. */
export function requestedObjectAcl(bucket: BucketRecord, input: Record<string, any>, accountId: string): StoredAcl | undefined {
  const grants = ['GrantRead', 'GrantReadACP', 'GrantWriteACP', 'GrantFullControl'].some((g) => input[g] !== undefined);
  if (input.ACL === undefined && !grants) return undefined;
  if (bucket.ownership === 'BucketOwnerEnforced') {
    if (input.ACL === 'bucket-owner-full-control' && !grants) return undefined;
    throw s3Errors.aclNotSupported();
  }
  const owner = ownerOf(accountId);
  const acl = grants ? aclFromGrantHeaders(input, owner) : cannedAcl(input.ACL, owner, bucket.owner, true);
  if (bucket.publicAccessBlock?.BlockPublicAcls && isPublicAcl(acl)) throw s3Errors.accessDenied();
  return acl as StoredAcl;
}

/** The metadata members every write shares (PutObject, CopyObject REPLACE, CreateMultipartUpload). */
export function writeAttributes(input: Record<string, any>): Partial<ObjectVersion> {
  if (input.StorageClass !== undefined && !STORAGE_CLASSES.includes(input.StorageClass)) throw s3Errors.invalidStorageClass();
  return {
    contentType: input.ContentType ?? 'binary/octet-stream',
    contentEncoding: input.ContentEncoding,
    contentDisposition: input.ContentDisposition,
    contentLanguage: input.ContentLanguage,
    cacheControl: input.CacheControl,
    expires: input.Expires instanceof Date ? input.Expires.toUTCString() : input.Expires,
    websiteRedirectLocation: input.WebsiteRedirectLocation,
    metadata: input.Metadata && Object.keys(input.Metadata).length ? input.Metadata : undefined,
    storageClass: input.StorageClass && input.StorageClass !== 'STANDARD' ? input.StorageClass : undefined,
  };
}

/** Output members describing a version (GetObject, HeadObject). */
function describe(v: ObjectVersion, input: Record<string, any>, versioned: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    AcceptRanges: 'bytes',
    LastModified: new Date(v.lastModified),
    ETag: v.etag,
    ContentType: input.ResponseContentType ?? v.contentType,
    ContentEncoding: input.ResponseContentEncoding ?? v.contentEncoding,
    ContentDisposition: input.ResponseContentDisposition ?? v.contentDisposition,
    ContentLanguage: input.ResponseContentLanguage ?? v.contentLanguage,
    CacheControl: input.ResponseCacheControl ?? v.cacheControl,
    WebsiteRedirectLocation: v.websiteRedirectLocation,
    Metadata: v.metadata,
    StorageClass: v.storageClass,
    VersionId: versioned ? v.versionId : undefined,
    TagCount: v.tags?.length ? v.tags.length : undefined,
    PartsCount: input.PartNumber !== undefined && v.parts ? v.parts.length : undefined,
  };
  const expires = input.ResponseExpires ?? v.expires;
  if (expires !== undefined) out.ExpiresString = expires instanceof Date ? expires.toUTCString() : String(expires);
  if (input.ChecksumMode === 'ENABLED' && v.checksums) Object.assign(out, v.checksums);
  return out;
}

/** S3's order: If-Match, then If-Unmodified-Since (only without If-Match); If-None-Match, then If-Modified-Since. */
export function checkConditions(v: ObjectVersion, input: Record<string, any>, prefix = ''): void {
  const get = (name: string) => input[`${prefix}${name}`];
  const modified = new Date(v.lastModified).getTime();
  const ifMatch = get('IfMatch');
  const ifUnmodified = get('IfUnmodifiedSince');
  const ifNoneMatch = get('IfNoneMatch');
  const ifModified = get('IfModifiedSince');
  const secs = (d: Date) => Math.floor(d.getTime() / 1000) * 1000;
  if (ifMatch !== undefined && !etagMatches(ifMatch, v.etag)) throw s3Errors.preconditionFailed(prefix ? 'x-amz-copy-source-If-Match' : 'If-Match');
  if (ifMatch === undefined && ifUnmodified instanceof Date && secs(new Date(modified)) > secs(ifUnmodified)) {
    throw s3Errors.preconditionFailed(prefix ? 'x-amz-copy-source-If-Unmodified-Since' : 'If-Unmodified-Since');
  }
  const notModified = prefix ? () => s3Errors.preconditionFailed('x-amz-copy-source-If-None-Match') : () => notModifiedError(v);
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, v.etag)) throw notModified();
  if (ifNoneMatch === undefined && ifModified instanceof Date && ifModified.getTime() <= Date.now() && secs(new Date(modified)) <= secs(ifModified)) throw notModified();
}

function notModifiedError(v: ObjectVersion): ServiceError {
  return new ServiceError('NotModified', 'Not Modified', { status: 304, headers: { etag: v.etag ?? '', 'last-modified': new Date(v.lastModified).toUTCString() } });
}

/** The version a read names, or S3's error for a missing key, version or delete marker. */
export async function readableVersion(c: S3Context, bucket: string, key: string, versionId: string | undefined, method: string): Promise<ObjectVersion> {
  const v = await c.db.findVersion(bucket, key, versionId);
  if (!v) {
    await c.db.requireBucket(bucket);
    if (versionId !== undefined) throw versionId === 'null' || /^[A-Za-z0-9._-]{32}$/.test(versionId) ? s3Errors.noSuchVersion(key, versionId) : s3Errors.invalidArgument('Invalid version id specified', 'versionId', versionId);
    throw s3Errors.noSuchKey(key);
  }
  if (v.deleteMarker) {
    const headers = { 'x-amz-delete-marker': 'true', 'x-amz-version-id': v.versionId };
    if (versionId === undefined) throw s3Errors.noSuchKey(key, headers);
    throw new ServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', { status: 405, fields: { Method: method, ResourceType: 'DeleteMarker' }, headers });
  }
  return v;
}

export function objectOperations(c: S3Context): Operations {
  const objectAccess = (action: string, versionedAction?: string) => (input: { Bucket: string; Key: string; VersionId?: string }) => ({
    action: input.VersionId !== undefined && versionedAction ? versionedAction : action,
    bucket: input.Bucket,
    key: input.Key,
    objectAcl: async () => (await c.db.findVersion(input.Bucket, input.Key, input.VersionId))?.acl,
  });

  const read = async (input: Record<string, any>, ctx: RequestContext, head: boolean) => {
    if (ctx.principal.type === 'anonymous' && Object.keys(input).some((k) => k.startsWith('Response') && input[k] !== undefined)) {
      throw s3Errors.invalidRequest('Request specific response headers cannot be used for anonymous GET requests.');
    }
    const bucket = await c.db.requireBucket(input.Bucket);
    const v = await readableVersion(c, input.Bucket, input.Key, input.VersionId, head ? 'HEAD' : 'GET');
    checkConditions(v, input);
    const out = describe(v, input, bucket.versioning !== undefined);
    let range: { start: number; end: number } | undefined;
    if (input.PartNumber !== undefined) {
      const n = Number(input.PartNumber);
      const parts = v.parts ?? [v.size];
      if (!Number.isInteger(n) || n < 1 || n > 10_000) throw s3Errors.invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', String(input.PartNumber));
      if (n > parts.length) throw s3Errors.invalidRange(v.size, `part ${n}`);
      const start = parts.slice(0, n - 1).reduce((a, b) => a + b, 0);
      range = { start, end: start + parts[n - 1]! - 1 };
      if (v.parts) out.PartsCount = v.parts.length;
    } else {
      range = parseRange(input.Range, v.size);
    }
    if (range) {
      out.ContentRange = `bytes ${range.start}-${range.end}/${v.size}`;
      out.ContentLength = range.end - range.start + 1;
      out[HTTP_STATUS] = 206;
      for (const m of Object.keys(CHECKSUM_MEMBERS)) delete out[m];
    } else {
      out.ContentLength = v.size;
    }
    if (!head) out.Body = await readBody(c.deps.blobs, v, range);
    return out;
  };

  return {
    PutObject: s3op(c, (input: any) => ({ action: 's3:PutObject', bucket: input.Bucket, key: input.Key, conditions: input.ACL ? { 's3:x-amz-acl': input.ACL } : undefined }), async (input, ctx) => {
      const body = input.Body as Readable | undefined;
      try {
        validateObjectKey(input.Key);
        const bucket = await c.db.requireBucket(input.Bucket);
        // SDK v3 streams (flexible checksums) send aws-chunked with Transfer-Encoding: chunked and
        // only x-amz-decoded-content-length, which S3 accepts; the decoder holds the body to that length.
        if (input.ContentLength === undefined && !(body instanceof AwsChunkedDecoder)) throw s3Errors.missingContentLength();
        if (input.ContentLength > MAX_PUT_SIZE) throw s3Errors.entityTooLarge(input.ContentLength, MAX_PUT_SIZE);
        const acl = requestedObjectAcl(bucket, input, c.deps.accountId);
        const tags = parseTaggingHeader(input.Tagging);
        const attrs = writeAttributes(input);
        if (input.IfNoneMatch !== undefined) {
          if (input.IfNoneMatch !== '*') throw new ServiceError('NotImplemented', 'A header you provided implies functionality that is not implemented', { status: 501, fields: { Header: 'If-None-Match' } });
          const current = await c.db.findVersion(input.Bucket, input.Key);
          if (current && !current.deleteMarker) throw s3Errors.preconditionFailed('If-None-Match');
        }
        const expected: Record<string, string> = {};
        for (const m of Object.keys(CHECKSUM_MEMBERS)) if (typeof input[m] === 'string') expected[m] = input[m];
        const digester = new Digester({ contentMd5: input.ContentMD5, expected, compute: input.ChecksumAlgorithm ? [input.ChecksumAlgorithm] : [], maxSize: MAX_PUT_SIZE });
        const source = body ?? (await import('node:stream')).Readable.from([]);
        const data = await c.db.writeBody(input.Bucket, digestFrom(source, digester), input.ContentLength);
        const d = digester.result!;
        let queued = false;
        const { version } = await c.db.commitVersion(
          input.Bucket,
          input.Key,
          { ...attrs, etag: quoteEtag(d.md5Hex), size: d.size, ...data, checksums: Object.keys(d.checksums).length ? d.checksums : undefined, checksumType: Object.keys(d.checksums).length ? 'FULL_OBJECT' : undefined, tags, acl, owner: ownerOf(c.deps.accountId) },
          (v, b) => {
            const ops = eventOps(c, b, 'ObjectCreated:Put', input.Key, v, ctx);
            queued = ops.length > 0;
            return ops;
          },
        );
        // Waking the dispatcher costs a queue scan: only when this write queued events.
        if (queued) c.deps.lambda?.notifyQueued();
        return { ETag: version.etag, VersionId: bucket.versioning ? version.versionId : undefined, ...d.checksums };
      } finally {
        body?.resume();
      }
    }),

    GetObject: s3op(c, objectAccess('s3:GetObject', 's3:GetObjectVersion'), (input, ctx) => read(input, ctx, false)),
    HeadObject: s3op(c, objectAccess('s3:GetObject', 's3:GetObjectVersion'), (input, ctx) => read(input, ctx, true)),
  };
}

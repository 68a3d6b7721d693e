/**
 * CopyObject: reads the source (authorized as s3:GetObject on it), applies
 * the copy-source conditionals and the metadata and tagging directives, and
 * writes a new object with its own bytes (blobs are never shared, so
 * deleting one object can never take another's data with it; a small one is
 * copied inline).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
 */
import type { RequestContext } from '../../core/context.js';
import { authorizeS3, s3op } from './access.js';
import { Digester, digestFrom, readChunks } from './body.js';
import { ownerOf, quoteEtag, type Operations, type S3Context } from './common.js';
import { s3Errors } from './errors.js';
import { eventOps } from './events.js';
import type { ObjectVersion } from './models.js';
import { validateObjectKey } from './names.js';
import { checkConditions, MAX_PUT_SIZE, readableVersion, requestedObjectAcl, writeAttributes } from './objects.js';
import { parseTaggingHeader } from './tags.js';

export interface CopySource {
  bucket: string;
  key: string;
  versionId?: string;
}

/** x-amz-copy-source: "bucket/key" or "/bucket/key", URL-encoded, with an optional ?versionId=. */
export function parseCopySource(header: string | undefined): CopySource {
  const invalid = () => s3Errors.invalidArgument('Invalid copy source object key', 'x-amz-copy-source', header);
  if (!header) throw invalid();
  let raw = header.startsWith('/') ? header.slice(1) : header;
  let versionId: string | undefined;
  const q = raw.indexOf('?');
  if (q !== -1) {
    versionId = new URLSearchParams(raw.slice(q + 1)).get('versionId') ?? undefined;
    raw = raw.slice(0, q);
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw invalid();
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw invalid();
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), versionId };
}

/** Reads an authorized copy source: its version, after the copy-source conditionals. */
export async function copySourceVersion(c: S3Context, ctx: RequestContext, src: CopySource, input: Record<string, unknown>): Promise<ObjectVersion> {
  await authorizeS3(c, ctx, {
    action: src.versionId !== undefined ? 's3:GetObjectVersion' : 's3:GetObject',
    bucket: src.bucket,
    key: src.key,
    objectAcl: async () => (await c.db.findVersion(src.bucket, src.key, src.versionId))?.acl,
  });
  await c.db.requireBucket(src.bucket);
  const v = await readableVersion(c, src.bucket, src.key, src.versionId, 'GET');
  checkConditions(v, input, 'CopySource');
  return v;
}

export function copyOperations(c: S3Context): Operations {
  return {
    CopyObject: s3op(c, (input: any) => ({ action: 's3:PutObject', bucket: input.Bucket, key: input.Key }), async (input, ctx) => {
      validateObjectKey(input.Key);
      const src = parseCopySource(input.CopySource);
      const bucket = await c.db.requireBucket(input.Bucket);
      const source = await copySourceVersion(c, ctx, src, input);
      if (source.size > MAX_PUT_SIZE) throw s3Errors.invalidRequest('The specified copy source is larger than the maximum allowable size for a copy source: 5368709120');
      const directive = input.MetadataDirective ?? 'COPY';
      if (directive !== 'COPY' && directive !== 'REPLACE') throw s3Errors.invalidArgument('Unknown metadata directive.', 'MetadataDirective', directive);
      const tagging = input.TaggingDirective ?? 'COPY';
      if (tagging !== 'COPY' && tagging !== 'REPLACE') throw s3Errors.invalidArgument('Unknown tagging directive.', 'TaggingDirective', tagging);
      const sameObject = src.bucket === input.Bucket && src.key === input.Key && (src.versionId === undefined || src.versionId === source.versionId);
      if (sameObject && directive === 'COPY' && input.StorageClass === undefined && input.WebsiteRedirectLocation === undefined && input.ServerSideEncryption === undefined) {
        throw s3Errors.invalidRequest(
          "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
        );
      }
      const acl = requestedObjectAcl(bucket, input, c.deps.accountId);
      const attrs =
        directive === 'REPLACE'
          ? writeAttributes(input)
          : {
              contentType: source.contentType,
              contentEncoding: source.contentEncoding,
              contentDisposition: source.contentDisposition,
              contentLanguage: source.contentLanguage,
              cacheControl: source.cacheControl,
              expires: source.expires,
              websiteRedirectLocation: input.WebsiteRedirectLocation ?? source.websiteRedirectLocation,
              metadata: source.metadata,
              storageClass: input.StorageClass && input.StorageClass !== 'STANDARD' ? input.StorageClass : undefined,
            };
      const tags = tagging === 'REPLACE' ? parseTaggingHeader(input.Tagging ?? '') : source.tags;
      const algorithm: string | undefined = input.ChecksumAlgorithm;
      const digester = new Digester({ compute: algorithm ? [algorithm] : Object.keys(source.checksums ?? {}).map((m) => m.slice('Checksum'.length)) });
      const stream = await readChunks(c.deps.blobs, source);
      const data = await c.db.writeBody(input.Bucket, digestFrom(stream, digester), source.size);
      const d = digester.result!;
      // A copy of a multipart object is one part with a plain MD5 ETag, as on S3.
      const checksums = Object.keys(d.checksums).length ? d.checksums : undefined;
      const { version } = await c.db.commitVersion(
        input.Bucket,
        input.Key,
        { ...attrs, etag: quoteEtag(d.md5Hex), size: d.size, ...data, checksums, checksumType: checksums ? 'FULL_OBJECT' : undefined, tags, acl, owner: ownerOf(c.deps.accountId) },
        (v, b) => eventOps(c, b, 'ObjectCreated:Copy', input.Key, v, ctx),
      );
      c.deps.lambda?.notifyQueued();
      const srcBucket = await c.db.getBucket(src.bucket);
      return {
        CopyObjectResult: { ETag: version.etag, LastModified: new Date(version.lastModified), ...checksums },
        VersionId: bucket.versioning ? version.versionId : undefined,
        CopySourceVersionId: srcBucket?.value.versioning ? source.versionId : undefined,
      };
    }),
  };
}

/**
 * Multipart uploads: CreateMultipartUpload records what the object will be;
 * UploadPart streams each part through a digester into its own blob (never
 * buffered) and UploadPartCopy copies a byte range of an object into one;
 * CompleteMultipartUpload (multipart-complete.ts) makes those blobs the
 * object's chunks; AbortMultipartUpload drops them. Listings are in
 * multipart-list.ts, records and ids in multipart-store.ts.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html
 */
import { Readable } from 'node:stream';
import { ConditionFailedError } from '../../storage/types.js';
import { s3op } from './access.js';
import { CHECKSUM_MEMBERS, Digester, digestFrom, memberForAlgorithm, readChunks } from './body.js';
import { quoteEtag, type Operations, type S3Context } from './common.js';
import { copySourceVersion, parseCopySource } from './copy.js';
import { s3Errors } from './errors.js';
import { defaultChecksumType, MULTIPART_ALGORITHMS } from './multipart-checksums.js';
import { completeMultipartUpload } from './multipart-complete.js';
import { multipartListOperations } from './multipart-list.js';
import {
  initiatorOf,
  MAX_PART_SIZE,
  newUploadId,
  partNumberOf,
  removeUpload,
  requireUpload,
  storePart,
  uploadKey,
  type PartRecord,
  type UploadRecord,
} from './multipart-store.js';
import { validateObjectKey } from './names.js';
import { requestedObjectAcl, writeAttributes } from './objects.js';
import { TABLES } from './store.js';
import { parseTaggingHeader } from './tags.js';

const RANGE_FORM = 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy';

/** x-amz-copy-source-range: exactly "bytes=first-last", inside the source. */
export function parseCopyRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d+)-(\d+)$/.exec(header);
  if (!m || Number(m[1]) > Number(m[2])) throw s3Errors.invalidArgument(RANGE_FORM, 'x-amz-copy-source-range', header);
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (start >= size) throw s3Errors.invalidRequest('The specified copy range is invalid for the source object size');
  if (end >= size) throw s3Errors.invalidArgument(`Range specified is not valid for source object of size: ${size}`, 'x-amz-copy-source-range', header);
  return { start, end };
}

/** The algorithm a part request names: x-amz-sdk-checksum-algorithm, else the x-amz-checksum-* header it sent. */
function requestAlgorithm(input: Record<string, any>): string | undefined {
  if (typeof input.ChecksumAlgorithm === 'string') return input.ChecksumAlgorithm.toUpperCase();
  const member = Object.keys(CHECKSUM_MEMBERS).find((m) => typeof input[m] === 'string');
  return member?.slice('Checksum'.length);
}

/** The upload's checksum of a part, kept for Complete and ListParts. */
function partChecksums(upload: UploadRecord, computed: Record<string, string>): Record<string, string> | undefined {
  const member = upload.checksumAlgorithm ? memberForAlgorithm(upload.checksumAlgorithm) : undefined;
  return member && computed[member] ? { [member]: computed[member] } : undefined;
}

export function multipartOperations(c: S3Context): Operations {
  const write = (input: any) => ({ action: 's3:PutObject', bucket: input.Bucket, key: input.Key });

  return {
    CreateMultipartUpload: s3op(c, (input: any) => ({ ...write(input), conditions: input.ACL ? { 's3:x-amz-acl': input.ACL } : undefined }), async (input, ctx) => {
      validateObjectKey(input.Key);
      const bucket = await c.db.requireBucket(input.Bucket);
      const acl = requestedObjectAcl(bucket, input, c.deps.accountId);
      const tags = parseTaggingHeader(input.Tagging);
      const attrs = writeAttributes(input);
      let algorithm: string | undefined;
      if (input.ChecksumAlgorithm !== undefined) {
        algorithm = String(input.ChecksumAlgorithm).toUpperCase();
        if (!MULTIPART_ALGORITHMS.includes(algorithm)) {
          throw s3Errors.invalidRequest('Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]');
        }
      }
      const uploadId = newUploadId();
      const record: UploadRecord = {
        bucket: input.Bucket,
        key: input.Key,
        uploadId,
        initiated: new Date().toISOString(),
        initiator: initiatorOf(ctx.principal, c.deps.accountId),
        attrs,
        acl,
        tags,
        checksumAlgorithm: algorithm,
        checksumType: algorithm ? defaultChecksumType(algorithm) : undefined,
      };
      try {
        await c.deps.store.batch([
          { op: 'put', table: TABLES.uploads, key: uploadKey(input.Bucket, input.Key, uploadId), value: record, condition: { ifNotExists: true } },
          { op: 'check', table: TABLES.buckets, key: input.Bucket, condition: { ifExists: true } },
        ]);
      } catch (err) {
        if (err instanceof ConditionFailedError && err.table === TABLES.buckets) throw s3Errors.noSuchBucket(input.Bucket);
        throw err;
      }
      return { Bucket: input.Bucket, Key: input.Key, UploadId: uploadId, ChecksumAlgorithm: algorithm };
    }),

    UploadPart: s3op(c, write, async (input) => {
      const body = input.Body as Readable | undefined;
      try {
        const partNumber = partNumberOf(input.PartNumber);
        const upload = (await requireUpload(c, input.Bucket, input.Key, input.UploadId)).value;
        // No MissingContentLength: an aws-chunked part may come with only x-amz-decoded-content-length,
        // which the model does not carry; the digester still caps the size.
        if (input.ContentLength !== undefined && input.ContentLength > MAX_PART_SIZE) throw s3Errors.entityTooLarge(input.ContentLength, MAX_PART_SIZE);
        const sent = requestAlgorithm(input);
        const want = upload.checksumAlgorithm;
        if (want && sent && sent !== want) {
          throw s3Errors.invalidRequest(`Checksum Type mismatch occurred, expected checksum Type: ${want.toLowerCase()}, actual checksum Type: ${sent.toLowerCase()}`);
        }
        const expected: Record<string, string> = {};
        for (const m of Object.keys(CHECKSUM_MEMBERS)) if (typeof input[m] === 'string') expected[m] = input[m];
        const compute = [want, input.ChecksumAlgorithm].filter((a): a is string => typeof a === 'string');
        const digester = new Digester({ contentMd5: input.ContentMD5, expected, compute, maxSize: MAX_PART_SIZE });
        const source = body ?? Readable.from([]);
        const chunk = await c.db.writeBlob(input.Bucket, digestFrom(source, digester));
        const d = digester.result!;
        const part: PartRecord = { partNumber, etag: quoteEtag(d.md5Hex), size: d.size, lastModified: new Date().toISOString(), chunk, checksums: partChecksums(upload, d.checksums) };
        await storePart(c, input.Bucket, input.Key, upload.uploadId, part);
        return { ETag: part.etag, ...d.checksums };
      } finally {
        body?.resume();
      }
    }),

    UploadPartCopy: s3op(c, write, async (input, ctx) => {
      const partNumber = partNumberOf(input.PartNumber);
      const upload = (await requireUpload(c, input.Bucket, input.Key, input.UploadId)).value;
      const src = parseCopySource(input.CopySource);
      const source = await copySourceVersion(c, ctx, src, input);
      const range = parseCopyRange(input.CopySourceRange, source.size);
      const length = range ? range.end - range.start + 1 : source.size;
      if (!range && source.size > MAX_PART_SIZE) {
        throw s3Errors.invalidRequest(`The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_PART_SIZE}`);
      }
      if (length > MAX_PART_SIZE) throw s3Errors.entityTooLarge(length, MAX_PART_SIZE);
      const digester = new Digester({ compute: upload.checksumAlgorithm ? [upload.checksumAlgorithm] : [] });
      const stream = await readChunks(c.deps.blobs, source, range);
      const chunk = await c.db.writeBlob(input.Bucket, digestFrom(stream, digester));
      const d = digester.result!;
      const part: PartRecord = { partNumber, etag: quoteEtag(d.md5Hex), size: d.size, lastModified: new Date().toISOString(), chunk, checksums: partChecksums(upload, d.checksums) };
      await storePart(c, input.Bucket, input.Key, upload.uploadId, part);
      const srcBucket = await c.db.getBucket(src.bucket);
      return {
        CopyPartResult: { ETag: part.etag, LastModified: new Date(part.lastModified), ...part.checksums },
        CopySourceVersionId: srcBucket?.value.versioning ? source.versionId : undefined,
      };
    }),

    CompleteMultipartUpload: s3op(c, write, (input, ctx) => completeMultipartUpload(c, input, ctx)),

    AbortMultipartUpload: s3op(c, (input: any) => ({ action: 's3:AbortMultipartUpload', bucket: input.Bucket, key: input.Key }), async (input) => {
      await removeUpload(c, input.Bucket, input.Key, input.UploadId);
      return {};
    }),

    ...multipartListOperations(c),
  };
}

/**
 * CompleteMultipartUpload: checks the part list against the stored parts (order,
 * ETags, checksums, the 5 MiB minimum), then commits a version whose chunks
 * are the listed parts' blobs in one transaction that also removes the upload
 * and its parts and orphans the parts left out. Nothing is copied. A repeated
 * Complete of an upload that produced the current object answers as the first
 * did, as S3 does for retried requests.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity-upload.html
 */
import type { RequestContext } from '../../core/context.js';
import { ServiceError } from '../../core/errors.js';
import { ConditionFailedError, type WriteOp } from '../../storage/types.js';
import { CHECKSUM_MEMBERS } from './body.js';
import { multipartEtag, ownerOf, type S3Context } from './common.js';
import { s3Errors } from './errors.js';
import { eventOps } from './events.js';
import type { BucketRecord, ObjectVersion } from './models.js';
import { compositeChecksum, fullObjectChecksum } from './multipart-checksums.js';
import { getUpload, listAllParts, MIN_PART_SIZE, mpuError, type PartRecord, type UploadRecord } from './multipart-store.js';
import { TABLES } from './store.js';

const MAX_ATTEMPTS = 50;

interface RequestedPart {
  PartNumber?: number;
  ETag?: string;
  [member: string]: unknown;
}

const bare = (etag: string | undefined) => (etag ?? '').replace(/"/g, '');

function invalidPart(uploadId: string, requested: RequestedPart): ServiceError {
  return mpuError(
    'InvalidPart',
    "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
    { UploadId: uploadId, PartNumber: requested.PartNumber, ETag: bare(requested.ETag) },
  );
}

function objectUrl(ctx: RequestContext, bucket: string, key: string): string {
  return `${ctx.endpoint}/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** Matches the listed parts to the stored ones; the checks S3 makes, in its order. */
function resolveParts(upload: UploadRecord, requested: RequestedPart[], stored: Map<number, PartRecord>): PartRecord[] {
  const alg = upload.checksumAlgorithm;
  const member = alg ? `Checksum${alg}` : undefined;
  const out: PartRecord[] = [];
  let previous = 0;
  for (const r of requested) {
    const n = Number(r.PartNumber);
    if (!Number.isInteger(n) || n <= previous) throw mpuError('InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.', { UploadId: upload.uploadId });
    previous = n;
  }
  for (const r of requested) {
    const part = stored.get(Number(r.PartNumber));
    if (!part || bare(r.ETag) !== bare(part.etag)) throw invalidPart(upload.uploadId, r);
    const given = Object.keys(CHECKSUM_MEMBERS).filter((m) => typeof r[m] === 'string');
    if (!member) {
      // An upload without an algorithm keeps no part checksums to match.
      if (given.length) throw invalidPart(upload.uploadId, r);
    } else {
      const other = given.find((m) => m !== member);
      if (other) throw new ServiceError('BadDigest', `The ${other.slice(8).toLowerCase()} you specified for part ${part.partNumber} did not match what we received.`, { status: 400 });
      if (r[member] === undefined && upload.checksumType === 'COMPOSITE') {
        throw s3Errors.invalidRequest(
          `The upload was created using a ${alg!.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${part.partNumber} in the request.`,
        );
      }
      if (r[member] !== undefined && r[member] !== part.checksums?.[member]) throw invalidPart(upload.uploadId, r);
    }
    out.push(part);
  }
  for (const [i, part] of out.entries()) {
    if (i < out.length - 1 && part.size < MIN_PART_SIZE) {
      throw mpuError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', {
        ProposedSize: part.size,
        MinSizeAllowed: MIN_PART_SIZE,
        PartNumber: part.partNumber,
        ETag: bare(part.etag),
      });
    }
  }
  return out;
}

/** The object's checksum and its type, from the parts' checksums. */
function objectChecksum(upload: UploadRecord, parts: PartRecord[]): Pick<ObjectVersion, 'checksums' | 'checksumType'> {
  const alg = upload.checksumAlgorithm;
  if (!alg) return {};
  const member = `Checksum${alg}`;
  const values = parts.map((p) => p.checksums?.[member] ?? '');
  const value = upload.checksumType === 'FULL_OBJECT' ? fullObjectChecksum(alg, parts.map((p, i) => ({ checksum: values[i]!, size: p.size }))) : compositeChecksum(alg, values);
  return { checksums: { [member]: value }, checksumType: upload.checksumType };
}

/** A whole-object checksum sent with Complete must be the one the parts give. */
function checkRequestChecksum(input: Record<string, any>, upload: UploadRecord, result: Pick<ObjectVersion, 'checksums'>): void {
  const alg = upload.checksumAlgorithm;
  if (!alg) return;
  const member = `Checksum${alg}`;
  const computed = result.checksums?.[member] ?? '';
  for (const m of Object.keys(CHECKSUM_MEMBERS)) {
    const sent = input[m];
    if (typeof sent !== 'string') continue;
    if (m !== member || (sent !== computed && sent !== computed.replace(/-\d+$/, ''))) {
      throw s3Errors.badDigest(`The ${alg.toLowerCase()} you specified did not match the calculated checksum.`);
    }
  }
}

function completeOutput(ctx: RequestContext, bucket: BucketRecord, key: string, v: ObjectVersion): Record<string, unknown> {
  return {
    Location: objectUrl(ctx, bucket.name, key),
    Bucket: bucket.name,
    Key: key,
    ETag: v.etag,
    VersionId: bucket.versioning ? v.versionId : undefined,
    ...v.checksums,
  };
}

export async function completeMultipartUpload(c: S3Context, input: Record<string, any>, ctx: RequestContext): Promise<Record<string, unknown>> {
  const bucketName: string = input.Bucket;
  const key: string = input.Key;
  const uploadId: string = input.UploadId ?? '';
  for (let attempt = 0; ; attempt++) {
    const bucket = await c.db.requireBucket(bucketName);
    const requested: RequestedPart[] = input.MultipartUpload?.Parts ?? [];
    const upload = uploadId ? await getUpload(c, bucketName, key, uploadId) : undefined;
    if (!upload) {
      const current = await c.db.findVersion(bucketName, key);
      const retried = requested.length > 0 && current && !current.deleteMarker && current.parts?.length === requested.length && current.etag === multipartEtag(requested.map((p) => bare(p.ETag)));
      if (retried) return completeOutput(ctx, bucket, key, current);
      throw s3Errors.noSuchUpload(uploadId);
    }
    if (input.IfNoneMatch !== undefined) {
      if (input.IfNoneMatch !== '*') throw new ServiceError('NotImplemented', 'A header you provided implies functionality that is not implemented', { status: 501, fields: { Header: 'If-None-Match' } });
      const existing = await c.db.findVersion(bucketName, key);
      if (existing && !existing.deleteMarker) throw s3Errors.preconditionFailed('If-None-Match');
    }
    if (requested.length === 0) throw s3Errors.invalidRequest('You must specify at least one part');
    const stored = await listAllParts(c, uploadId);
    const parts = resolveParts(upload.value, requested, new Map(stored.map((d) => [d.value.partNumber, d.value])));
    const checksum = objectChecksum(upload.value, parts);
    checkRequestChecksum(input, upload.value, checksum);
    const listed = new Set(parts.map((p) => p.partNumber));
    const unlisted = stored.filter((d) => !listed.has(d.value.partNumber)).map((d) => d.value.chunk);
    const u = upload.value;
    const cleanup: WriteOp[] = [
      { op: 'delete', table: TABLES.uploads, key: upload.key, condition: { ifVersion: upload.version } },
      ...stored.map((d): WriteOp => ({ op: 'delete', table: TABLES.parts, key: d.key })),
      ...c.db.orphanOps(unlisted),
    ];
    let version: ObjectVersion;
    try {
      ({ version } = await c.db.commitVersion(
        bucketName,
        key,
        {
          ...u.attrs,
          etag: multipartEtag(parts.map((p) => p.etag)),
          size: parts.reduce((n, p) => n + p.size, 0),
          chunks: parts.map((p) => p.chunk),
          parts: parts.map((p) => p.size),
          ...checksum,
          tags: u.tags,
          acl: u.acl,
          owner: ownerOf(c.deps.accountId),
        },
        (v, b) => [...cleanup, ...eventOps(c, b, 'ObjectCreated:CompleteMultipartUpload', key, v, ctx)],
      ));
    } catch (err) {
      // A part arrived, or the upload was aborted or completed, since we read it.
      if (err instanceof ConditionFailedError && (err.table === TABLES.uploads || err.table === TABLES.parts) && attempt < MAX_ATTEMPTS) continue;
      throw err;
    }
    c.deps.lambda?.notifyQueued();
    await c.db.discardBlobs(unlisted.map((ch) => ch.blob)).catch(() => undefined);
    return completeOutput(ctx, bucket, key, version);
  }
}

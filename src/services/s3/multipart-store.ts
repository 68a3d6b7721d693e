/**
 * Multipart uploads at rest: the upload records and their parts, and the one
 * transaction that adds a part.
 *
 *   s3.uploads  <bucket>/<key>\0<uploadId>         UploadRecord
 *   s3.parts    <uploadId>/<partNumber, 5 digits>  PartRecord
 *
 * Upload ids sort by initiation time, so an upload listing comes out in key
 * order and, for one key, oldest first, as S3 lists them. Every part write
 * also rewrites its upload record under a version condition: Complete and
 * Abort, which remove the upload in the same transaction as the parts they
 * read, therefore fail and re-read when a part arrived in between, and a part
 * written after either of them finds its upload gone and is discarded.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html
 */
import { randomBytes } from 'node:crypto';
import type { Principal } from '../../core/context.js';
import { ServiceError } from '../../core/errors.js';
import { ConditionFailedError, type StoredDocument, type WriteOp } from '../../storage/types.js';
import { ownerOf, type S3Context } from './common.js';
import { s3Errors } from './errors.js';
import type { Chunk, ObjectVersion, Owner, StoredAcl } from './models.js';
import { TABLES } from './store.js';
import type { Tag } from './tags.js';

export const MIN_PART_SIZE = 5 * 1024 ** 2;
export const MAX_PART_SIZE = 5 * 1024 ** 3;
export const MAX_PART_NUMBER = 10_000;
const MAX_ATTEMPTS = 200;

export interface UploadRecord {
  bucket: string;
  key: string;
  uploadId: string;
  initiated: string;
  initiator: Owner;
  /** What the completed object gets: content headers, metadata, storage class. */
  attrs: Partial<ObjectVersion>;
  acl?: StoredAcl;
  tags?: Tag[];
  /** CRC32, CRC32C, CRC64NVME, SHA1 or SHA256, when CreateMultipartUpload named one. */
  checksumAlgorithm?: string;
  checksumType?: 'COMPOSITE' | 'FULL_OBJECT';
}

export interface PartRecord {
  partNumber: number;
  /** Quoted MD5 of the part's bytes. */
  etag: string;
  size: number;
  lastModified: string;
  chunk: Chunk;
  /** The upload's checksum of this part, by member name (ChecksumCRC32...). */
  checksums?: Record<string, string>;
}

export function uploadKey(bucket: string, key: string, uploadId: string): string {
  return `${bucket}/${key}\u0000${uploadId}`;
}

export function partKey(uploadId: string, partNumber: number): string {
  return `${uploadId}/${String(partNumber).padStart(5, '0')}`;
}

// URL-safe and in ASCII order, so ids compare as the bytes they encode.
const SORTABLE = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
let lastStamp = 0n;

/** 32 opaque URL-safe characters, starting with a letter; later uploads get greater ids. */
export function newUploadId(): string {
  let stamp = BigInt(Date.now()) * 1000n;
  if (stamp <= lastStamp) stamp = lastStamp + 1n;
  lastStamp = stamp;
  const bytes = Buffer.alloc(24);
  // The top bit (a constant, so order holds) makes the id start with a letter, never '-',
  // which command-line parsers would take for an option.
  bytes.writeBigUInt64BE(stamp | (1n << 63n), 0);
  randomBytes(16).copy(bytes, 8);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += SORTABLE[(n >> 18) & 63]! + SORTABLE[(n >> 12) & 63]! + SORTABLE[(n >> 6) & 63]! + SORTABLE[n & 63]!;
  }
  return out;
}

/** Who started an upload, as ListParts and ListMultipartUploads show it. */
export function initiatorOf(principal: Principal, accountId: string): Owner {
  if (principal.type === 'root' || principal.type === 'anonymous' || principal.type === 'service') return ownerOf(accountId);
  return { ID: principal.arn, DisplayName: principal.sessionName ? `${principal.name ?? ''}/${principal.sessionName}` : (principal.name ?? principal.userId) };
}

export function partNumberOf(value: unknown): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < 1 || n > MAX_PART_NUMBER) {
    throw s3Errors.invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', String(value));
  }
  return n;
}

export async function getUpload(c: S3Context, bucket: string, key: string, uploadId: string): Promise<StoredDocument<UploadRecord> | undefined> {
  return c.deps.store.get<UploadRecord>(TABLES.uploads, uploadKey(bucket, key, uploadId));
}

/** The upload `uploadId` of `key`, after the bucket: an upload of another key is no upload of this one. */
export async function requireUpload(c: S3Context, bucket: string, key: string, uploadId: string | undefined): Promise<StoredDocument<UploadRecord>> {
  await c.db.requireBucket(bucket);
  const doc = uploadId ? await getUpload(c, bucket, key, uploadId) : undefined;
  if (!doc) throw s3Errors.noSuchUpload(uploadId ?? '');
  return doc;
}

/** Every part of an upload, in part-number order. */
export async function listAllParts(c: S3Context, uploadId: string): Promise<StoredDocument<PartRecord>[]> {
  const out: StoredDocument<PartRecord>[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await c.deps.store.list<PartRecord>(TABLES.parts, { prefix: `${uploadId}/`, after, limit: 1000 });
    out.push(...page);
    if (page.length < 1000) return out;
    after = page[page.length - 1]!.key;
  }
}

/**
 * Records a part whose bytes are already in `part.chunk` (a pending blob):
 * claims the blob, replaces a previous part of the same number (its blob is
 * discarded once the transaction commits) and bumps the upload. When the
 * upload is gone, the new blob is discarded and the caller gets NoSuchUpload.
 */
export async function storePart(c: S3Context, bucket: string, key: string, uploadId: string, part: PartRecord): Promise<void> {
  const pk = partKey(uploadId, part.partNumber);
  let replaced: PartRecord | undefined;
  for (let attempt = 0; ; attempt++) {
    const upload = await getUpload(c, bucket, key, uploadId);
    if (!upload) {
      await c.db.discardBlobs([part.chunk.blob]).catch(() => undefined);
      throw s3Errors.noSuchUpload(uploadId);
    }
    replaced = (await c.deps.store.get<PartRecord>(TABLES.parts, pk))?.value;
    const ops: WriteOp[] = [
      { op: 'put', table: TABLES.uploads, key: upload.key, value: upload.value, condition: { ifVersion: upload.version } },
      { op: 'put', table: TABLES.parts, key: pk, value: part },
      ...c.db.claimOps([part.chunk]),
      ...(replaced ? c.db.orphanOps([replaced.chunk]) : []),
    ];
    try {
      await c.deps.store.batch(ops);
      break;
    } catch (err) {
      if (!(err instanceof ConditionFailedError) || attempt >= MAX_ATTEMPTS) {
        await c.db.discardBlobs([part.chunk.blob]).catch(() => undefined);
        throw err;
      }
    }
  }
  if (replaced) await c.db.discardBlobs([replaced.chunk.blob]).catch(() => undefined);
}

/** Aborts: the upload, its parts and their bytes go; NoSuchUpload when there is none. */
export async function removeUpload(c: S3Context, bucket: string, key: string, uploadId: string | undefined): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const upload = await requireUpload(c, bucket, key, uploadId);
    const parts = await listAllParts(c, upload.value.uploadId);
    const ops: WriteOp[] = [
      { op: 'delete', table: TABLES.uploads, key: upload.key, condition: { ifVersion: upload.version } },
      ...parts.map((p): WriteOp => ({ op: 'delete', table: TABLES.parts, key: p.key })),
      ...c.db.orphanOps(parts.map((p) => p.value.chunk)),
    ];
    try {
      await c.deps.store.batch(ops);
    } catch (err) {
      if (!(err instanceof ConditionFailedError) || attempt >= MAX_ATTEMPTS) throw err;
      continue;
    }
    await c.db.discardBlobs(parts.map((p) => p.value.chunk.blob)).catch(() => undefined);
    return;
  }
}

/** S3's error with extra members, for the multipart errors errors.ts has no helper for. */
export function mpuError(code: string, message: string, fields?: Record<string, unknown>): ServiceError {
  return new ServiceError(code, message, { status: 400, fields });
}

/**
 * S3's state: buckets, object heads and versions in the DocumentStore, bytes
 * in the BlobStore.
 *
 * Tables:
 *   s3.buckets   <bucket>                  BucketRecord
 *   s3.objects   <bucket>/<key>            ObjectHead: the newest version (maybe a delete marker)
 *   s3.versions  <bucket>/<key>\0<seq>     ObjectVersion; seq sorts newest first
 *   s3.garbage   <blob key>                blobs that no record owns (yet, or any more)
 *
 * A write streams its bytes into a new blob first, then commits the version
 * and the head in one conditional batch: readers see the old object or the
 * new one, never a mix, and of two concurrent writers the later commit wins.
 * Blobs written but not yet committed, and blobs a commit replaced, are
 * listed in s3.garbage in the same transactions that create or orphan them,
 * so a crash at any point leaves at worst a marker that the next sweep (at
 * start-up) resolves: no orphaned bytes survive a restart. Pending markers are
 * written ahead in batches (a small pool of reserved blob keys), so a write
 * costs one transaction, its commit, rather than two: with --durability full
 * each transaction is an fsync. A reserved key never written is a marker
 * without bytes, swept like any other once its process is gone.
 *
 * A body of at most INLINE_MAX bytes skips the BlobStore: it is kept, base64,
 * in the version record (`inline`, with no chunks), so it is written, replaced
 * and deleted in the very transactions that commit or drop its record, and
 * there is no blob to mark. The head's copy of the version leaves it out
 * (listings read heads); findVersion fetches it. Both forms coexist; every
 * reader goes through body.ts, which serves either.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Readable } from 'node:stream';
import { ConditionFailedError, type BlobStore, type DocumentStore, type StoredDocument, type WriteOp } from '../../storage/types.js';
import { s3Errors } from './errors.js';
import type { BucketRecord, Chunk, ObjectData, ObjectHead, ObjectVersion } from './models.js';

export const TABLES = {
  buckets: 's3.buckets',
  objects: 's3.objects',
  versions: 's3.versions',
  garbage: 's3.garbage',
  uploads: 's3.uploads',
  parts: 's3.parts',
  outbox: 's3.outbox',
} as const;

const MAX_ATTEMPTS = 50;
const OWNER = `${hostname()}:${process.pid}`;
/** Blob keys reserved per transaction, and how long a reservation may wait for its write (well inside sweepGarbage's staleMs). */
const RESERVE_BATCH = 32;
/**
 * Bodies up to this size are stored inline in the version record: less work
 * than a file's create, write, fsync and rename, and one read instead of an
 * open. ListObjectVersions reads whole version records, so it stays modest.
 */
export const INLINE_MAX = 16 * 1024;
const RESERVATION_TTL_MS = 60_000;

interface GarbageRecord {
  owner: string;
  at: number;
  /** true while the write that made the blob has not committed. */
  pending: boolean;
}

export function objectKey(bucket: string, key: string): string {
  return `${bucket}/${key}`;
}

export function versionKeyPrefix(bucket: string, key: string): string {
  return `${bucket}/${key}\u0000`;
}

let lastStamp = 0;
/** Fixed-width, decreasing over time: the versions of a key list newest first. */
export function newSeq(): string {
  let stamp = Date.now() * 1000;
  if (stamp <= lastStamp) stamp = lastStamp + 1;
  lastStamp = stamp;
  return (2 ** 53 - stamp).toString(16).padStart(14, '0') + randomBytes(3).toString('hex');
}

/**
 * Opaque, URL-safe, 32 characters, like S3's. Never with a '-': an id starting
 * with one reads as an option to the AWS CLI (`--version-id -x...` fails).
 */
export function newVersionId(): string {
  return randomBytes(24).toString('base64url').replace(/-/g, '.');
}

export interface VersionInput extends Omit<ObjectVersion, 'versionId' | 'seq' | 'lastModified'> {
  lastModified?: string;
}

export interface CommitResult {
  version: ObjectVersion;
  /** The version this write replaced (unversioned/suspended overwrite), if any. */
  replaced?: ObjectVersion;
}

export class S3Store {
  private reserved: Array<{ blob: string; at: number }> = [];
  private reserving: Promise<void> | undefined;

  constructor(
    readonly docs: DocumentStore,
    readonly blobs: BlobStore,
  ) {}

  // ---- buckets ----

  async getBucket(name: string): Promise<StoredDocument<BucketRecord> | undefined> {
    return this.docs.get<BucketRecord>(TABLES.buckets, name);
  }

  async requireBucket(name: string): Promise<BucketRecord> {
    const doc = await this.getBucket(name);
    if (!doc) throw s3Errors.noSuchBucket(name);
    return doc.value;
  }

  async listBuckets(): Promise<BucketRecord[]> {
    return (await this.docs.list<BucketRecord>(TABLES.buckets)).map((d) => d.value);
  }

  /** Read-modify-write of a bucket record, retried on concurrent changes. */
  async updateBucket<T = void>(name: string, mutate: (b: BucketRecord) => T): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const doc = await this.getBucket(name);
      if (!doc) throw s3Errors.noSuchBucket(name);
      const result = mutate(doc.value);
      try {
        await this.docs.put(TABLES.buckets, name, doc.value, { ifVersion: doc.version });
        return result;
      } catch (err) {
        if (!(err instanceof ConditionFailedError) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }

  async hasObjects(bucket: string): Promise<boolean> {
    const prefix = `${bucket}/`;
    const [object] = await this.docs.list(TABLES.objects, { prefix, limit: 1 });
    const [upload] = await this.docs.list(TABLES.uploads, { prefix, limit: 1 });
    return object !== undefined || upload !== undefined;
  }

  // ---- blobs ----

  /**
   * Streams `data` into a new blob, marked as garbage until a commit claims it.
   * A failed or aborted stream leaves neither the blob nor the marker.
   */
  async writeBlob(_bucket: string, data: Readable | Buffer): Promise<Chunk> {
    const blob = await this.reserveBlob();
    try {
      const info = await this.blobs.write(blob, data);
      return { blob, size: info.size };
    } catch (err) {
      await this.discardBlobs([blob]).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Stores an object's body: inline when the announced `size` is at most
   * INLINE_MAX, else streamed into a blob (writeBlob). A body that turns out
   * longer than announced goes to a blob after all.
   */
  async writeBody(bucket: string, data: Readable, size: number | undefined): Promise<ObjectData> {
    if (size === undefined || size > INLINE_MAX) return { chunks: [await this.writeBlob(bucket, data)] };
    const parts: Buffer[] = [];
    let total = 0;
    const it = data[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    for (;;) {
      const next = await it.next();
      if (next.done) return { chunks: [], inline: Buffer.concat(parts, total).toString('base64') };
      parts.push(next.value);
      total += next.value.length;
      if (total > INLINE_MAX) {
        const rest = Readable.from(
          (async function* () {
            yield* parts;
            for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
          })(),
        );
        return { chunks: [await this.writeBlob(bucket, rest)] };
      }
    }
  }

  /** A fresh blob key whose pending garbage marker is already committed. */
  private async reserveBlob(): Promise<string> {
    for (;;) {
      const now = Date.now();
      while (this.reserved.length > 0) {
        const r = this.reserved.pop()!;
        // An old reservation is left to the sweep rather than risk its marker going stale mid-write.
        if (now - r.at < RESERVATION_TTL_MS) return r.blob;
      }
      this.reserving ??= this.reserveBatch().finally(() => (this.reserving = undefined));
      await this.reserving;
    }
  }

  private async reserveBatch(): Promise<void> {
    const at = Date.now();
    const blobs = Array.from({ length: RESERVE_BATCH }, () => `s3/${randomUUID()}`);
    await this.docs.batch(blobs.map((blob) => ({ op: 'put', table: TABLES.garbage, key: blob, value: { owner: OWNER, at, pending: true } satisfies GarbageRecord })));
    for (const blob of blobs) this.reserved.push({ blob, at });
  }

  /** Deletes blobs no record owns, then their markers. */
  async discardBlobs(blobs: string[]): Promise<void> {
    for (const blob of blobs) {
      await this.blobs.delete(blob);
      await this.docs.delete(TABLES.garbage, blob);
    }
  }

  /** Ops that claim freshly written chunks for a record being committed. */
  claimOps(chunks: Chunk[]): WriteOp[] {
    return chunks.map((c) => ({ op: 'delete', table: TABLES.garbage, key: c.blob }));
  }

  /** Ops that mark a replaced version's chunks as garbage. */
  orphanOps(chunks: Chunk[]): WriteOp[] {
    return chunks.map((c) => ({ op: 'put', table: TABLES.garbage, key: c.blob, value: { owner: OWNER, at: Date.now(), pending: false } satisfies GarbageRecord }));
  }

  /**
   * Resolves garbage markers: committed orphans always; pending ones whose
   * writer is gone (this host, dead pid) or that are older than `staleMs`.
   */
  async sweepGarbage(staleMs = 60 * 60 * 1000): Promise<number> {
    let after: string | undefined;
    let swept = 0;
    for (;;) {
      const page = await this.docs.list<GarbageRecord>(TABLES.garbage, { after, limit: 500 });
      if (page.length === 0) return swept;
      for (const doc of page) {
        const g = doc.value;
        const ownerGone = g.owner.startsWith(`${hostname()}:`) && g.owner !== OWNER && !pidAlive(Number(g.owner.split(':').pop()));
        if (!g.pending || ownerGone || Date.now() - g.at > staleMs) {
          await this.blobs.delete(doc.key);
          await this.docs.delete(TABLES.garbage, doc.key, { ifVersion: doc.version }).catch(() => undefined);
          swept++;
        }
      }
      after = page[page.length - 1]!.key;
    }
  }

  // ---- objects ----

  async getHead(bucket: string, key: string): Promise<StoredDocument<ObjectHead> | undefined> {
    return this.docs.get<ObjectHead>(TABLES.objects, objectKey(bucket, key));
  }

  async listVersionsOf(bucket: string, key: string): Promise<StoredDocument<ObjectVersion>[]> {
    return this.docs.list<ObjectVersion>(TABLES.versions, { prefix: versionKeyPrefix(bucket, key) });
  }

  /** The version a GET names, bytes included: the current one, or the one with `versionId`. */
  async findVersion(bucket: string, key: string, versionId?: string): Promise<ObjectVersion | undefined> {
    if (versionId !== undefined) return (await this.listVersionsOf(bucket, key)).find((v) => v.value.versionId === versionId)?.value;
    for (let attempt = 0; ; attempt++) {
      const current = (await this.getHead(bucket, key))?.value.current;
      if (!current || !inlineLeftOut(current)) return current;
      const record = await this.docs.get<ObjectVersion>(TABLES.versions, versionKeyPrefix(bucket, key) + current.seq);
      // Gone: an overwrite replaced it between the two reads; the head now names another.
      if (record) return record.value;
      if (attempt >= MAX_ATTEMPTS) throw new Error(`s3: version record ${bucket}/${key} ${current.seq} missing`);
    }
  }

  /**
   * Commits a new version of `key` (object or delete marker) whose chunks are
   * already written. With versioning Enabled it gets a fresh version id;
   * otherwise it becomes the null version, replacing the previous one.
   * `extraOps(version)` joins the same transaction (notifications, upload cleanup).
   */
  async commitVersion(bucket: string, key: string, input: VersionInput, extraOps: (v: ObjectVersion, b: BucketRecord) => WriteOp[] = () => []): Promise<CommitResult> {
    for (let attempt = 0; ; attempt++) {
      const b = await this.requireBucket(bucket);
      const head = await this.getHead(bucket, key);
      const seq = newSeq();
      const versioned = b.versioning === 'Enabled';
      const version: ObjectVersion = { ...input, versionId: versioned ? newVersionId() : 'null', seq, lastModified: input.lastModified ?? new Date().toISOString() };
      const ops: WriteOp[] = [];
      let replaced: ObjectVersion | undefined;
      const nullSeq = versioned ? head?.value.nullSeq : seq;
      if (!versioned && head?.value.nullSeq !== undefined) {
        const old = await this.docs.get<ObjectVersion>(TABLES.versions, versionKeyPrefix(bucket, key) + head.value.nullSeq);
        if (old) {
          replaced = old.value;
          ops.push({ op: 'delete', table: TABLES.versions, key: old.key, condition: { ifVersion: old.version } });
          ops.push(...this.orphanOps(old.value.chunks));
        }
      }
      ops.push({ op: 'put', table: TABLES.versions, key: versionKeyPrefix(bucket, key) + seq, value: version });
      const newHead: ObjectHead = nullSeq === undefined ? { current: headCopy(version) } : { current: headCopy(version), nullSeq };
      ops.push({ op: 'put', table: TABLES.objects, key: objectKey(bucket, key), value: newHead, condition: head ? { ifVersion: head.version } : { ifNotExists: true } });
      ops.push({ op: 'check', table: TABLES.buckets, key: bucket, condition: { ifExists: true } });
      ops.push(...this.claimOps(version.chunks), ...extraOps(version, b));
      try {
        await this.docs.batch(ops);
      } catch (err) {
        if (err instanceof ConditionFailedError && err.table === TABLES.buckets) throw s3Errors.noSuchBucket(bucket);
        // Only a race on this key is retried here; a caller's own condition (an upload record) is the caller's to handle.
        const ours = err instanceof ConditionFailedError && (err.table === TABLES.objects || err.table === TABLES.versions);
        if (!ours || attempt >= MAX_ATTEMPTS) throw err;
        continue;
      }
      if (replaced) await this.discardBlobs(replaced.chunks.map((c) => c.blob)).catch(() => undefined);
      return { version, replaced };
    }
  }

  /**
   * Permanently removes one version. When it was the newest, the next newest
   * becomes current; when none is left, the key disappears.
   */
  async deleteVersion(bucket: string, key: string, versionId: string, extraOps: (v: ObjectVersion, b: BucketRecord) => WriteOp[] = () => []): Promise<ObjectVersion | undefined> {
    for (let attempt = 0; ; attempt++) {
      const b = await this.requireBucket(bucket);
      const head = await this.getHead(bucket, key);
      const versions = await this.listVersionsOf(bucket, key);
      const target = versions.find((v) => v.value.versionId === versionId);
      if (!head || !target) return undefined;
      const ops: WriteOp[] = [{ op: 'delete', table: TABLES.versions, key: target.key, condition: { ifVersion: target.version } }, ...this.orphanOps(target.value.chunks)];
      const rest = versions.filter((v) => v !== target);
      const objKey = objectKey(bucket, key);
      if (rest.length === 0) ops.push({ op: 'delete', table: TABLES.objects, key: objKey, condition: { ifVersion: head.version } });
      else {
        const next: ObjectHead = { current: headCopy(rest[0]!.value) };
        const nullSeq = versionId === 'null' ? undefined : head.value.nullSeq;
        if (nullSeq !== undefined) next.nullSeq = nullSeq;
        ops.push({ op: 'put', table: TABLES.objects, key: objKey, value: next, condition: { ifVersion: head.version } });
      }
      ops.push(...extraOps(target.value, b));
      try {
        await this.docs.batch(ops);
      } catch (err) {
        if (!(err instanceof ConditionFailedError) || attempt >= MAX_ATTEMPTS) throw err;
        continue;
      }
      await this.discardBlobs(target.value.chunks.map((c) => c.blob)).catch(() => undefined);
      return target.value;
    }
  }

  /** Rewrites one version's record in place (tags, ACL) without touching its bytes; `extraOps` joins the transaction (notifications). */
  async updateVersion(bucket: string, key: string, versionId: string | undefined, mutate: (v: ObjectVersion) => void, extraOps: (v: ObjectVersion) => WriteOp[] = () => []): Promise<ObjectVersion> {
    for (let attempt = 0; ; attempt++) {
      const head = await this.getHead(bucket, key);
      if (!head || (versionId === undefined && head.value.current.deleteMarker)) throw s3Errors.noSuchKey(key);
      const versions = await this.listVersionsOf(bucket, key);
      const id = versionId ?? head.value.current.versionId;
      const target = versions.find((v) => v.value.versionId === id);
      if (!target) throw versionId === undefined ? s3Errors.noSuchKey(key) : s3Errors.noSuchVersion(key, versionId);
      if (target.value.deleteMarker) throw s3Errors.methodNotAllowed('PUT', 'DeleteMarker');
      mutate(target.value);
      const ops: WriteOp[] = [{ op: 'put', table: TABLES.versions, key: target.key, value: target.value, condition: { ifVersion: target.version } }];
      if (head.value.current.seq === target.value.seq) {
        ops.push({ op: 'put', table: TABLES.objects, key: objectKey(bucket, key), value: { ...head.value, current: headCopy(target.value) }, condition: { ifVersion: head.version } });
      }
      ops.push(...extraOps(target.value));
      try {
        await this.docs.batch(ops);
        return target.value;
      } catch (err) {
        if (!(err instanceof ConditionFailedError) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }
}

/** A version as its object's head holds it: without an inline body, which stays in the version record only. */
function headCopy(v: ObjectVersion): ObjectVersion {
  if (v.inline === undefined) return v;
  const { inline: _, ...rest } = v;
  return rest;
}

/** A head's version whose bytes were left out (headCopy): it has bytes yet neither chunks nor inline data. */
function inlineLeftOut(v: ObjectVersion): boolean {
  return !v.deleteMarker && v.size > 0 && v.chunks.length === 0 && v.inline === undefined;
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

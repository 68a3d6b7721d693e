/**
 * Small S3 bodies kept inline in the version record (src/services/s3/store.ts
 * writeBody): which bodies go inline and which to a blob, that the object's
 * head does not carry them, reads (ranges too),
 * copies and part copies from either form, overwrites and deletes across the
 * two forms leaving no blob behind, and a body longer than it announced.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import { INLINE_MAX, S3Store } from '../src/services/s3/store.js';
import { FileBlobStore } from '../src/storage/files/blobs.js';
import { MemoryDocumentStore } from '../src/storage/memory.js';
import { clientConfig, removeDir, startTestServer, tempDir, type TestServer } from './harness.js';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

interface StoredVersion {
  versionId: string;
  size: number;
  chunks: Array<{ blob: string }>;
  inline?: string;
}

describe('S3 small bodies inline', () => {
  let server: TestServer;
  let s3: S3Client;
  const B = 'inline-bucket';

  before(async () => {
    server = await startTestServer();
    s3 = new S3Client(clientConfig(server));
    await s3.send(new CreateBucketCommand({ Bucket: B }));
  });
  after(async () => {
    s3.destroy();
    await server.close();
  });

  /** The versions of `key` as stored, read from the database file. */
  const stored = (bucket: string, key: string): StoredVersion[] => {
    const db = new Database(join(server.dataDir, 'stratus.db'), { readonly: true });
    try {
      const rows = db.prepare("SELECT value FROM documents WHERE tbl = 's3.versions' AND key >= ? AND key < ?").all(`${bucket}/${key}\u0000`, `${bucket}/${key}\u0001`) as Array<{ value: string }>;
      return rows.map((r) => JSON.parse(r.value) as StoredVersion);
    } finally {
      db.close();
    }
  };
  /** The object's head as stored. */
  const storedHead = (bucket: string, key: string): { current: StoredVersion } | undefined => {
    const db = new Database(join(server.dataDir, 'stratus.db'), { readonly: true });
    try {
      const row = db.prepare("SELECT value FROM documents WHERE tbl = 's3.objects' AND key = ?").get(`${bucket}/${key}`) as { value: string } | undefined;
      return row && (JSON.parse(row.value) as { current: StoredVersion });
    } finally {
      db.close();
    }
  };
  /** Every blob file on disk, and every blob the committed versions name, as file names. */
  const blobState = (): { files: string[]; referenced: string[] } => {
    const dir = join(server.dataDir, 'blobs');
    const files: string[] = [];
    for (const a of existsSync(dir) ? readdirSync(dir) : []) {
      if (a === '.tmp') continue;
      for (const b of readdirSync(join(dir, a))) files.push(...readdirSync(join(dir, a, b)));
    }
    const db = new Database(join(server.dataDir, 'stratus.db'), { readonly: true });
    try {
      const referenced = new Set<string>();
      for (const table of ['s3.versions', 's3.parts']) {
        for (const row of db.prepare('SELECT value FROM documents WHERE tbl = ?').all(table) as Array<{ value: string }>) {
          const v = JSON.parse(row.value) as { chunks?: Array<{ blob: string }>; chunk?: { blob: string } };
          for (const c of [...(v.chunks ?? []), ...(v.chunk ? [v.chunk] : [])]) referenced.add(createHash('sha256').update(c.blob, 'utf8').digest('hex'));
        }
      }
      return { files: files.sort(), referenced: [...referenced].sort() };
    } finally {
      db.close();
    }
  };
  const get = async (key: string, extra: { Range?: string; VersionId?: string } = {}): Promise<Buffer> => {
    const out = await s3.send(new GetObjectCommand({ Bucket: B, Key: key, ...extra }));
    return Buffer.from(await out.Body!.transformToByteArray());
  };

  it('PutObject: bodies up to INLINE_MAX go in the record, larger ones to a blob; both read whole and by range', async () => {
    for (const size of [0, 1, 1000, INLINE_MAX, INLINE_MAX + 1]) {
      const body = randomBytes(size);
      const key = `sized/${size}`;
      const put = await s3.send(new PutObjectCommand({ Bucket: B, Key: key, Body: body }));
      assert.equal(put.ETag, `"${md5(body)}"`);
      const [v] = stored(B, key);
      if (size <= INLINE_MAX) {
        assert.equal(v!.inline, body.toString('base64'), `size ${size} inline`);
        assert.deepEqual(v!.chunks, []);
        // Listings read heads: the body stays in the version record only.
        assert.equal(storedHead(B, key)!.current.inline, undefined);
        assert.equal(storedHead(B, key)!.current.size, size);
      } else {
        assert.equal(v!.inline, undefined, `size ${size} not inline`);
        assert.equal(v!.chunks.length, 1);
      }
      assert.deepEqual(await get(key), body);
      if (size >= 10) {
        assert.deepEqual(await get(key, { Range: 'bytes=3-8' }), body.subarray(3, 9));
        assert.deepEqual(await get(key, { Range: 'bytes=-4' }), body.subarray(size - 4));
        const head = await s3.send(new GetObjectCommand({ Bucket: B, Key: key, Range: `bytes=${size - 2}-` }));
        assert.equal(head.ContentRange, `bytes ${size - 2}-${size - 1}/${size}`);
      }
    }
    assert.deepEqual(blobState().files, blobState().referenced);
  });

  it('overwrites and deletes across the two forms leave exactly the blobs committed versions own', async () => {
    const big = randomBytes(INLINE_MAX * 4);
    const small = randomBytes(100);
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'flip', Body: big }));
    const withBlob = blobState().files.length;
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'flip', Body: small }));
    assert.deepEqual(await get('flip'), small);
    assert.equal(blobState().files.length, withBlob - 1, 'the replaced blob is removed');
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'flip', Body: big }));
    assert.deepEqual(await get('flip'), big);
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'flip', Body: small }));
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'flip' }));
    assert.deepEqual(stored(B, 'flip'), []);
    assert.deepEqual(blobState().files, blobState().referenced);

    const V = 'inline-versioned';
    await s3.send(new CreateBucketCommand({ Bucket: V }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: V, VersioningConfiguration: { Status: 'Enabled' } }));
    const ids: string[] = [];
    for (const body of [small, big, Buffer.from('third')]) ids.push((await s3.send(new PutObjectCommand({ Bucket: V, Key: 'k', Body: body }))).VersionId!);
    const read = async (VersionId: string) => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: V, Key: 'k', VersionId }))).Body!.transformToByteArray());
    assert.deepEqual(await read(ids[0]!), small);
    assert.deepEqual(await read(ids[1]!), big);
    assert.equal((await read(ids[2]!)).toString(), 'third');
    await s3.send(new DeleteObjectCommand({ Bucket: V, Key: 'k', VersionId: ids[2] }));
    await s3.send(new DeleteObjectCommand({ Bucket: V, Key: 'k', VersionId: ids[1] }));
    assert.deepEqual(Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: V, Key: 'k' }))).Body!.transformToByteArray()), small);
    assert.deepEqual(blobState().files, blobState().referenced);
  });

  it('a small body streamed without a length is a blob; copies and part copies read either form', async () => {
    const body = randomBytes(3000);
    // A stream body: the SDK sends aws-chunked with Transfer-Encoding: chunked, no Content-Length.
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'streamed', Body: Readable.from([body.subarray(0, 1000), body.subarray(1000)]), ContentLength: body.length }));
    assert.equal(stored(B, 'streamed')[0]!.chunks.length, 1);
    assert.deepEqual(await get('streamed'), body);

    await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copied', CopySource: `${B}/streamed` }));
    assert.equal(stored(B, 'copied')[0]!.inline, body.toString('base64'), 'a small copy is inline');
    await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copied-again', CopySource: `${B}/copied` }));
    assert.deepEqual(await get('copied-again'), body);

    const part1 = randomBytes(5 * 1024 * 1024);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'assembled' }));
    const p1 = await s3.send(new UploadPartCommand({ Bucket: B, Key: 'assembled', UploadId, PartNumber: 1, Body: part1 }));
    const p2 = await s3.send(new UploadPartCopyCommand({ Bucket: B, Key: 'assembled', UploadId, PartNumber: 2, CopySource: `${B}/copied`, CopySourceRange: 'bytes=100-1099' }));
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: B,
        Key: 'assembled',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.CopyPartResult!.ETag }] },
      }),
    );
    assert.deepEqual(await get('assembled'), Buffer.concat([part1, body.subarray(100, 1100)]));
    assert.deepEqual(blobState().files, blobState().referenced);
  });

  it('GETs racing overwrites of an inline object always read one whole body', async () => {
    const bodies = Array.from({ length: 8 }, (_, i) => Buffer.alloc(500 + i * 100, i + 1));
    const known = new Set(bodies.map((b) => md5(b)));
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'raced', Body: bodies[0] }));
    let reads = 0;
    let writing = true;
    const readers = Array.from({ length: 4 }, async () => {
      while (writing) {
        const got = await get('raced');
        assert.ok(known.has(md5(got)), `read ${got.length} bytes that no writer wrote`);
        reads++;
      }
    });
    for (let round = 0; round < 5; round++) await Promise.all(bodies.map((Body) => s3.send(new PutObjectCommand({ Bucket: B, Key: 'raced', Body }))));
    writing = false;
    await Promise.all(readers);
    assert.ok(reads > 0);
    assert.equal(stored(B, 'raced').length, 1, 'one null version left');
  });

  it('writeBody: a body longer than announced goes to a blob after all', async () => {
    const dir = tempDir('stratus-inline-');
    try {
      const blobs = await FileBlobStore.open(join(dir, 'blobs'));
      const store = new S3Store(new MemoryDocumentStore(), blobs);
      const body = randomBytes(INLINE_MAX + 500);
      const data = await store.writeBody('b', Readable.from([body.subarray(0, 10), body.subarray(10, INLINE_MAX), body.subarray(INLINE_MAX)]), 10);
      assert.equal(data.inline, undefined);
      assert.equal(data.chunks.length, 1);
      const chunks: Buffer[] = [];
      for await (const c of (await blobs.read(data.chunks[0]!.blob))!) chunks.push(c as Buffer);
      assert.deepEqual(Buffer.concat(chunks), body);
      assert.deepEqual(await store.writeBody('b', Readable.from([body.subarray(0, 10)]), 10), { chunks: [], inline: body.subarray(0, 10).toString('base64') });
    } finally {
      removeDir(dir);
    }
  });
});

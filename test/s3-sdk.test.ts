/**
 * S3 through the JavaScript SDK v3 as applications use it, with its default
 * integrity protection on (CRC32 on every upload that supports a checksum,
 * aws-chunked bodies with trailing checksums for streams, response checksum
 * validation on downloads): @aws-sdk/client-s3, @aws-sdk/lib-storage's
 * Upload (multipart from a Buffer and from a stream of unknown length), and
 * @aws-sdk/s3-request-presigner URLs fetched with plain fetch.
 * https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/s3-checksums.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ShareObjectPreSignedURL.html
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { crc32 } from '@aws-crypto/crc32';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { clientConfig, startTestServer, type TestServer } from './harness.js';

const MiB = 1024 * 1024;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

function crc32Bytes(data: Buffer): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data) >>> 0);
  return out;
}

/** S3's COMPOSITE checksum of a multipart object: the CRC32 of the parts' CRC32s, then -<count>. */
function compositeCrc32(parts: Buffer[]): string {
  return `${crc32Bytes(Buffer.concat(parts.map(crc32Bytes))).toString('base64')}-${parts.length}`;
}

function multipartEtag(parts: Buffer[]): string {
  return `"${createHash('md5').update(Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()))).digest('hex')}-${parts.length}"`;
}

/** Yields `total` bytes of `data` in uneven chunks, with no length known up front. */
function unknownLength(data: Buffer): Readable {
  return Readable.from(
    (function* () {
      let offset = 0;
      let step = 1;
      while (offset < data.length) {
        const n = Math.min(data.length - offset, 65_536 + ((step++ * 7919) % 300_000));
        yield data.subarray(offset, offset + n);
        offset += n;
      }
    })(),
  );
}

async function bodyBytes(out: { Body?: unknown }): Promise<Buffer> {
  return Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

describe('S3 through SDK v3 with default checksums, lib-storage and the presigner', () => {
  let server: TestServer;
  let s3: S3Client;
  const B = 'sdk-bucket';

  before(async () => {
    server = await startTestServer();
    s3 = new S3Client(clientConfig(server));
    await s3.send(new CreateBucketCommand({ Bucket: B }));
  });
  after(async () => server.close());

  it('PutObject of a Buffer sends the default CRC32; GetObject with ChecksumMode ENABLED returns and validates it', async () => {
    const body = Buffer.from('hello, checksums');
    const put = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'crc.txt', Body: body, ContentType: 'text/plain' }));
    assert.equal(put.ETag, `"${md5(body)}"`);
    assert.equal(put.ChecksumCRC32, crc32Bytes(body).toString('base64'));
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'crc.txt', ChecksumMode: 'ENABLED' }));
    assert.equal(got.ChecksumCRC32, put.ChecksumCRC32);
    assert.equal((await bodyBytes(got)).toString(), 'hello, checksums');
  });

  it('PutObject of a stream with a known length goes as aws-chunked with a trailing checksum (SHA256 asked for)', async () => {
    const data = randomBytes(3 * MiB + 11);
    const put = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'streamed.bin', Body: unknownLength(data), ContentLength: data.length, ChecksumAlgorithm: 'SHA256' }));
    assert.equal(put.ChecksumSHA256, createHash('sha256').update(data).digest('base64'));
    assert.equal(put.ETag, `"${md5(data)}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'streamed.bin', ChecksumMode: 'ENABLED' }));
    assert.equal(got.ChecksumSHA256, put.ChecksumSHA256);
    assert.equal(md5(await bodyBytes(got)), md5(data));
  });

  it('CopyObject keeps the checksum; DeleteObjects (sent with a CRC32 instead of Content-MD5) and the ListObjectsV2 paginator', async () => {
    const copy = await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'crc-copy.txt', CopySource: `${B}/crc.txt` }));
    assert.equal(copy.CopyObjectResult?.ChecksumCRC32, crc32Bytes(Buffer.from('hello, checksums')).toString('base64'));
    for (let i = 0; i < 7; i++) await s3.send(new PutObjectCommand({ Bucket: B, Key: `many/${i}`, Body: `#${i}` }));
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 3 }, { Bucket: B, Prefix: 'many/' })) keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    assert.deepEqual(keys, ['many/0', 'many/1', 'many/2', 'many/3', 'many/4', 'many/5', 'many/6']);
    const del = await s3.send(new DeleteObjectsCommand({ Bucket: B, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    assert.equal(del.Deleted?.length, 7);
    assert.equal(del.Errors, undefined);
    assert.equal((await s3.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'many/' }))).KeyCount, 0);
  });

  it('lib-storage Upload: a 25 MiB Buffer with partSize 5 MiB is five CRC32 parts; ETag, COMPOSITE checksum and download MD5 match', async () => {
    const data = randomBytes(25 * MiB);
    const parts = Array.from({ length: 5 }, (_, i) => data.subarray(i * 5 * MiB, (i + 1) * 5 * MiB));
    const progress: number[] = [];
    const upload = new Upload({ client: s3, params: { Bucket: B, Key: 'lib/25mib.bin', Body: data, ContentType: 'application/octet-stream' }, partSize: 5 * MiB, queueSize: 3 });
    upload.on('httpUploadProgress', (p) => progress.push(p.part ?? 0));
    const out = await upload.done();
    assert.equal(out.ETag, multipartEtag(parts));
    assert.deepEqual([...new Set(progress)].sort(), [1, 2, 3, 4, 5]);
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'lib/25mib.bin', ChecksumMode: 'ENABLED' }));
    assert.equal(head.ContentLength, 25 * MiB);
    assert.equal(head.ChecksumCRC32, compositeCrc32(parts));
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'lib/25mib.bin' }));
    assert.equal(md5(await bodyBytes(got)), md5(data));
    const part3 = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'lib/25mib.bin', PartNumber: 3 }));
    assert.equal(part3.PartsCount, 5);
    assert.equal(part3.ContentRange, `bytes ${10 * MiB}-${15 * MiB - 1}/${25 * MiB}`);
    assert.equal(md5(await bodyBytes(part3)), md5(parts[2]!));
  });

  it('lib-storage Upload: a stream of unknown length (12.5 MiB in uneven chunks) becomes three parts and round-trips', async () => {
    const data = randomBytes(12.5 * MiB);
    const out = await new Upload({ client: s3, params: { Bucket: B, Key: 'lib/stream.bin', Body: unknownLength(data) }, partSize: 5 * MiB }).done();
    assert.equal(out.ETag, multipartEtag([data.subarray(0, 5 * MiB), data.subarray(5 * MiB, 10 * MiB), data.subarray(10 * MiB)]));
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'lib/stream.bin' }));
    assert.equal(got.ContentLength, data.length);
    assert.equal(md5(await bodyBytes(got)), md5(data));
    assert.equal((await s3.send(new ListMultipartUploadsCommand({ Bucket: B }))).Uploads, undefined);
  });

  it('lib-storage Upload: a short stream of unknown length is one PutObject', async () => {
    const data = randomBytes(300_000);
    const out = await new Upload({ client: s3, params: { Bucket: B, Key: 'lib/short.bin', Body: unknownLength(data) }, partSize: 5 * MiB }).done();
    assert.equal(out.ETag, `"${md5(data)}"`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'lib/short.bin' }));
    assert.equal(head.ContentLength, data.length);
  });

  it('lib-storage Upload: abort() mid-upload aborts the multipart upload and stores nothing', async () => {
    let sent = 0;
    const endless = new Readable({
      read() {
        sent += MiB;
        setTimeout(() => this.push(randomBytes(MiB)), sent > 6 * MiB ? 50 : 0);
      },
    });
    const upload = new Upload({ client: s3, params: { Bucket: B, Key: 'lib/aborted.bin', Body: endless }, partSize: 5 * MiB, queueSize: 1 });
    const done = upload.done();
    while (sent < 12 * MiB) await new Promise((r) => setTimeout(r, 20));
    await upload.abort();
    await assert.rejects(done, (e: Error) => e.name === 'AbortError');
    endless.destroy();
    await waitFor(async () => (await s3.send(new ListMultipartUploadsCommand({ Bucket: B }))).Uploads === undefined, 'the upload is aborted');
    await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: B, Key: 'lib/aborted.bin' })), (e: Error) => e.name === 'NotFound');
  });

  it('presigned GET: fetched with plain fetch, response-content-type and -disposition overrides honoured', async () => {
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'shared/report.csv', Body: 'a,b\n1,2\n', ContentType: 'text/csv' }));
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: B, Key: 'shared/report.csv' }), { expiresIn: 300 });
    assert.match(url, /X-Amz-Signature=/);
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/csv');
    assert.equal(await res.text(), 'a,b\n1,2\n');

    const download = await getSignedUrl(s3, new GetObjectCommand({ Bucket: B, Key: 'shared/report.csv', ResponseContentDisposition: 'attachment; filename="r.csv"', ResponseContentType: 'application/octet-stream' }), { expiresIn: 300 });
    const res2 = await fetch(download);
    assert.equal(res2.status, 200);
    assert.equal(res2.headers.get('content-disposition'), 'attachment; filename="r.csv"');
    assert.equal(res2.headers.get('content-type'), 'application/octet-stream');
    await res2.arrayBuffer();

    const ranged = await fetch(url, { headers: { range: 'bytes=0-2' } });
    assert.equal(ranged.status, 206);
    assert.equal(await ranged.text(), 'a,b');

    const tampered = new URL(url);
    tampered.pathname = `/${B}/shared/other.csv`;
    const denied = await fetch(tampered);
    assert.equal(denied.status, 403);
    assert.match(await denied.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
  });

  it('presigned PUT: a plain fetch uploads with the signed Content-Type; the object reads back through the SDK', async () => {
    const data = randomBytes(200_000);
    // Content-Type is signed only when asked for; the SDK also puts the CRC32 of an empty body in the
    // query string (x-amz-checksum-crc32=AAAAAA==), which S3 ignores for presigned uploads.
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: B, Key: 'shared/upload.bin', ContentType: 'application/x-upload' }), { expiresIn: 300, signableHeaders: new Set(['content-type']) });
    assert.match(url, /X-Amz-SignedHeaders=content-type%3Bhost/);
    const res = await fetch(url, { method: 'PUT', body: data, headers: { 'content-type': 'application/x-upload' } });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get('etag'), `"${md5(data)}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'shared/upload.bin' }));
    assert.equal(got.ContentType, 'application/x-upload');
    assert.equal(md5(await bodyBytes(got)), md5(data));

    // A Content-Type other than the signed one does not match the signature.
    const wrong = await fetch(url, { method: 'PUT', body: data, headers: { 'content-type': 'text/plain' } });
    assert.equal(wrong.status, 403);
    assert.match(await wrong.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
  });

  it('virtual-hosted-style addressing (<bucket>.s3.localhost, signed with that Host): CreateBucket, PutObject, GetObject, ListObjectsV2', async () => {
    // Every *.localhost name is sent to 127.0.0.1 by the client itself, whatever this machine's resolver does.
    const lookup = (_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => (opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4));
    const vhost = new S3Client({ ...clientConfig(server), endpoint: `http://s3.localhost:${server.port}`, forcePathStyle: false, requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ lookup } as never) }) });
    await vhost.send(new CreateBucketCommand({ Bucket: 'vhost-bucket' }));
    await vhost.send(new PutObjectCommand({ Bucket: 'vhost-bucket', Key: 'a/b.txt', Body: 'by host' }));
    const got = await vhost.send(new GetObjectCommand({ Bucket: 'vhost-bucket', Key: 'a/b.txt' }));
    assert.equal((await bodyBytes(got)).toString(), 'by host');
    const list = await vhost.send(new ListObjectsV2Command({ Bucket: 'vhost-bucket' }));
    assert.deepEqual(list.Contents?.map((o) => o.Key), ['a/b.txt']);
    // The same object, path-style.
    assert.equal((await bodyBytes(await s3.send(new GetObjectCommand({ Bucket: 'vhost-bucket', Key: 'a/b.txt' })))).toString(), 'by host');
  });
});

async function waitFor(check: () => Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

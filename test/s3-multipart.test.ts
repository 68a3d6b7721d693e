/**
 * Multipart uploads end to end through @aws-sdk/client-s3 against an
 * in-process Stratus: completing, replacing parts, the Complete errors S3
 * answers, aborting, both listings with pagination, UploadPartCopy ranges,
 * GetObject by part number and composite checksums.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { after, before, test } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { clientConfig, startTestServer, type TestServer } from './harness.js';

const MiB = 1024 * 1024;
let server: TestServer;
let s3: S3Client;
let bucketSeq = 0;

before(async () => {
  server = await startTestServer();
  s3 = new S3Client(clientConfig(server));
});

after(async () => {
  s3?.destroy();
  await server?.close();
});

async function newBucket(): Promise<string> {
  const Bucket = `mpu-${process.pid}-${++bucketSeq}`;
  await s3.send(new CreateBucketCommand({ Bucket }));
  return Bucket;
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const multipartEtag = (parts: Buffer[]) =>
  `"${createHash('md5')
    .update(Buffer.concat(parts.map((p) => createHash('md5').update(p).digest())))
    .digest('hex')}-${parts.length}"`;

async function rejects(p: Promise<unknown>, code: string, status: number): Promise<Record<string, any>> {
  try {
    await p;
  } catch (err) {
    const e = err as Record<string, any>;
    assert.equal(e.name, code, `expected ${code}, got ${e.name}: ${e.message}`);
    assert.equal(e.$metadata?.httpStatusCode, status);
    return e;
  }
  assert.fail(`expected ${code}`);
}

async function upload(Bucket: string, Key: string, extra: Record<string, unknown> = {}): Promise<string> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ...extra }));
  assert.ok(UploadId && /^[A-Za-z][A-Za-z0-9_-]+$/.test(UploadId));
  return UploadId;
}

async function part(Bucket: string, Key: string, UploadId: string, PartNumber: number, Body: Buffer, extra: Record<string, unknown> = {}): Promise<CompletedPart & Record<string, unknown>> {
  const out = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body, ...extra }));
  // Only an upload created with an algorithm takes part checksums back at Complete (the SDK adds CRC32 to every part).
  const member = extra.ChecksumAlgorithm ? `Checksum${String(extra.ChecksumAlgorithm)}` : undefined;
  return { PartNumber, ETag: out.ETag, ...(member ? { [member]: (out as unknown as Record<string, unknown>)[member] } : {}) };
}

async function body(Bucket: string, Key: string, extra: Record<string, unknown> = {}) {
  const out = await s3.send(new GetObjectCommand({ Bucket, Key, ...extra }));
  return { out, bytes: Buffer.from(await out.Body!.transformToByteArray()) };
}

test('a 3-part upload completes into the concatenated bytes with a "-3" ETag', async () => {
  const Bucket = await newBucket();
  const Key = 'big/object.bin';
  const data = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(123_457)];
  const UploadId = await upload(Bucket, Key, { ContentType: 'application/x-test', Metadata: { color: 'blue' }, Tagging: 'team=core' });
  const parts: CompletedPart[] = [];
  for (const [i, d] of data.entries()) {
    const p = await part(Bucket, Key, UploadId, i + 1, d);
    assert.equal(p.ETag, `"${md5(d)}"`);
    parts.push({ PartNumber: p.PartNumber, ETag: p.ETag });
  }
  const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
  assert.equal(done.ETag, multipartEtag(data));
  assert.equal(done.Bucket, Bucket);
  assert.equal(done.Key, Key);
  assert.equal(done.Location, `${server.url}/${Bucket}/big/object.bin`);

  const { out, bytes } = await body(Bucket, Key);
  assert.equal(out.ETag, multipartEtag(data));
  assert.equal(out.ContentType, 'application/x-test');
  assert.deepEqual(out.Metadata, { color: 'blue' });
  assert.equal(out.TagCount, 1);
  assert.equal(out.ContentLength, 10 * MiB + 123_457);
  assert.ok(bytes.equals(Buffer.concat(data)));

  // The upload is gone: listing it or completing a different part list is NoSuchUpload.
  await rejects(s3.send(new ListPartsCommand({ Bucket, Key, UploadId })), 'NoSuchUpload', 404);
  const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket }));
  assert.equal(listed.Uploads, undefined);
  await rejects(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts.slice(0, 2) } })), 'NoSuchUpload', 404);
  // Retrying the same Complete answers as the first did (S3 does too).
  const again = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
  assert.equal(again.ETag, done.ETag);
});

test('GetObject and HeadObject with PartNumber serve that part', async () => {
  const Bucket = await newBucket();
  const Key = 'parts';
  const data = [randomBytes(5 * MiB), Buffer.from('the second part')];
  const UploadId = await upload(Bucket, Key);
  const parts = [await part(Bucket, Key, UploadId, 1, data[0]!), await part(Bucket, Key, UploadId, 2, data[1]!)];
  await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts.map(({ PartNumber, ETag }) => ({ PartNumber, ETag })) } }));
  const { out, bytes } = await body(Bucket, Key, { PartNumber: 2 });
  assert.equal(out.$metadata.httpStatusCode, 206);
  assert.equal(bytes.toString(), 'the second part');
  assert.equal(out.PartsCount, 2);
  assert.equal(out.ContentRange, `bytes ${5 * MiB}-${5 * MiB + 14}/${5 * MiB + 15}`);
  const head = await s3.send(new HeadObjectCommand({ Bucket, Key, PartNumber: 1 }));
  assert.equal(head.ContentLength, 5 * MiB);
  assert.equal(head.PartsCount, 2);
});

test('completing in a versioned bucket makes a new version', async () => {
  const Bucket = await newBucket();
  await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  await s3.send(new PutObjectCommand({ Bucket, Key: 'v', Body: 'old' }));
  const UploadId = await upload(Bucket, 'v');
  const p = await part(Bucket, 'v', UploadId, 1, Buffer.from('new'));
  const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'v', UploadId, MultipartUpload: { Parts: [p] } }));
  assert.ok(done.VersionId && done.VersionId !== 'null');
  assert.equal((await body(Bucket, 'v')).out.VersionId, done.VersionId);
  assert.equal((await body(Bucket, 'v')).bytes.toString(), 'new');
});

test('a re-uploaded part number replaces the earlier part', async () => {
  const Bucket = await newBucket();
  const Key = 'replace';
  const UploadId = await upload(Bucket, Key);
  await part(Bucket, Key, UploadId, 1, Buffer.from('first version'));
  const p = await part(Bucket, Key, UploadId, 1, Buffer.from('second'));
  const listed = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
  assert.equal(listed.Parts?.length, 1);
  assert.equal(listed.Parts?.[0]?.ETag, `"${md5(Buffer.from('second'))}"`);
  assert.equal(listed.Parts?.[0]?.Size, 6);
  // The old ETag no longer names a part.
  await rejects(
    s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: `"${md5(Buffer.from('first version'))}"` }] } })),
    'InvalidPart',
    400,
  );
  await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p.ETag }] } }));
  assert.equal((await body(Bucket, Key)).bytes.toString(), 'second');
});

test('parts stream in: a Readable body of unknown chunking is digested on the way', async () => {
  const Bucket = await newBucket();
  const Key = 'streamed';
  const UploadId = await upload(Bucket, Key);
  const chunks = Array.from({ length: 6 }, () => randomBytes(1024 * 1024 + 17));
  const whole = Buffer.concat(chunks);
  const out = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: Readable.from(chunks), ContentLength: whole.length }));
  assert.equal(out.ETag, `"${md5(whole)}"`);
  await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: out.ETag }] } }));
  assert.ok((await body(Bucket, Key)).bytes.equals(whole));
});

test('Complete rejects small parts, bad order, unknown parts and an empty list', async () => {
  const Bucket = await newBucket();
  const Key = 'errors';
  const UploadId = await upload(Bucket, Key);
  const p1 = await part(Bucket, Key, UploadId, 1, Buffer.from('data'));
  const p2 = await part(Bucket, Key, UploadId, 2, Buffer.from('more'));
  const send = (Parts: CompletedPart[] | undefined) => s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: Parts ? { Parts } : undefined }));

  const small = await rejects(send([p1, p2]), 'EntityTooSmall', 400);
  assert.equal(small.message, 'Your proposed upload is smaller than the minimum allowed size');
  assert.equal(String(small.ProposedSize), '4');
  assert.equal(String(small.MinSizeAllowed), String(5 * MiB));
  assert.equal(String(small.PartNumber), '1');

  const order = await rejects(send([p2, p1]), 'InvalidPartOrder', 400);
  assert.equal(order.message, 'The list of parts was not in ascending order. Parts must be ordered by part number.');

  const missing = await rejects(send([p1, { PartNumber: 3, ETag: p2.ETag }]), 'InvalidPart', 400);
  assert.equal(missing.message, "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.");
  await rejects(send([{ PartNumber: 1, ETag: '"00000000000000000000000000000000"' }]), 'InvalidPart', 400);

  // An upload created without an algorithm keeps no part checksums, so listing one is InvalidPart (as on S3).
  const crc = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 3, Body: Buffer.from('crc') }));
  assert.ok(crc.ChecksumCRC32);
  await rejects(send([{ PartNumber: 3, ETag: crc.ETag, ChecksumCRC32: crc.ChecksumCRC32 }]), 'InvalidPart', 400);

  const empty = await rejects(send(undefined), 'InvalidRequest', 400);
  assert.equal(empty.message, 'You must specify at least one part');

  // A single small part is a whole object; the part left out is dropped.
  const done = await send([{ PartNumber: 2, ETag: p2.ETag }]);
  assert.equal(done.ETag, multipartEtag([Buffer.from('more')]));
  assert.equal((await body(Bucket, Key)).bytes.toString(), 'more');
});

test('part numbers outside 1..10000 are InvalidArgument', async () => {
  const Bucket = await newBucket();
  const UploadId = await upload(Bucket, 'k');
  for (const PartNumber of [0, 10001]) {
    const e = await rejects(s3.send(new UploadPartCommand({ Bucket, Key: 'k', UploadId, PartNumber, Body: Buffer.from('x') })), 'InvalidArgument', 400);
    assert.equal(e.message, 'Part number must be an integer between 1 and 10000, inclusive');
  }
});

test('abort removes the upload; its id then answers NoSuchUpload everywhere', async () => {
  const Bucket = await newBucket();
  const Key = 'aborted';
  const UploadId = await upload(Bucket, Key);
  const p = await part(Bucket, Key, UploadId, 1, Buffer.from('bytes'));
  const aborted = await s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
  assert.equal(aborted.$metadata.httpStatusCode, 204);
  const e = await rejects(s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })), 'NoSuchUpload', 404);
  assert.equal(e.message, 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.');
  await rejects(s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: Buffer.from('late') })), 'NoSuchUpload', 404);
  await rejects(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p.ETag }] } })), 'NoSuchUpload', 404);
  await rejects(s3.send(new ListPartsCommand({ Bucket, Key, UploadId })), 'NoSuchUpload', 404);
  // An upload id only exists for its own key.
  const other = await upload(Bucket, 'other');
  await rejects(s3.send(new ListPartsCommand({ Bucket, Key, UploadId: other })), 'NoSuchUpload', 404);
  await rejects(s3.send(new AbortMultipartUploadCommand({ Bucket, Key: 'missing', UploadId: 'no-such-upload' })), 'NoSuchUpload', 404);
});

test('ListParts paginates with PartNumberMarker and MaxParts', async () => {
  const Bucket = await newBucket();
  const Key = 'listed';
  const UploadId = await upload(Bucket, Key);
  const empty = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
  assert.equal(empty.Parts, undefined);
  assert.equal(empty.NextPartNumberMarker, '0');
  assert.equal(empty.IsTruncated, false);
  assert.equal(empty.StorageClass, 'STANDARD');
  assert.ok(empty.Initiator?.ID);
  assert.ok(empty.Owner?.ID);
  for (const n of [1, 2, 3, 5, 8]) await part(Bucket, Key, UploadId, n, Buffer.from(`part ${n}`));
  const seen: number[] = [];
  let marker: string | undefined;
  for (let page = 0; page < 10; page++) {
    const out = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId, MaxParts: 2, PartNumberMarker: marker }));
    assert.equal(out.MaxParts, 2);
    seen.push(...(out.Parts ?? []).map((p) => p.PartNumber!));
    if (!out.IsTruncated) break;
    marker = out.NextPartNumberMarker;
  }
  assert.deepEqual(seen, [1, 2, 3, 5, 8]);
  const tail = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId, PartNumberMarker: '5' }));
  assert.deepEqual(tail.Parts?.map((p) => [p.PartNumber, p.Size]), [[8, 6]]);
  assert.equal(tail.NextPartNumberMarker, '8');
});

test('ListMultipartUploads orders by key then initiation and paginates with both markers', async () => {
  const Bucket = await newBucket();
  const ids: Record<string, string[]> = { 'test_c': [], 'test_b': [], 'test_a': [] };
  for (const key of ['test_c', 'test_b', 'test_a', 'test_a', 'test_a']) ids[key]!.push(await upload(Bucket, key));
  const expected = [...ids['test_a']!.map((id) => ['test_a', id]), ['test_b', ids['test_b']![0]], ['test_c', ids['test_c']![0]]];

  const all = await s3.send(new ListMultipartUploadsCommand({ Bucket }));
  assert.deepEqual(all.Uploads?.map((u) => [u.Key, u.UploadId]), expected);
  assert.equal(all.IsTruncated, false);
  assert.equal(all.NextKeyMarker, 'test_c');
  assert.equal(all.Uploads?.[0]?.StorageClass, 'STANDARD');

  const seen: Array<[string, string]> = [];
  let KeyMarker: string | undefined;
  let UploadIdMarker: string | undefined;
  for (let page = 0; page < 10; page++) {
    const out = await s3.send(new ListMultipartUploadsCommand({ Bucket, MaxUploads: 2, KeyMarker, UploadIdMarker }));
    assert.equal(out.MaxUploads, 2);
    seen.push(...(out.Uploads ?? []).map((u) => [u.Key!, u.UploadId!] as [string, string]));
    if (!out.IsTruncated) break;
    KeyMarker = out.NextKeyMarker;
    UploadIdMarker = out.NextUploadIdMarker;
  }
  assert.deepEqual(seen, expected);

  const afterKey = await s3.send(new ListMultipartUploadsCommand({ Bucket, KeyMarker: 'test_a' }));
  assert.deepEqual(afterKey.Uploads?.map((u) => u.Key), ['test_b', 'test_c']);
  const last = await s3.send(new ListMultipartUploadsCommand({ Bucket, KeyMarker: 'test_c' }));
  assert.equal(last.Uploads, undefined);
  assert.equal(last.NextKeyMarker, '');
  const bad = await rejects(s3.send(new ListMultipartUploadsCommand({ Bucket, KeyMarker: 'test_c', UploadIdMarker: ids['test_b']![0] })), 'InvalidArgument', 400);
  assert.equal(bad.message, 'Invalid uploadId marker');
});

test('ListMultipartUploads groups keys by delimiter under a prefix', async () => {
  const Bucket = await newBucket();
  for (const key of ['test/foo/bar/123', 'test/foo/bar/456', 'test/bar/foo/123', 'test/top', 'other']) await upload(Bucket, key);
  const out = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: 'test/', Delimiter: '/' }));
  assert.deepEqual(out.CommonPrefixes?.map((p) => p.Prefix), ['test/bar/', 'test/foo/']);
  assert.deepEqual(out.Uploads?.map((u) => u.Key), ['test/top']);
  assert.equal(out.Prefix, 'test/');
  assert.equal(out.Delimiter, '/');
  const deeper = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: 'test/foo/bar', Delimiter: '/' }));
  assert.deepEqual(deeper.CommonPrefixes?.map((p) => p.Prefix), ['test/foo/bar/']);
  assert.equal(deeper.Uploads, undefined);
  // A key marker inside a group skips the group.
  const past = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: 'test/', Delimiter: '/', KeyMarker: 'test/bar/foo/123' }));
  assert.deepEqual(past.CommonPrefixes?.map((p) => p.Prefix), ['test/foo/']);
  await upload(Bucket, 'with space/é');
  const encoded = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: 'with ', EncodingType: 'url' }));
  assert.equal(encoded.EncodingType, 'url');
  assert.deepEqual(encoded.Uploads?.map((u) => u.Key), ['with%20space/%C3%A9']);
  assert.equal(encoded.Prefix, 'with%20');
});

test('UploadPartCopy copies a byte range of another object', async () => {
  const Bucket = await newBucket();
  await s3.send(new PutObjectCommand({ Bucket, Key: 'src', Body: '0123456789' }));
  const big = randomBytes(5 * MiB + 10);
  await s3.send(new PutObjectCommand({ Bucket, Key: 'big-src', Body: big }));
  const Key = 'copied';
  const UploadId = await upload(Bucket, Key);

  const first = await s3.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: 1, CopySource: `${Bucket}/big-src`, CopySourceRange: `bytes=0-${5 * MiB - 1}` }));
  assert.equal(first.CopyPartResult?.ETag, `"${md5(big.subarray(0, 5 * MiB))}"`);
  assert.ok(first.CopyPartResult?.LastModified instanceof Date);
  const second = await s3.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: 2, CopySource: `/${Bucket}/src`, CopySourceRange: 'bytes=2-5' }));
  assert.equal(second.CopyPartResult?.ETag, `"${md5(Buffer.from('2345'))}"`);

  const bad = (CopySourceRange: string) => s3.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: 3, CopySource: `${Bucket}/src`, CopySourceRange }));
  for (const range of ['0-8', 'bytes=1-0', 'bytes=-2', 'bytes=1-', 'bytes=0-1,3-4']) {
    const e = await rejects(bad(range), 'InvalidArgument', 400);
    assert.match(e.message, /must be of the form bytes=first-last/);
  }
  assert.equal((await rejects(bad('bytes=0-100'), 'InvalidArgument', 400)).message, 'Range specified is not valid for source object of size: 10');
  assert.equal((await rejects(bad('bytes=100-200'), 'InvalidRequest', 400)).message, 'The specified copy range is invalid for the source object size');
  await rejects(s3.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: 3, CopySource: `${Bucket}/nope` })), 'NoSuchKey', 404);

  const parts = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
  assert.deepEqual(parts.Parts?.map((p) => p.Size), [5 * MiB, 4]);
  await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: first.CopyPartResult!.ETag }, { PartNumber: 2, ETag: second.CopyPartResult!.ETag }] } }));
  const { bytes } = await body(Bucket, Key);
  assert.ok(bytes.equals(Buffer.concat([big.subarray(0, 5 * MiB), Buffer.from('2345')])));
});

test('an upload created with ChecksumAlgorithm gets a composite checksum', async () => {
  const Bucket = await newBucket();
  const Key = 'checksummed';
  const created = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: 'SHA256' }));
  assert.equal(created.ChecksumAlgorithm, 'SHA256');
  const UploadId = created.UploadId!;
  // S3 refuses a part checksummed with another algorithm (the SDK's default is CRC32).
  const mismatch = await rejects(s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: Buffer.from('abc'), ChecksumAlgorithm: 'CRC32' })), 'InvalidRequest', 400);
  assert.equal(mismatch.message, 'Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: crc32');

  const data = [randomBytes(5 * MiB), Buffer.from('tail')];
  const sha = (b: Buffer) => createHash('sha256').update(b).digest();
  const parts = [];
  for (const [i, d] of data.entries()) {
    const p = await part(Bucket, Key, UploadId, i + 1, d, { ChecksumAlgorithm: 'SHA256' });
    assert.equal(p.ChecksumSHA256, sha(d).toString('base64'));
    parts.push(p);
  }
  const listed = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
  assert.equal(listed.ChecksumAlgorithm, 'SHA256');
  assert.deepEqual(listed.Parts?.map((p) => p.ChecksumSHA256), parts.map((p) => p.ChecksumSHA256));
  const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket }));
  assert.equal(uploads.Uploads?.[0]?.ChecksumAlgorithm, 'SHA256');

  const noChecksum = await rejects(
    s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts.map(({ PartNumber, ETag }) => ({ PartNumber, ETag })) } })),
    'InvalidRequest',
    400,
  );
  assert.equal(noChecksum.message, 'The upload was created using a sha256 checksum. The complete request must include the checksum for each part. It was missing for part 1 in the request.');
  await rejects(
    s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts.map((p) => ({ ...p, ChecksumSHA256: sha(Buffer.from('x')).toString('base64') })) } })),
    'InvalidPart',
    400,
  );

  const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
  const composite = `${createHash('sha256').update(Buffer.concat(data.map(sha))).digest('base64')}-2`;
  assert.equal(done.ChecksumSHA256, composite);
  const head = await s3.send(new HeadObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
  assert.equal(head.ChecksumSHA256, composite);
});

test('an unknown ChecksumAlgorithm is refused at creation', async () => {
  const Bucket = await newBucket();
  const e = await rejects(s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'k', ChecksumAlgorithm: 'MD5' as never })), 'InvalidRequest', 400);
  assert.equal(e.message, 'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]');
  await rejects(s3.send(new CreateMultipartUploadCommand({ Bucket: 'no-such-bucket-mpu', Key: 'k' })), 'NoSuchBucket', 404);
});

test('replaced, unlisted and aborted parts leave no blobs, records or garbage markers behind', async () => {
  const { documents, blobs } = server.stratus.storage;
  const partBlobs = async (uploadId: string) => (await documents.list<{ chunk: { blob: string } }>('s3.parts', { prefix: `${uploadId}/` })).map((d) => d.value.chunk.blob);
  const Bucket = await newBucket();
  const Key = 'clean';
  const UploadId = await upload(Bucket, Key);
  await part(Bucket, Key, UploadId, 1, Buffer.from('one, first'));
  const [replaced] = await partBlobs(UploadId);
  const p1 = await part(Bucket, Key, UploadId, 1, randomBytes(5 * MiB));
  await part(Bucket, Key, UploadId, 2, Buffer.from('left out'));
  const p3 = await part(Bucket, Key, UploadId, 3, Buffer.from('three'));
  const [kept1, unlisted, kept3] = await partBlobs(UploadId);
  assert.equal(await blobs.stat(replaced!), undefined);
  await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [p1, p3] } }));
  assert.equal(await blobs.stat(unlisted!), undefined);
  assert.equal((await blobs.stat(kept1!))?.size, 5 * MiB);
  assert.equal((await blobs.stat(kept3!))?.size, 5);
  assert.deepEqual(await partBlobs(UploadId), []);

  const aborted = await upload(Bucket, 'gone');
  await part(Bucket, 'gone', aborted, 1, Buffer.from('bye'));
  const [abortedBlob] = await partBlobs(aborted);
  await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: 'gone', UploadId: aborted }));
  assert.equal(await blobs.stat(abortedBlob!), undefined);
  assert.deepEqual(await documents.list('s3.uploads', { prefix: `${Bucket}/` }), []);
  // Markers may remain only for blob keys reserved ahead and never written: no bytes behind any of them.
  const markers = await documents.list<{ pending: boolean }>('s3.garbage');
  const withBytes = [];
  for (const m of markers) if (!m.value.pending || (await blobs.stat(m.key)) !== undefined) withBytes.push(m.key);
  assert.deepEqual(withBytes, []);
});

test('concurrent part uploads all land, and Complete sees every one', async () => {
  const Bucket = await newBucket();
  const Key = 'concurrent';
  const UploadId = await upload(Bucket, Key);
  const data = Array.from({ length: 8 }, (_, i) => Buffer.from(`part number ${i + 1} `.repeat(3)));
  const parts = await Promise.all(data.map((d, i) => part(Bucket, Key, UploadId, i + 1, d)));
  const listed = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
  assert.equal(listed.Parts?.length, 8);
  // Parts under 5 MiB are fine for a listing; completing uses just the last one.
  await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [parts[7]!] } }));
  assert.equal((await body(Bucket, Key)).bytes.toString(), data[7]!.toString());
});

test('lib-storage Upload: concurrent parts from a stream, completed with their CRC32s', async () => {
  const Bucket = await newBucket();
  const Key = 'lib-storage.bin';
  const data = randomBytes(12 * MiB + 321);
  const slices = Array.from({ length: Math.ceil(data.length / (700 * 1024)) }, (_, i) => data.subarray(i * 700 * 1024, (i + 1) * 700 * 1024));
  const done = await new Upload({ client: s3, params: { Bucket, Key, Body: Readable.from(slices) }, partSize: 5 * MiB, queueSize: 4 }).done();
  const parts = [data.subarray(0, 5 * MiB), data.subarray(5 * MiB, 10 * MiB), data.subarray(10 * MiB)];
  assert.equal(done.ETag, multipartEtag(parts));
  const { out, bytes } = await body(Bucket, Key, { ChecksumMode: 'ENABLED' });
  assert.ok(bytes.equals(data));
  const crc = (b: Buffer) => {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(crc32(b));
    return out;
  };
  assert.equal(out.ChecksumCRC32, `${crc(Buffer.concat(parts.map(crc))).toString('base64')}-3`);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';
import { S3Client, PutObjectCommand, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { HttpResponse, type HttpRequest as SmithyRequest } from '@smithy/protocol-http';
import { getSigningKey } from '@smithy/signature-v4';
import { parseAuth, verify } from './index.js';
import { AwsChunkedDecoder } from './chunked.js';
import type { HttpRequest } from '../types.js';
import { AKID, NOW, SECRET, Sha256, fromSmithy, fromWire, newRequest, readAll, rejection, signer } from './testing.js';

const EMPTY = createHash('sha256').update('').digest('hex');
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Re-cuts a body into pieces of awkward sizes, so chunk headers and CRLFs straddle reads. */
function* oddPieces(data: Buffer, sizes = [1, 7, 13, 8191, 65537, 2, 100003]): Generator<Buffer> {
  let offset = 0;
  for (let i = 0; offset < data.length; i++) {
    const size = sizes[i % sizes.length]!;
    yield data.subarray(offset, offset + size);
    offset += size;
  }
}

async function verifyBody(req: HttpRequest, now = NOW, secret = SECRET) {
  const auth = parseAuth(req, { style: 's3', now })!;
  return verify(req, auth, { secretAccessKey: secret }, { now });
}

// The worked example of https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
const DOC_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const DOC_NOW = Date.UTC(2013, 4, 24);
const DOC_SEED = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
function docRequest(body: Buffer | Readable): HttpRequest {
  return fromWire(
    'PUT',
    '/examplebucket/chunkObject.txt',
    {
      host: 's3.amazonaws.com',
      'x-amz-date': '20130524T000000Z',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      authorization: `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=${DOC_SEED}`,
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': '66560',
      'content-length': '66824',
    },
    body,
  );
}
function docBody(): Buffer {
  return Buffer.concat([
    Buffer.from('10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n'),
    Buffer.alloc(65536, 'a'),
    Buffer.from('\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n'),
    Buffer.alloc(1024, 'a'),
    Buffer.from('\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n'),
  ]);
}

test('aws-chunked: verifies the AWS documentation example, seed and every chunk signature', async () => {
  const body = docBody();
  assert.equal(body.length, 66824);
  const result = await verifyBody(docRequest(Readable.from(oddPieces(body))), DOC_NOW, DOC_SECRET);
  assert.equal(result.decodedContentLength, 66560);
  const decoded = await readAll(result.body);
  assert.ok(decoded.equals(Buffer.alloc(66560, 'a')));
  assert.deepEqual(await result.trailers, {});
  const buffered = await verifyBody(docRequest(body), DOC_NOW, DOC_SECRET);
  assert.ok(Buffer.isBuffer(buffered.body) && buffered.body.equals(decoded));
});

test('aws-chunked: a tampered chunk fails the stream with the chunk string to sign before it ends', async () => {
  const body = docBody();
  body[88 + 100] = 'b'.charCodeAt(0);
  const stream = (await verifyBody(docRequest(Readable.from(oddPieces(body))), DOC_NOW, DOC_SECRET)).body as Readable;
  let ended = false;
  stream.on('end', () => (ended = true));
  const error = await rejection(() => readAll(stream));
  assert.equal(ended, false);
  assert.deepEqual([error.code, error.status], ['SignatureDoesNotMatch', 403]);
  const data = Buffer.alloc(65536, 'a');
  data[100] = 'b'.charCodeAt(0);
  assert.equal(
    error.fields.StringToSign,
    `AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n${DOC_SEED}\n${EMPTY}\n${sha256(data)}`,
  );
  assert.equal(error.fields.SignatureProvided, 'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648');
  assert.match(error.fields.CanonicalRequest as string, /^PUT\n\/examplebucket\/chunkObject.txt\n/);
});

test('aws-chunked: a wrong seed signature is refused before the body is read', async () => {
  const req = docRequest(docBody());
  req.headers['x-amz-storage-class'] = 'STANDARD';
  const error = await rejection(() => verifyBody(req, DOC_NOW, DOC_SECRET));
  assert.equal(error.code, 'SignatureDoesNotMatch');
  assert.match(error.fields.CanonicalRequest as string, /x-amz-storage-class:STANDARD/);
});

test('aws-chunked: a truncated body is IncompleteBody', async () => {
  const body = docBody();
  const truncated = (await verifyBody(docRequest(Readable.from([body.subarray(0, 40000)])), DOC_NOW, DOC_SECRET)).body as Readable;
  assert.equal((await rejection(() => readAll(truncated))).code, 'IncompleteBody');
});

async function decode(encoded: string, options: Partial<ConstructorParameters<typeof AwsChunkedDecoder>[0]> = {}) {
  const decoder = new AwsChunkedDecoder({ style: 's3', trailer: false, expectedTrailers: [], ...options });
  return readAll(Readable.from(oddPieces(Buffer.from(encoded), [1, 2, 3])).pipe(decoder));
}

test('AwsChunkedDecoder: checks the decoded length and the framing', async () => {
  assert.equal((await decode('3\r\nabc\r\n0\r\n\r\n', { decodedLength: 3 })).toString(), 'abc');
  // Clients sometimes omit the CRLF that ends the body.
  assert.equal((await decode('3\r\nabc\r\n0\r\n')).toString(), 'abc');
  assert.equal((await rejection(() => decode('3\r\nabc\r\n0\r\n\r\n', { decodedLength: 4 }))).code, 'IncompleteBody');
  assert.equal((await rejection(() => decode('zz\r\nabc\r\n0\r\n\r\n'))).code, 'IncompleteBody');
  assert.equal((await rejection(() => decode('3\r\nabcd\r\n0\r\n\r\n'))).code, 'IncompleteBody');
  const missing = await rejection(() => decode('3\r\nabc\r\n0\r\n\r\n', { trailer: true, expectedTrailers: ['x-amz-checksum-crc32'] }));
  assert.equal(missing.code, 'InvalidRequest');
  const invalid = await rejection(() =>
    decode('3\r\nabc\r\n0\r\nx-amz-checksum-crc32:nope\r\n\r\n', { trailer: true, expectedTrailers: ['x-amz-checksum-crc32'] }),
  );
  assert.deepEqual([invalid.code, invalid.message], ['InvalidRequest', 'Value for x-amz-checksum-crc32 trailing header is invalid.']);
});

/** Captures what the real S3 client sends for a PutObject, body included. */
async function sdkPut(input: PutObjectCommandInput, secret = SECRET): Promise<{ request: SmithyRequest; body: Buffer }> {
  let captured: { request: SmithyRequest; body: Buffer } | undefined;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: 'http://localhost:4566',
    forcePathStyle: true,
    credentials: { accessKeyId: AKID, secretAccessKey: secret },
    requestHandler: {
      async handle(request: SmithyRequest) {
        const body = request.body instanceof Readable ? await readAll(request.body) : Buffer.from(request.body ?? '');
        captured = { request, body };
        return { response: new HttpResponse({ statusCode: 200, headers: {}, body: Readable.from([]) }) };
      },
      updateHttpClientConfig() {},
      httpHandlerConfigs: () => ({}),
    } as never,
  });
  await client.send(new PutObjectCommand(input));
  return captured!;
}

test('aws-chunked: decodes the S3 client\'s default upload, STREAMING-UNSIGNED-PAYLOAD-TRAILER with a CRC32', async () => {
  const data = Buffer.alloc(200_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
  const { request, body } = await sdkPut({ Bucket: 'b', Key: 'dir/a b+c ü.bin', Body: Readable.from([data]), ContentLength: data.length });
  assert.equal(request.headers['x-amz-content-sha256'], 'STREAMING-UNSIGNED-PAYLOAD-TRAILER');
  const req = fromSmithy(request, Readable.from(oddPieces(body)));
  const result = await verifyBody(req, Date.now());
  assert.ok((await readAll(result.body)).equals(data));
  assert.deepEqual(Object.keys(await result.trailers!), ['x-amz-checksum-crc32']);
  assert.equal(result.decodedContentLength, data.length);
});

test('aws-chunked: checks every flexible checksum the S3 client can put in the trailer', async () => {
  const data = Buffer.from('The quick brown fox jumps over the lazy dog'.repeat(2000));
  for (const algorithm of ['CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const) {
    const { request, body } = await sdkPut({ Bucket: 'b', Key: 'k', Body: Readable.from([data]), ContentLength: data.length, ChecksumAlgorithm: algorithm });
    const trailer = `x-amz-checksum-${algorithm.toLowerCase()}`;
    assert.equal(request.headers['x-amz-trailer'], trailer);
    const result = await verifyBody(fromSmithy(request, Readable.from(oddPieces(body))), Date.now());
    assert.ok((await readAll(result.body)).equals(data), algorithm);
    assert.ok((await result.trailers!)[trailer], algorithm);
  }
});

test('aws-chunked: data that does not match the trailer checksum is BadDigest', async () => {
  const data = Buffer.alloc(70_000, 'x');
  const { request, body } = await sdkPut({ Bucket: 'b', Key: 'k', Body: Readable.from([data]), ContentLength: data.length });
  body[5000] = 'y'.charCodeAt(0);
  const result = await verifyBody(fromSmithy(request, Readable.from(oddPieces(body))), Date.now());
  const error = await rejection(() => readAll(result.body));
  assert.deepEqual([error.code, error.status, error.message], ['BadDigest', 400, 'The CRC32 you specified did not match the calculated checksum.']);
  await assert.rejects(result.trailers!);
});

/** Builds a STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER] request by the spec, signed by the smithy signer. */
async function signedStream(data: Buffer, chunkSize: number, trailer?: { name: string; value: string }) {
  const headers: Record<string, string> = {
    host: 'localhost:4566',
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': String(data.length),
    'x-amz-content-sha256': trailer ? 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER' : 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  };
  if (trailer) headers['x-amz-trailer'] = trailer.name;
  const signed = await signer('s3', { s3: true }).sign(newRequest({ method: 'PUT', path: '/bucket/big.bin', headers }), {
    signingDate: new Date(NOW),
  });
  const seed = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization!)![1]!;
  const key = Buffer.from(await getSigningKey(Sha256, { accessKeyId: AKID, secretAccessKey: SECRET }, '20240101', 'us-east-1', 's3'));
  const scope = '20240101/us-east-1/s3/aws4_request';
  let previous = seed;
  const sign = (kind: string, hash: string) =>
    (previous = createHmac('sha256', key)
      .update(kind === 'TRAILER' ? `AWS4-HMAC-SHA256-TRAILER\n20240101T000000Z\n${scope}\n${previous}\n${hash}` : `AWS4-HMAC-SHA256-PAYLOAD\n20240101T000000Z\n${scope}\n${previous}\n${EMPTY}\n${hash}`)
      .digest('hex'));
  function* encode(): Generator<Buffer> {
    previous = seed;
    for (let offset = 0; offset < data.length; offset += chunkSize) {
      const chunk = data.subarray(offset, offset + chunkSize);
      yield Buffer.from(`${chunk.length.toString(16)};chunk-signature=${sign('PAYLOAD', sha256(chunk))}\r\n`);
      yield chunk;
      yield Buffer.from('\r\n');
    }
    yield Buffer.from(`0;chunk-signature=${sign('PAYLOAD', EMPTY)}\r\n`);
    if (trailer) {
      const line = `${trailer.name}:${trailer.value}`;
      yield Buffer.from(`${line}\r\nx-amz-trailer-signature:${sign('TRAILER', sha256(`${line}\n`))}\r\n`);
    }
    yield Buffer.from('\r\n');
  }
  return { request: signed, encode };
}

function crc32c(data: Buffer): string {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString('base64');
}

test('aws-chunked: verifies signed chunks followed by a signed trailer', async () => {
  const data = Buffer.from('x'.repeat(100_000));
  const trailer = { name: 'x-amz-checksum-crc32c', value: crc32c(data) };
  const { request, encode } = await signedStream(data, 65536, trailer);
  const result = await verifyBody(fromSmithy(request, Readable.from(oddPieces(Buffer.concat([...encode()])))));
  assert.ok((await readAll(result.body)).equals(data));
  assert.deepEqual(await result.trailers, { 'x-amz-checksum-crc32c': trailer.value });

  const wrongSum = await signedStream(data, 65536, { ...trailer, value: crc32c(Buffer.from('other')) });
  const bad = await verifyBody(fromSmithy(wrongSum.request, Readable.from(wrongSum.encode())));
  assert.equal((await rejection(() => readAll(bad.body))).code, 'BadDigest');

  const forged = Buffer.concat([...encode()]).toString('latin1').replace(/x-amz-trailer-signature:[0-9a-f]{4}/, 'x-amz-trailer-signature:0000');
  const refused = await verifyBody(fromSmithy(request, Readable.from([Buffer.from(forged, 'latin1')])));
  const error = await rejection(() => readAll(refused.body));
  assert.equal(error.code, 'SignatureDoesNotMatch');
  assert.match(error.fields.StringToSign as string, /^AWS4-HMAC-SHA256-TRAILER\n/);
});

test('aws-chunked: decodes 50 MB of signed chunks fed in odd pieces with flat memory', async () => {
  const block = Buffer.alloc(1 << 20);
  for (let i = 0; i < block.length; i++) block[i] = (i * 7 + 3) & 0xff;
  const size = 50 << 20;
  // One 1 MB block viewed 50 times: the body itself is never held, only generated as it is sent.
  const data = { length: size, subarray: (start: number, end: number) => block.subarray(start % block.length, ((end - 1) % block.length) + 1) };
  const { request, encode } = await signedStream(data as unknown as Buffer, 1 << 16);
  const pieces = (function* () {
    for (const encoded of encode()) yield* oddPieces(encoded, [1, 9, 4093, 65539, 17, 33333]);
  })();
  const result = await verifyBody(fromSmithy(request, Readable.from(pieces, { objectMode: false })));
  // Measure what stays reachable, not garbage the collector has yet to visit.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  const baseline = process.memoryUsage();
  let peak = 0;
  let total = 0;
  let n = 0;
  const digest = createHash('sha256');
  for await (const piece of result.body as Readable) {
    total += (piece as Buffer).length;
    digest.update(piece as Buffer);
    if (++n % 50 === 0) {
      gc();
      const now = process.memoryUsage();
      peak = Math.max(peak, now.heapUsed + now.arrayBuffers - baseline.heapUsed - baseline.arrayBuffers);
    }
  }
  assert.equal(total, size);
  const expected = createHash('sha256');
  for (let i = 0; i < 50; i++) expected.update(block);
  assert.equal(digest.digest('hex'), expected.digest('hex'));
  assert.ok(peak < 16 << 20, `retained memory grew by ${(peak / 1048576).toFixed(1)} MB while decoding 50 MB`);
});

/**
 * S3 against input real clients refuse to send: raw requests signed with
 * @smithy/signature-v4 (or written straight to a socket) carrying bad bucket
 * names, over-long and non-UTF-8 keys, wrong digests, truncated bodies,
 * malformed XML configurations and odd Range headers. Each is answered with
 * AWS's code and status, nothing half-written is committed, and the server
 * keeps serving.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (Range)
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { crc32 } from '@aws-crypto/crc32';
import { SignatureV4 } from '@smithy/signature-v4';
import { ACCOUNT, NodeSha256, removeDir, ROOT_KEY, startChildServer, startTestServer, tempDir, type TestServer } from './harness.js';

interface RawResponse {
  status: number;
  text: string;
  headers: Headers;
}

/**
 * A request signed as S3 signs: the path is used as given (already
 * percent-encoded, never re-escaped), the payload hash is sent in
 * x-amz-content-sha256.
 */
async function s3Request(
  server: TestServer,
  o: { method?: string; path: string; query?: Record<string, string>; headers?: Record<string, string>; body?: string; unsignedPayload?: boolean },
): Promise<RawResponse> {
  const signed = await signS3(server, o);
  const qs = new URLSearchParams(o.query ?? {}).toString();
  const method = o.method ?? 'GET';
  const res = await fetch(`${server.url}${o.path}${qs ? `?${qs}` : ''}`, { method, headers: signed, body: method === 'GET' || method === 'HEAD' ? undefined : (o.body ?? '') });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

async function signS3(
  server: TestServer,
  o: { method?: string; path: string; query?: Record<string, string>; headers?: Record<string, string>; body?: string; unsignedPayload?: boolean },
): Promise<Record<string, string>> {
  const url = new URL(server.url);
  const body = o.body ?? '';
  const payloadHash = o.unsignedPayload ? 'UNSIGNED-PAYLOAD' : createHash('sha256').update(body).digest('hex');
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: ROOT_KEY, sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
  const signed = await signer.sign({
    method: o.method ?? 'GET',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: o.path,
    query: o.query ?? {},
    headers: { host: url.host, 'x-amz-content-sha256': payloadHash, ...(o.headers ?? {}) },
    body,
  });
  const headers = { ...(signed.headers as Record<string, string>) };
  delete headers.host;
  return headers;
}

function xmlField(text: string, name: string): string | undefined {
  const raw = new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];
  return raw?.replace(/&(apos|quot|lt|gt|amp);/g, (_, e: string) => ({ apos: "'", quot: '"', lt: '<', gt: '>', amp: '&' })[e]!);
}

function assertS3Error(r: RawResponse, status: number, code: string, message?: string): void {
  assert.equal(r.status, status, r.text);
  assert.match(r.text, /^<\?xml[^>]*>\s*<Error>/, r.text);
  assert.equal(xmlField(r.text, 'Code'), code, r.text);
  if (message !== undefined) assert.equal(xmlField(r.text, 'Message'), message, r.text);
}

const md5b64 = (b: string | Buffer) => createHash('md5').update(b).digest('base64');

function crc32Base64(data: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data) >>> 0);
  return out.toString('base64');
}

/** Every blob file under the data directory (the blob store's temp directory included). */
function blobFiles(dataDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(join(dataDir, 'blobs'));
  return out.sort();
}

describe('S3 bad input', () => {
  let server: TestServer;
  const B = 'bad-input-bucket';
  before(async () => {
    server = await startTestServer();
    const r = await s3Request(server, { method: 'PUT', path: `/${B}` });
    assert.equal(r.status, 200, r.text);
  });
  after(async () => server.close());

  describe('bucket names', () => {
    for (const name of ['ab', 'a'.repeat(64), 'UpperCase', 'under_score', 'a..b', '-leading', 'trailing-', '192.168.5.4', 'xn--punycode', 'sthree-x', 'name-s3alias', 'name--ol-s3']) {
      it(`CreateBucket ${JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}… (${name.length})` : name)} is InvalidBucketName 400`, async () => {
        const r = await s3Request(server, { method: 'PUT', path: `/${name}` });
        assertS3Error(r, 400, 'InvalidBucketName', 'The specified bucket is not valid.');
        assert.equal(xmlField(r.text, 'BucketName'), name);
      });
    }

    it('CreateBucket: a 63-character name at the limit is accepted', async () => {
      const name = `b${'0'.repeat(61)}z`;
      const r = await s3Request(server, { method: 'PUT', path: `/${name}` });
      assert.equal(r.status, 200, r.text);
      assert.equal((await s3Request(server, { method: 'DELETE', path: `/${name}` })).status, 204);
    });

    it('GetObject from a well-formed but missing bucket is NoSuchBucket 404', async () => {
      const r = await s3Request(server, { path: '/no-such-bucket-here/key' });
      assertS3Error(r, 404, 'NoSuchBucket', 'The specified bucket does not exist');
    });
  });

  describe('object keys', () => {
    it('PutObject: a key of exactly 1,024 bytes is accepted and readable', async () => {
      const key = 'k'.repeat(1024);
      assert.equal((await s3Request(server, { method: 'PUT', path: `/${B}/${key}`, body: 'x' })).status, 200);
      const r = await s3Request(server, { path: `/${B}/${key}` });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.text, 'x');
    });

    it('PutObject: a key of 1,025 bytes is KeyTooLongError 400 with Size and MaxSizeAllowed', async () => {
      const r = await s3Request(server, { method: 'PUT', path: `/${B}/${'k'.repeat(1025)}`, body: 'x' });
      assertS3Error(r, 400, 'KeyTooLongError', 'Your key is too long');
      assert.equal(xmlField(r.text, 'Size'), '1025');
      assert.equal(xmlField(r.text, 'MaxSizeAllowed'), '1024');
    });

    it('PutObject: 342 three-byte characters (1,026 UTF-8 bytes) is KeyTooLongError: the limit is bytes, not characters', async () => {
      const key = '€'.repeat(342);
      const r = await s3Request(server, { method: 'PUT', path: `/${B}/${encodeURIComponent(key)}`, body: 'x' });
      assertS3Error(r, 400, 'KeyTooLongError');
      assert.equal(xmlField(r.text, 'Size'), '1026');
    });

    it('PutObject: a key whose percent-encoding is not UTF-8 (%AE%8A) is InvalidURI 400', async () => {
      const r = await s3Request(server, { method: 'PUT', path: `/${B}/bad-%AE%8A-key`, body: 'x' });
      assertS3Error(r, 400, 'InvalidURI', "Couldn't parse the specified URI.");
    });

    it('PutObject: a key holding an encoded lone surrogate (%ED%A0%80) is InvalidURI 400', async () => {
      const r = await s3Request(server, { method: 'PUT', path: `/${B}/sur-%ED%A0%80`, body: 'x' });
      assertS3Error(r, 400, 'InvalidURI');
    });

    it('GetObject: a key that is not UTF-8 is InvalidURI 400 too', async () => {
      const r = await s3Request(server, { path: `/${B}/%FF` });
      assertS3Error(r, 400, 'InvalidURI');
    });

    it('none of the refused keys was stored', async () => {
      const r = await s3Request(server, { path: `/${B}`, query: { 'list-type': '2' } });
      assert.equal(r.status, 200, r.text);
      const keys = [...r.text.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]);
      assert.deepEqual(keys, ['k'.repeat(1024)]);
    });
  });

  describe('digests', () => {
    const body = 'the quick brown fox';

    it('PutObject: a matching Content-MD5 and x-amz-checksum-crc32 are accepted and the CRC32 is echoed', async () => {
      const crc = crc32Base64(Buffer.from(body));
      const r = await s3Request(server, { method: 'PUT', path: `/${B}/digest-ok`, body, headers: { 'content-md5': md5b64(body), 'x-amz-checksum-crc32': crc } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers.get('x-amz-checksum-crc32'), crc);
      assert.equal(r.headers.get('etag'), `"${createHash('md5').update(body).digest('hex')}"`);
    });

    it('PutObject: a wrong Content-MD5 is BadDigest 400 and nothing is stored', async () => {
      const r = await s3Request(server, { method: 'PUT', path: `/${B}/digest-md5`, body, headers: { 'content-md5': md5b64('something else') } });
      assertS3Error(r, 400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
      assert.equal((await s3Request(server, { method: 'HEAD', path: `/${B}/digest-md5` })).status, 404);
    });

    it('PutObject: a wrong Content-MD5 or checksum sent to the real `stratus start` process does not bring it down', async () => {
      const dataDir = tempDir();
      const child = await startChildServer(['--data-dir', dataDir, '--account-id', ACCOUNT, '--no-profile', '--log-level', 'error', '--durability', 'normal', '--root-access-key-id', ROOT_KEY.accessKeyId, '--root-secret-access-key', ROOT_KEY.secretAccessKey]);
      try {
        const target = { url: child.url } as TestServer;
        assert.equal((await s3Request(target, { method: 'PUT', path: '/crash-check' })).status, 200);
        assertS3Error(await s3Request(target, { method: 'PUT', path: '/crash-check/a', body, headers: { 'content-md5': md5b64('x') } }), 400, 'BadDigest');
        assertS3Error(await s3Request(target, { method: 'PUT', path: '/crash-check/b', body, headers: { 'x-amz-checksum-crc32': crc32Base64(Buffer.from('x')) } }), 400, 'BadDigest');
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(child.child.exitCode, null, child.output());
        assert.equal((await s3Request(target, { method: 'PUT', path: '/crash-check/c', body })).status, 200);
      } finally {
        await child.stop();
        removeDir(dataDir);
      }
    });

    it('PutObject: a Content-MD5 that is not 16 base64 bytes is InvalidDigest 400', async () => {
      const r = await s3Request(server, { method: 'PUT', path: `/${B}/digest-invalid`, body, headers: { 'content-md5': 'not-an-md5' } });
      assertS3Error(r, 400, 'InvalidDigest', 'The Content-MD5 you specified is not valid.');
    });

    it('PutObject: a well-formed but wrong x-amz-checksum-crc32 is BadDigest 400 naming CRC32, and nothing is stored', async () => {
      const r = await s3Request(server, { method: 'PUT', path: `/${B}/digest-crc`, body, headers: { 'x-amz-checksum-crc32': crc32Base64(Buffer.from('other')) } });
      assertS3Error(r, 400, 'BadDigest', 'The CRC32 you specified did not match the calculated checksum.');
      assert.equal((await s3Request(server, { method: 'HEAD', path: `/${B}/digest-crc` })).status, 404);
    });

    it('PutObject: a wrong x-amz-checksum-sha256 is BadDigest 400 naming SHA256', async () => {
      const wrong = createHash('sha256').update('other').digest('base64');
      const r = await s3Request(server, { method: 'PUT', path: `/${B}/digest-sha`, body, headers: { 'x-amz-checksum-sha256': wrong } });
      assertS3Error(r, 400, 'BadDigest', 'The SHA256 you specified did not match the calculated checksum.');
    });

    it('PutObject: an x-amz-checksum-crc32 that is not a 4-byte base64 value is InvalidRequest 400', async () => {
      const r = await s3Request(server, { method: 'PUT', path: `/${B}/digest-malformed`, body, headers: { 'x-amz-checksum-crc32': 'zzz' } });
      assertS3Error(r, 400, 'InvalidRequest', 'Value for x-amz-checksum-crc32 header is invalid.');
    });

    const trailerHeaders = { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(Buffer.byteLength(body)), 'x-amz-trailer': 'x-amz-checksum-crc32', 'x-amz-sdk-checksum-algorithm': 'CRC32', 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' };
    /** An aws-chunked PUT of `body` whose trailer carries `crc`, unsigned payload (as SDKs send over HTTPS). */
    const sendTrailer = async (key: string, crc: string, query: Record<string, string> = {}) => {
      const payload = `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\nx-amz-checksum-crc32:${crc}\r\n\r\n`;
      const signed = await signS3(server, { method: 'PUT', path: `/${B}/${key}`, query, headers: trailerHeaders, body: payload });
      const qs = new URLSearchParams(query).toString();
      const res = await fetch(`${server.url}/${B}/${key}${qs ? `?${qs}` : ''}`, { method: 'PUT', headers: signed, body: payload, signal: AbortSignal.timeout(10_000) });
      return { status: res.status, text: await res.text(), headers: res.headers };
    };

    it('PutObject: an aws-chunked body whose trailing x-amz-checksum-crc32 is wrong is BadDigest 400, and nothing is stored', async () => {
      const good = await sendTrailer('trailer-ok', crc32Base64(Buffer.from(body)));
      assert.equal(good.status, 200, good.text);
      assert.equal(good.headers.get('x-amz-checksum-crc32'), crc32Base64(Buffer.from(body)));
      // The trailer is checked as the small body arrives, before the handler reads it: the failure must still reach the write.
      const bad = await sendTrailer('trailer-bad', crc32Base64(Buffer.from('other')));
      assertS3Error(bad, 400, 'BadDigest', 'The CRC32 you specified did not match the calculated checksum.');
      assert.equal((await s3Request(server, { method: 'HEAD', path: `/${B}/trailer-bad` })).status, 404);
    });

    it('UploadPart: an aws-chunked part whose trailing x-amz-checksum-crc32 is wrong is BadDigest 400 and is not listed', async () => {
      const created = await s3Request(server, { method: 'POST', path: `/${B}/trailer-mpu`, query: { uploads: '' } });
      assert.equal(created.status, 200, created.text);
      const uploadId = xmlField(created.text, 'UploadId')!;
      const part = await sendTrailer('trailer-mpu', crc32Base64(Buffer.from('other')), { partNumber: '1', uploadId });
      assertS3Error(part, 400, 'BadDigest', 'The CRC32 you specified did not match the calculated checksum.');
      const parts = await s3Request(server, { path: `/${B}/trailer-mpu`, query: { uploadId } });
      assert.equal(parts.status, 200, parts.text);
      assert.doesNotMatch(parts.text, /<Part>/);
      assert.equal((await s3Request(server, { method: 'DELETE', path: `/${B}/trailer-mpu`, query: { uploadId } })).status, 204);
    });

    it('PutObject: a body that does not match the signed x-amz-content-sha256 is XAmzContentSHA256Mismatch 400', async () => {
      const headers = await signS3(server, { method: 'PUT', path: `/${B}/digest-sha-payload`, body });
      const res = await fetch(`${server.url}/${B}/digest-sha-payload`, { method: 'PUT', headers, body: body.toUpperCase() });
      const r = { status: res.status, text: await res.text(), headers: res.headers };
      assertS3Error(r, 400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
      assert.equal((await s3Request(server, { method: 'HEAD', path: `/${B}/digest-sha-payload` })).status, 404);
    });
  });

  describe('truncated bodies', () => {
    /** Sends a PutObject whose Content-Length promises more than is sent, then closes; returns whatever came back. */
    async function truncatedPut(key: string, promised: number, sent: Buffer, close: 'end' | 'destroy'): Promise<string> {
      const url = new URL(server.url);
      const headers = await signS3(server, { method: 'PUT', path: `/${B}/${key}`, unsignedPayload: true, headers: { 'content-length': String(promised) } });
      const head = [`PUT /${B}/${key} HTTP/1.1`, `Host: ${url.host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
      return new Promise((resolve) => {
        const socket = connect(Number(url.port), url.hostname);
        let got = '';
        socket.on('data', (d) => (got += d));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(got));
        socket.write(head);
        socket.write(sent, () => {
          // Give the server a moment to start streaming the body into a blob before the client vanishes.
          setTimeout(() => (close === 'end' ? socket.end() : socket.destroy()), 100);
        });
      });
    }

    it('PutObject: Content-Length 1 MiB, 64 KiB sent, then the client half-closes: nothing is committed and no blob is left', async () => {
      const before = blobFiles(server.dataDir);
      const reply = await truncatedPut('truncated-end', 1024 * 1024, Buffer.alloc(64 * 1024, 1), 'end');
      assert.doesNotMatch(reply, /^HTTP\/1\.1 200/);
      assert.equal((await s3Request(server, { method: 'HEAD', path: `/${B}/truncated-end` })).status, 404);
      await waitFor(() => blobFiles(server.dataDir).join() === before.join(), 'the partial blob is discarded');
    });

    it('PutObject: the client resets the connection mid-body: nothing is committed and the old object is untouched', async () => {
      assert.equal((await s3Request(server, { method: 'PUT', path: `/${B}/truncated-reset`, body: 'old contents' })).status, 200);
      const before = blobFiles(server.dataDir);
      await truncatedPut('truncated-reset', 10_000_000, Buffer.alloc(200_000, 2), 'destroy');
      const r = await s3Request(server, { path: `/${B}/truncated-reset` });
      assert.equal(r.status, 200);
      assert.equal(r.text, 'old contents');
      await waitFor(() => blobFiles(server.dataDir).join() === before.join(), 'the partial blob is discarded');
    });

    it('after truncated uploads the server keeps serving: ListObjectsV2 and a fresh PutObject succeed', async () => {
      const put = await s3Request(server, { method: 'PUT', path: `/${B}/after-truncation`, body: 'fine' });
      assert.equal(put.status, 200, put.text);
      const list = await s3Request(server, { path: `/${B}`, query: { 'list-type': '2', prefix: 'truncated' } });
      assert.equal(list.status, 200, list.text);
      assert.deepEqual([...list.text.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]), ['truncated-reset']);
    });
  });

  describe('malformed XML', () => {
    const put = (sub: string, body: string, extra: Record<string, string> = {}) =>
      s3Request(server, { method: 'PUT', path: `/${B}`, query: { [sub]: '' }, body, headers: { 'content-md5': md5b64(body), ...extra } });

    it('PutBucketTagging: a truncated document is MalformedXML 400', async () => {
      assertS3Error(await put('tagging', '<Tagging><TagSet><Tag><Key>a</Key>'), 400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
    });

    it('PutBucketTagging: not XML at all is MalformedXML 400', async () => {
      assertS3Error(await put('tagging', '{"TagSet": []}'), 400, 'MalformedXML');
    });

    it('PutBucketVersioning: a Status other than Enabled/Suspended is MalformedXML 400', async () => {
      assertS3Error(await put('versioning', '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Maybe</Status></VersioningConfiguration>'), 400, 'MalformedXML');
    });

    it('PutBucketVersioning: an unclosed element is MalformedXML 400', async () => {
      assertS3Error(await put('versioning', '<VersioningConfiguration><Status>Enabled</Status>'), 400, 'MalformedXML');
    });

    it('PutBucketCors: garbage is MalformedXML 400', async () => {
      assertS3Error(await put('cors', '<CORSConfiguration><CORSRule><AllowedMethod>GET'), 400, 'MalformedXML');
    });

    it('PutBucketCors: a configuration without any CORSRule is MalformedXML 400', async () => {
      assertS3Error(await put('cors', '<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></CORSConfiguration>'), 400, 'MalformedXML');
    });

    it('DeleteObjects: a broken document is MalformedXML 400', async () => {
      const body = '<Delete><Object><Key>a</Key></Object>';
      const r = await s3Request(server, { method: 'POST', path: `/${B}`, query: { delete: '' }, body, headers: { 'content-md5': md5b64(body) } });
      assertS3Error(r, 400, 'MalformedXML');
    });

    it('DeleteObjects: a Delete with no Object is MalformedXML 400', async () => {
      const body = '<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet></Delete>';
      const r = await s3Request(server, { method: 'POST', path: `/${B}`, query: { delete: '' }, body, headers: { 'content-md5': md5b64(body) } });
      assertS3Error(r, 400, 'MalformedXML');
    });

    it('DeleteObjects: 1,001 objects is MalformedXML 400', async () => {
      const body = `<Delete>${Array.from({ length: 1001 }, (_, i) => `<Object><Key>k${i}</Key></Object>`).join('')}</Delete>`;
      const r = await s3Request(server, { method: 'POST', path: `/${B}`, query: { delete: '' }, body, headers: { 'content-md5': md5b64(body) } });
      assertS3Error(r, 400, 'MalformedXML');
    });

    it('the bucket kept its state: no tags, versioning never enabled, no CORS', async () => {
      assertS3Error(await s3Request(server, { path: `/${B}`, query: { tagging: '' } }), 404, 'NoSuchTagSet');
      const v = await s3Request(server, { path: `/${B}`, query: { versioning: '' } });
      assert.equal(v.status, 200);
      assert.doesNotMatch(v.text, /<Status>/);
    });
  });

  describe('ranges', () => {
    const body = '0123456789';
    before(async () => {
      assert.equal((await s3Request(server, { method: 'PUT', path: `/${B}/ten`, body })).status, 200);
    });
    const get = (range: string) => s3Request(server, { path: `/${B}/ten`, headers: { range } });

    it('bytes=100- on a 10-byte object is InvalidRange 416 with Content-Range bytes */10', async () => {
      const r = await get('bytes=100-');
      assertS3Error(r, 416, 'InvalidRange', 'The requested range is not satisfiable');
      assert.equal(xmlField(r.text, 'RangeRequested'), 'bytes=100-');
      assert.equal(xmlField(r.text, 'ActualObjectSize'), '10');
    });

    it('bytes=10-20 (starting at the size) is InvalidRange 416', async () => {
      assertS3Error(await get('bytes=10-20'), 416, 'InvalidRange');
    });

    for (const range of ['bytes=abc', 'lines=0-3', 'bytes=5-2', 'bytes', 'bytes=-']) {
      it(`an unparseable or backwards Range (${range}) is ignored: 200 with the whole object`, async () => {
        const r = await get(range);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.text, body);
        assert.equal(r.headers.get('content-range'), null);
      });
    }

    it('bytes=2-100 is clamped to the end: 206 bytes 2-9/10', async () => {
      const r = await get('bytes=2-100');
      assert.equal(r.status, 206);
      assert.equal(r.text, '23456789');
      assert.equal(r.headers.get('content-range'), 'bytes 2-9/10');
    });

    it('bytes=-3 is the last three bytes: 206', async () => {
      const r = await get('bytes=-3');
      assert.equal(r.status, 206);
      assert.equal(r.text, '789');
      assert.equal(r.headers.get('content-range'), 'bytes 7-9/10');
    });
  });
});

async function waitFor(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

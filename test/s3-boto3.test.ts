/**
 * S3 through boto3: the managed transfers Python applications rely on.
 * upload_file with a TransferConfig (8 MB threshold and parts, four threads)
 * sends a 40 MB file as a concurrent multipart upload; download_file fetches
 * it back with parallel ranged GETs; the MD5 must round-trip. Around them:
 * a small upload_file (one PutObject with boto3's default CRC32), put_object
 * with SHA256, a presigned GET, the list_objects_v2 paginator and
 * delete_objects. The script is test/clients/s3_transfer.py.
 * https://boto3.amazonaws.com/v1/documentation/api/latest/guide/s3-uploading-files.html
 * https://boto3.amazonaws.com/v1/documentation/api/latest/reference/customizations/s3.html#boto3.s3.transfer.TransferConfig
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO, startTestServer, tempDir, type TestServer } from './harness.js';

const MB = 1024 * 1024;

describe('S3 through boto3', () => {
  let server: TestServer;
  let dir: string;
  before(async () => {
    server = await startTestServer();
    dir = tempDir('stratus-s3-boto3-');
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await server.close();
  });

  async function runScript(env: Record<string, string>): Promise<any> {
    const child = execFile('python3', [join(REPO, 'test/clients/s3_transfer.py')], {
      env: { ...process.env, ROOT_AK: server.root.accessKeyId, ROOT_SK: server.root.secretAccessKey, WORK_DIR: dir, AWS_CONFIG_FILE: join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'), ...env },
      maxBuffer: 16 * MB,
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    assert.equal(await new Promise((r) => child.on('exit', r)), 0, stderr);
    return JSON.parse(stdout);
  }

  function assertSmallCalls(out: any): void {
    const small = 'small file via upload_file\n';
    assert.equal(out.small.body, small);
    assert.equal(out.small.ETag, `"${createHash('md5').update(small).digest('hex')}"`);
    assert.match(out.small.ChecksumCRC32 ?? '', /^[A-Za-z0-9+/]{6}==$/);
    assert.equal(out.put.ChecksumSHA256, createHash('sha256').update('{"a": 1}').digest('base64'));
    assert.deepEqual(out.presigned, { status: 200, body: '{"a": 1}', contentType: 'application/json' });
    assert.deepEqual(out.uploadsLeft, []);
  }

  it('upload_file (threaded multipart, 40 MB) and download_file round-trip the MD5; small upload_file, put_object, presigned GET, paginator, delete_objects', async () => {
    const out = await runScript({ STRATUS_URL: server.url });
    assert.equal(out.downloadMd5, out.sourceMd5);
    assert.equal(out.head.ContentLength, 40 * MB);
    assert.match(out.head.ETag, /^"[0-9a-f]{32}-5"$/);
    assert.equal(out.head.ContentType, 'application/x-forty');
    assert.deepEqual(out.head.Metadata, { via: 'boto3' });
    // s3transfer asks for CRC32 on CreateMultipartUpload: the object carries a composite checksum.
    assert.match(out.head.ChecksumCRC32 ?? '', /^[A-Za-z0-9+/]{6}==-5$/);
    assert.deepEqual(out.parts, [8 * MB, 8 * MB]);
    assert.ok(out.uploadThreads > 1, `parts went up on ${out.uploadThreads} thread(s)`);
    assertSmallCalls(out);
    assert.deepEqual(out.keys, ['big/forty.bin', 'plain.json', 'small.txt']);
    assert.deepEqual(out.deleted, ['big/forty.bin', 'plain.json', 'small.txt']);
    assert.deepEqual(out.errors, { noKey: { code: '404', status: 404 }, noBucket: { code: 'NoSuchBucket', status: 404 } });
  });

  const vhost = spawnSync('getent', ['hosts', 'boto3-transfers.s3.localhost']).status === 0;
  it('the same calls with virtual-hosted-style addressing (<bucket>.s3.localhost)', { skip: vhost ? false : '*.s3.localhost does not resolve on this machine' }, async () => {
    const out = await runScript({ STRATUS_URL: `http://s3.localhost:${server.port}`, ADDRESSING: 'virtual' });
    assertSmallCalls(out);
    assert.deepEqual(out.keys, ['plain.json', 'small.txt']);
  });
});

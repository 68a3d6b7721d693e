/**
 * S3 through both AWS CLIs: the pip AWS CLI v1 and Debian's AWS CLI v2. The
 * high-level `aws s3` commands (mb, cp, sync, ls, presign, rm, rb) and an
 * `s3api` command for every implemented operation, then a 200 MiB `aws s3 cp`
 * (a threaded multipart upload, and ranged parallel GETs back) through the
 * real `aws` binary whose MD5 must round-trip.
 *
 * Starting the CLI costs seconds of Python imports here, so apart from the
 * 200 MiB copy the commands go through test/clients/s3_cli_batch.py: each one
 * still enters through the CLI's own driver, in one process per step.
 * https://docs.aws.amazon.com/cli/latest/reference/s3/
 * https://docs.aws.amazon.com/cli/latest/reference/s3api/
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AddPermissionCommand, CreateFunctionCommand, LambdaClient, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { ACCOUNT, clientConfig, REPO, startTestServer, tempDir, type TestServer } from './harness.js';
import { makeZip } from './clients/zip.js';

const run = promisify(execFile);
const BATCH = join(REPO, 'test/clients/s3_cli_batch.py');
const BIG_BYTES = 200 * 1024 * 1024;
const FUNCTION = 's3-cli-target';
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${FUNCTION}`;

interface Cli {
  label: string;
  prefix: string;
  python: string;
  bin: string;
  path: string;
  skip: string | false;
}

function importsAwscli(python: string): boolean {
  return spawnSync(python, ['-c', 'import awscli.clidriver'], { stdio: 'ignore' }).status === 0;
}

const CLIS: Cli[] = [
  { label: 'AWS CLI v1 (pip)', prefix: 'v1', python: 'python3', bin: 'aws', path: process.env.PATH ?? '', skip: importsAwscli('python3') ? false : 'the pip AWS CLI v1 (python3 -m awscli) is not installed' },
  {
    label: 'AWS CLI v2 (Debian /usr/bin/aws)',
    prefix: 'v2',
    python: '/usr/bin/python3',
    bin: '/usr/bin/aws',
    path: '/usr/bin:/bin',
    skip: existsSync('/usr/bin/aws') && importsAwscli('/usr/bin/python3') ? false : '/usr/bin/aws is not installed (.ci/run installs it)',
  },
];

interface Result {
  rc: number;
  stdout: string;
  stderr: string;
}

/** The parsed JSON output of a command that must have succeeded. */
function ok(r: Result): any {
  assert.equal(r.rc, 0, `exit ${r.rc}: ${r.stderr}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : {};
}

/** A command that must have failed with this S3 error code. */
function fails(r: Result, code: string): void {
  assert.notEqual(r.rc, 0, `expected ${code}, got success: ${r.stdout}`);
  assert.match(r.stderr, new RegExp(`\\(${code}\\)`), r.stderr);
}

const md5File = (path: string) =>
  new Promise<string>((resolve, reject) => {
    const h = createHash('md5');
    createReadStream(path).on('data', (d) => h.update(d)).on('end', () => resolve(h.digest('hex'))).on('error', reject);
  });

describe('S3 through the AWS CLIs', () => {
  let server: TestServer;
  let bigDir: string;
  let bigMd5: string;

  before(async () => {
    server = await startTestServer();
    // A Lambda destination for the notification configuration (S3 checks it may invoke it).
    await new IAMClient(clientConfig(server)).send(new CreateRoleCommand({ RoleName: 's3-cli-role', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }));
    const lambda = new LambdaClient(clientConfig(server));
    await lambda.send(new CreateFunctionCommand({ FunctionName: FUNCTION, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: `arn:aws:iam::${ACCOUNT}:role/s3-cli-role`, Code: { ZipFile: makeZip({ 'index.js': 'exports.handler = async () => ({});' }) } }));
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: FUNCTION });
    await lambda.send(new AddPermissionCommand({ FunctionName: FUNCTION, StatementId: 's3', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceAccount: ACCOUNT }));

    bigDir = tempDir('stratus-s3-big-');
    const h = createHash('md5');
    const fh = await open(join(bigDir, 'big.bin'), 'w');
    for (let left = BIG_BYTES; left > 0; left -= 4 * 1024 * 1024) {
      const chunk = randomBytes(Math.min(left, 4 * 1024 * 1024));
      h.update(chunk);
      await fh.write(chunk);
    }
    await fh.close();
    bigMd5 = h.digest('hex');
  });

  after(async () => {
    rmSync(bigDir, { recursive: true, force: true });
    await server.close();
  });

  for (const cli of CLIS) {
    describe(cli.label, { skip: cli.skip }, () => {
      let dir: string;
      let env: NodeJS.ProcessEnv;
      const p = cli.prefix;

      before(() => {
        dir = tempDir(`stratus-s3-${p}-`);
        env = { PATH: cli.path, HOME: dir, AWS_ACCESS_KEY_ID: server.root.accessKeyId, AWS_SECRET_ACCESS_KEY: server.root.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '', AWS_EC2_METADATA_DISABLED: 'true' };
      });
      after(() => rmSync(dir, { recursive: true, force: true }));

      /** Runs each command through the CLI's driver, in order, in one process. */
      async function batch(commands: string[][]): Promise<Result[]> {
        const child = execFile(cli.python, [BATCH], { env, cwd: dir, maxBuffer: 64 * 1024 * 1024 });
        child.stdin!.end(JSON.stringify({ commands: commands.map((c) => ['--endpoint-url', server.url, '--output', 'json', ...c]) }));
        let stdout = '';
        let stderr = '';
        child.stdout!.on('data', (d) => (stdout += d));
        child.stderr!.on('data', (d) => (stderr += d));
        const code = await new Promise((r) => child.on('exit', r));
        assert.equal(code, 0, stderr);
        return JSON.parse(stdout);
      }
      const file = (name: string, data: string | Buffer) => {
        mkdirSync(join(dir, name, '..'), { recursive: true });
        writeFileSync(join(dir, name), data);
        return name;
      };

      it('s3 mb, cp both ways, sync (new, changed, --delete), ls, presign (fetched), rm, rb', async () => {
        const B = `${p}-high-level`;
        file('hello.txt', 'hello from the cli\n');
        file('site/index.html', '<h1>index</h1>');
        file('site/css/main.css', 'body{}');
        file('site/js/app.js', 'console.log(1)');
        let r = await batch([
          ['s3', 'mb', `s3://${B}`],
          ['s3', 'cp', 'hello.txt', `s3://${B}/docs/hello.txt`],
          ['s3', 'sync', 'site', `s3://${B}/site/`],
          ['s3', 'ls'],
          ['s3', 'ls', `s3://${B}/site/`],
          ['s3', 'ls', `s3://${B}`, '--recursive'],
          ['s3', 'presign', `s3://${B}/docs/hello.txt`, '--expires-in', '300'],
          ['s3', 'cp', `s3://${B}/docs/hello.txt`, 'hello.back.txt'],
        ]);
        assert.equal(r[0]!.rc, 0, r[0]!.stderr);
        assert.match(r[0]!.stdout, new RegExp(`make_bucket: ${B}`));
        assert.match(r[1]!.stdout, new RegExp(`upload: ./hello.txt to s3://${B}/docs/hello.txt`));
        assert.equal(r[2]!.rc, 0, r[2]!.stderr);
        assert.equal([...r[2]!.stdout.matchAll(/upload: /g)].length, 3, r[2]!.stdout);
        assert.match(r[3]!.stdout, new RegExp(` ${B}\\n`));
        assert.equal(r[4]!.rc, 0, r[4]!.stderr);
        assert.match(r[4]!.stdout, /PRE css\/\n/);
        assert.match(r[4]!.stdout, /PRE js\/\n/);
        assert.match(r[4]!.stdout, /\s14 index\.html\n/);
        assert.deepEqual(r[5]!.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).slice(2)), [['19', 'docs/hello.txt'], ['6', 'site/css/main.css'], ['14', 'site/index.html'], ['14', 'site/js/app.js']]);
        assert.equal(r[6]!.rc, 0, r[6]!.stderr);
        const presigned = r[6]!.stdout.trim();
        // v1 presigns with SigV2 query parameters for us-east-1, v2 with SigV4.
        assert.match(presigned, /[?&](X-Amz-Signature|Signature)=/);
        const res = await fetch(presigned);
        assert.equal(res.status, 200);
        assert.equal(await res.text(), 'hello from the cli\n');
        assert.equal(r[7]!.rc, 0, r[7]!.stderr);
        assert.equal(readFileSync(join(dir, 'hello.back.txt'), 'utf8'), 'hello from the cli\n');

        // Change one file (its size too), add one, remove one: sync uploads two, --delete removes one.
        file('site/index.html', '<h1>index v2, longer</h1>');
        file('site/about.html', '<h1>about</h1>');
        unlinkSync(join(dir, 'site/js/app.js'));
        r = await batch([
          ['s3', 'sync', 'site', `s3://${B}/site/`, '--delete'],
          ['s3', 'ls', `s3://${B}/site/`, '--recursive'],
          ['s3', 'rm', `s3://${B}/docs/hello.txt`],
          ['s3', 'rb', `s3://${B}`],
          ['s3', 'rm', `s3://${B}`, '--recursive'],
          ['s3', 'rb', `s3://${B}`],
          ['s3', 'ls'],
        ]);
        assert.equal(r[0]!.rc, 0, r[0]!.stderr);
        assert.deepEqual(r[0]!.stdout.split('\n').map((l) => l.split('\r').pop()!).filter((l) => /^(upload|delete):/.test(l)).map((l) => l.split(' ')[0]).sort(), ['delete:', 'upload:', 'upload:']);
        assert.deepEqual(r[1]!.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).slice(2)), [['14', 'site/about.html'], ['6', 'site/css/main.css'], ['25', 'site/index.html']]);
        assert.match(r[2]!.stdout, new RegExp(`delete: s3://${B}/docs/hello.txt`));
        assert.notEqual(r[3]!.rc, 0, 'rb of a non-empty bucket fails');
        assert.match(r[3]!.stderr, /BucketNotEmpty/);
        assert.equal([...r[4]!.stdout.matchAll(/delete: /g)].length, 3, r[4]!.stdout);
        assert.match(r[5]!.stdout, new RegExp(`remove_bucket: ${B}`));
        assert.doesNotMatch(r[6]!.stdout, new RegExp(` ${B}\\n`));
      });

      it('s3api: create-bucket, head-bucket, list-buckets, get-bucket-location, versioning, bucket tagging', async () => {
        const B = `${p}-buckets`;
        const r = await batch([
          ['s3api', 'create-bucket', '--bucket', B],
          ['s3api', 'head-bucket', '--bucket', B],
          ['s3api', 'list-buckets'],
          ['s3api', 'get-bucket-location', '--bucket', B],
          ['s3api', 'get-bucket-versioning', '--bucket', B],
          ['s3api', 'put-bucket-versioning', '--bucket', B, '--versioning-configuration', 'Status=Enabled'],
          ['s3api', 'get-bucket-versioning', '--bucket', B],
          ['s3api', 'put-bucket-tagging', '--bucket', B, '--tagging', 'TagSet=[{Key=team,Value=cli},{Key=env,Value=test}]'],
          ['s3api', 'get-bucket-tagging', '--bucket', B],
          ['s3api', 'delete-bucket-tagging', '--bucket', B],
          ['s3api', 'get-bucket-tagging', '--bucket', B],
          ['s3api', 'head-bucket', '--bucket', `${p}-missing-bucket`],
          ['s3api', 'create-bucket', '--bucket', 'Not_Valid'],
          ['s3api', 'delete-bucket', '--bucket', B],
          ['s3api', 'head-bucket', '--bucket', B],
        ]);
        assert.equal(ok(r[0]!).Location, `/${B}`);
        for (const i of [1, 5, 7, 9, 13]) ok(r[i]!);
        const names = ok(r[2]!).Buckets.map((b: { Name: string }) => b.Name);
        assert.ok(names.includes(B), names.join());
        assert.equal(ok(r[3]!).LocationConstraint, null);
        assert.deepEqual(ok(r[4]!), {});
        assert.equal(ok(r[6]!).Status, 'Enabled');
        assert.deepEqual(ok(r[8]!).TagSet, [{ Key: 'team', Value: 'cli' }, { Key: 'env', Value: 'test' }]);
        fails(r[10]!, 'NoSuchTagSet');
        fails(r[11]!, '404');
        fails(r[12]!, 'InvalidBucketName');
        fails(r[14]!, '404');
      });

      it('s3api: put-object, get-object, head-object, copy-object, list-objects (v1, v2), list-object-versions, delete-object, delete-objects', async () => {
        const B = `${p}-objects`;
        file('v1.txt', 'version one\n');
        file('v2.txt', 'version two, longer\n');
        let r = await batch([
          ['s3api', 'create-bucket', '--bucket', B],
          ['s3api', 'put-bucket-versioning', '--bucket', B, '--versioning-configuration', 'Status=Enabled'],
          ['s3api', 'put-object', '--bucket', B, '--key', 'dir/k1', '--body', 'v1.txt', '--content-type', 'text/plain', '--metadata', 'color=blue', '--cache-control', 'max-age=60'],
          ['s3api', 'get-object', '--bucket', B, '--key', 'dir/k1', 'k1.out'],
          ['s3api', 'head-object', '--bucket', B, '--key', 'dir/k1'],
          ['s3api', 'copy-object', '--bucket', B, '--key', 'dir/k2', '--copy-source', `${B}/dir/k1`, '--metadata-directive', 'REPLACE', '--content-type', 'application/json'],
          ['s3api', 'put-object', '--bucket', B, '--key', 'dir/k1', '--body', 'v2.txt'],
          ['s3api', 'put-object', '--bucket', B, '--key', 'top', '--body', 'v1.txt'],
          ['s3api', 'list-objects', '--bucket', B],
          ['s3api', 'list-objects-v2', '--bucket', B, '--prefix', 'dir/', '--no-paginate'],
          ['s3api', 'list-objects-v2', '--bucket', B, '--delimiter', '/'],
          ['s3api', 'head-object', '--bucket', B, '--key', 'dir/k2'],
          ['s3api', 'delete-object', '--bucket', B, '--key', 'dir/k2'],
          ['s3api', 'get-object', '--bucket', B, '--key', 'dir/k2', 'k2.out'],
          ['s3api', 'list-object-versions', '--bucket', B],
          ['s3api', 'get-object', '--bucket', B, '--key', 'nope', 'nope.out'],
          ['s3api', 'get-object', '--bucket', B, '--key', 'dir/k1', '--range', 'bytes=0-6', 'range.out'],
        ]);
        for (const i of [0, 1, 7]) ok(r[i]!);
        const put1 = ok(r[2]!);
        assert.equal(put1.ETag, `"${createHash('md5').update('version one\n').digest('hex')}"`);
        assert.match(put1.VersionId, /^\S+$/);
        const got = ok(r[3]!);
        assert.equal(got.ContentType, 'text/plain');
        assert.deepEqual(got.Metadata, { color: 'blue' });
        assert.equal(got.CacheControl, 'max-age=60');
        assert.equal(got.ContentLength, 12);
        assert.equal(got.VersionId, put1.VersionId);
        assert.equal(readFileSync(join(dir, 'k1.out'), 'utf8'), 'version one\n');
        const head = ok(r[4]!);
        assert.equal(head.ETag, put1.ETag);
        assert.equal(head.ContentLength, 12);
        const copy = ok(r[5]!);
        assert.equal(copy.CopyObjectResult.ETag, put1.ETag);
        assert.equal(copy.CopySourceVersionId, put1.VersionId);
        const put2 = ok(r[6]!);
        assert.notEqual(put2.VersionId, put1.VersionId);
        assert.deepEqual(ok(r[8]!).Contents.map((o: { Key: string; Size: number }) => [o.Key, o.Size]), [['dir/k1', 20], ['dir/k2', 12], ['top', 12]]);
        const v2 = ok(r[9]!);
        assert.equal(v2.KeyCount, 2);
        assert.equal(v2.Name, B);
        assert.equal(v2.IsTruncated, false);
        assert.deepEqual(v2.Contents.map((o: { Key: string }) => o.Key), ['dir/k1', 'dir/k2']);
        const delimited = ok(r[10]!);
        assert.deepEqual(delimited.CommonPrefixes, [{ Prefix: 'dir/' }]);
        assert.deepEqual(delimited.Contents.map((o: { Key: string }) => o.Key), ['top']);
        assert.equal(ok(r[11]!).ContentType, 'application/json');
        const del = ok(r[12]!);
        assert.equal(del.DeleteMarker, true);
        fails(r[13]!, 'NoSuchKey');
        const versions = ok(r[14]!);
        assert.deepEqual(versions.Versions.map((v: { Key: string; IsLatest: boolean }) => [v.Key, v.IsLatest]), [['dir/k1', true], ['dir/k1', false], ['dir/k2', false], ['top', true]]);
        assert.deepEqual(versions.DeleteMarkers.map((m: { Key: string; VersionId: string }) => [m.Key, m.VersionId]), [['dir/k2', del.VersionId]]);
        fails(r[15]!, 'NoSuchKey');
        const ranged = ok(r[16]!);
        assert.equal(ranged.ContentRange, 'bytes 0-6/20');
        assert.equal(readFileSync(join(dir, 'range.out'), 'utf8'), 'version');

        // Old versions by id, then every version and marker removed in one delete-objects.
        const all = [...versions.Versions, ...versions.DeleteMarkers].map((v: { Key: string; VersionId: string }) => ({ Key: v.Key, VersionId: v.VersionId }));
        file('delete.json', JSON.stringify({ Objects: all, Quiet: false }));
        r = await batch([
          ['s3api', 'get-object', '--bucket', B, '--key', 'dir/k1', '--version-id', put1.VersionId, 'old.out'],
          ['s3api', 'delete-objects', '--bucket', B, '--delete', 'Objects=[{Key=top},{Key=never-existed}],Quiet=false'],
          ['s3api', 'delete-objects', '--bucket', B, '--delete', 'file://delete.json'],
          ['s3api', 'list-object-versions', '--bucket', B],
          ['s3api', 'list-objects-v2', '--bucket', B, '--no-paginate'],
          ['s3api', 'delete-bucket', '--bucket', B],
        ]);
        assert.equal(ok(r[0]!).VersionId, put1.VersionId);
        assert.equal(readFileSync(join(dir, 'old.out'), 'utf8'), 'version one\n');
        const markers = ok(r[1]!).Deleted;
        assert.deepEqual(markers.map((d: { Key: string; DeleteMarker: boolean }) => [d.Key, d.DeleteMarker]), [['top', true], ['never-existed', true]]);
        assert.equal(ok(r[2]!).Deleted.length, all.length);
        const left = ok(r[3]!);
        assert.equal(left.Versions, undefined);
        assert.deepEqual(left.DeleteMarkers?.map((v: { Key: string }) => v.Key).sort(), ['never-existed', 'top']);
        assert.equal(ok(r[4]!).KeyCount, 0);
        fails(r[5]!, 'BucketNotEmpty');
      });

      it('s3api: create-multipart-upload, upload-part, list-parts, list-multipart-uploads, abort-multipart-upload, complete-multipart-upload', async () => {
        const B = `${p}-multipart`;
        const part1 = randomBytes(5 * 1024 * 1024);
        const part2 = randomBytes(1024 * 1024 + 7);
        file('part1.bin', part1);
        file('part2.bin', part2);
        let r = await batch([
          ['s3api', 'create-bucket', '--bucket', B],
          ['s3api', 'create-multipart-upload', '--bucket', B, '--key', 'assembled', '--content-type', 'application/x-parts', '--metadata', 'origin=cli'],
          ['s3api', 'create-multipart-upload', '--bucket', B, '--key', 'abandoned'],
        ]);
        ok(r[0]!);
        const upload = ok(r[1]!);
        assert.equal(upload.Bucket, B);
        assert.equal(upload.Key, 'assembled');
        const abandoned = ok(r[2]!).UploadId;
        r = await batch([
          ['s3api', 'upload-part', '--bucket', B, '--key', 'assembled', '--upload-id', upload.UploadId, '--part-number', '1', '--body', 'part1.bin'],
          ['s3api', 'upload-part', '--bucket', B, '--key', 'assembled', '--upload-id', upload.UploadId, '--part-number', '2', '--body', 'part2.bin'],
          ['s3api', 'upload-part', '--bucket', B, '--key', 'abandoned', '--upload-id', abandoned, '--part-number', '1', '--body', 'part2.bin'],
          ['s3api', 'list-parts', '--bucket', B, '--key', 'assembled', '--upload-id', upload.UploadId],
          ['s3api', 'list-multipart-uploads', '--bucket', B],
          ['s3api', 'abort-multipart-upload', '--bucket', B, '--key', 'abandoned', '--upload-id', abandoned],
          ['s3api', 'list-multipart-uploads', '--bucket', B],
          ['s3api', 'list-parts', '--bucket', B, '--key', 'abandoned', '--upload-id', abandoned],
        ]);
        const e1 = ok(r[0]!).ETag;
        const e2 = ok(r[1]!).ETag;
        assert.equal(e1, `"${createHash('md5').update(part1).digest('hex')}"`);
        assert.equal(e2, `"${createHash('md5').update(part2).digest('hex')}"`);
        ok(r[2]!);
        const parts = ok(r[3]!).Parts;
        assert.deepEqual(parts.map((x: { PartNumber: number; ETag: string; Size: number }) => [x.PartNumber, x.ETag, x.Size]), [[1, e1, part1.length], [2, e2, part2.length]]);
        assert.deepEqual(ok(r[4]!).Uploads.map((u: { Key: string }) => u.Key), ['abandoned', 'assembled']);
        ok(r[5]!);
        assert.deepEqual(ok(r[6]!).Uploads.map((u: { Key: string; UploadId: string }) => [u.Key, u.UploadId]), [['assembled', upload.UploadId]]);
        fails(r[7]!, 'NoSuchUpload');

        file('complete.json', JSON.stringify({ Parts: [{ PartNumber: 1, ETag: e1 }, { PartNumber: 2, ETag: e2 }] }));
        r = await batch([
          ['s3api', 'complete-multipart-upload', '--bucket', B, '--key', 'assembled', '--upload-id', upload.UploadId, '--multipart-upload', 'file://complete.json'],
          ['s3api', 'head-object', '--bucket', B, '--key', 'assembled'],
          ['s3api', 'get-object', '--bucket', B, '--key', 'assembled', 'assembled.out'],
          ['s3api', 'head-object', '--bucket', B, '--key', 'assembled', '--part-number', '2'],
          ['s3api', 'list-multipart-uploads', '--bucket', B],
          ['s3api', 'upload-part', '--bucket', B, '--key', 'assembled', '--upload-id', upload.UploadId, '--part-number', '3', '--body', 'part2.bin'],
        ]);
        const done = ok(r[0]!);
        const expectedEtag = `"${createHash('md5').update(Buffer.concat([Buffer.from(e1.slice(1, -1), 'hex'), Buffer.from(e2.slice(1, -1), 'hex')])).digest('hex')}-2"`;
        assert.equal(done.ETag, expectedEtag);
        assert.equal(done.Key, 'assembled');
        const head = ok(r[1]!);
        assert.equal(head.ContentLength, part1.length + part2.length);
        assert.equal(head.ContentType, 'application/x-parts');
        assert.deepEqual(head.Metadata, { origin: 'cli' });
        ok(r[2]!);
        assert.equal(createHash('md5').update(readFileSync(join(dir, 'assembled.out'))).digest('hex'), createHash('md5').update(Buffer.concat([part1, part2])).digest('hex'));
        const p2 = ok(r[3]!);
        assert.equal(p2.ContentLength, part2.length);
        assert.equal(p2.PartsCount, 2);
        assert.equal(ok(r[4]!).Uploads, undefined);
        fails(r[5]!, 'NoSuchUpload');
      });

      it('s3api: cors, website, ownership controls, public access block, policy, notification configuration: put, get, delete', async () => {
        const B = `${p}-config`;
        const cors = { CORSRules: [{ AllowedOrigins: ['https://app.example'], AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 600 }] };
        const website = { IndexDocument: { Suffix: 'index.html' }, ErrorDocument: { Key: 'error.html' } };
        const policy = { Version: '2012-10-17', Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*` }] };
        const notification = { LambdaFunctionConfigurations: [{ Id: 'on-upload', LambdaFunctionArn: FUNCTION_ARN, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'uploads/' }] } } }] };
        file('cors.json', JSON.stringify(cors));
        file('website.json', JSON.stringify(website));
        file('policy.json', JSON.stringify(policy));
        file('notification.json', JSON.stringify(notification));
        const r = await batch([
          ['s3api', 'create-bucket', '--bucket', B],
          ['s3api', 'put-bucket-cors', '--bucket', B, '--cors-configuration', 'file://cors.json'],
          ['s3api', 'get-bucket-cors', '--bucket', B],
          ['s3api', 'delete-bucket-cors', '--bucket', B],
          ['s3api', 'get-bucket-cors', '--bucket', B],
          ['s3api', 'put-bucket-website', '--bucket', B, '--website-configuration', 'file://website.json'],
          ['s3api', 'get-bucket-website', '--bucket', B],
          ['s3api', 'delete-bucket-website', '--bucket', B],
          ['s3api', 'get-bucket-website', '--bucket', B],
          ['s3api', 'get-bucket-ownership-controls', '--bucket', B],
          ['s3api', 'put-bucket-ownership-controls', '--bucket', B, '--ownership-controls', 'Rules=[{ObjectOwnership=BucketOwnerPreferred}]'],
          ['s3api', 'get-bucket-ownership-controls', '--bucket', B],
          ['s3api', 'delete-bucket-ownership-controls', '--bucket', B],
          ['s3api', 'get-bucket-ownership-controls', '--bucket', B],
          ['s3api', 'get-public-access-block', '--bucket', B],
          ['s3api', 'put-bucket-policy', '--bucket', B, '--policy', 'file://policy.json'],
          ['s3api', 'put-public-access-block', '--bucket', B, '--public-access-block-configuration', 'BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=false,RestrictPublicBuckets=false'],
          ['s3api', 'get-public-access-block', '--bucket', B],
          ['s3api', 'put-bucket-policy', '--bucket', B, '--policy', 'file://policy.json'],
          ['s3api', 'get-bucket-policy', '--bucket', B],
          ['s3api', 'delete-bucket-policy', '--bucket', B],
          ['s3api', 'get-bucket-policy', '--bucket', B],
          ['s3api', 'delete-public-access-block', '--bucket', B],
          ['s3api', 'get-public-access-block', '--bucket', B],
          ['s3api', 'get-bucket-notification-configuration', '--bucket', B],
          ['s3api', 'put-bucket-notification-configuration', '--bucket', B, '--notification-configuration', 'file://notification.json'],
          ['s3api', 'get-bucket-notification-configuration', '--bucket', B],
          ['s3api', 'put-bucket-notification-configuration', '--bucket', B, '--notification-configuration', '{}'],
          ['s3api', 'get-bucket-notification-configuration', '--bucket', B],
        ]);
        for (const i of [0, 1, 3, 5, 7, 10, 12, 16, 18, 20, 22, 25, 27]) ok(r[i]!);
        assert.deepEqual(ok(r[2]!).CORSRules.map((x: Record<string, unknown>) => ({ ...x, ID: undefined })), cors.CORSRules.map((x) => ({ ...x, ID: undefined })));
        fails(r[4]!, 'NoSuchCORSConfiguration');
        assert.deepEqual(ok(r[6]!), website);
        fails(r[8]!, 'NoSuchWebsiteConfiguration');
        assert.deepEqual(ok(r[9]!).OwnershipControls, { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
        assert.deepEqual(ok(r[11]!).OwnershipControls, { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] });
        fails(r[13]!, 'OwnershipControlsNotFoundError');
        assert.deepEqual(ok(r[14]!).PublicAccessBlockConfiguration, { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
        fails(r[15]!, 'AccessDenied');
        assert.deepEqual(ok(r[17]!).PublicAccessBlockConfiguration, { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false });
        assert.deepEqual(JSON.parse(ok(r[19]!).Policy), policy);
        fails(r[21]!, 'NoSuchBucketPolicy');
        fails(r[23]!, 'NoSuchPublicAccessBlockConfiguration');
        assert.deepEqual(ok(r[24]!), {});
        assert.deepEqual(ok(r[26]!).LambdaFunctionConfigurations, [{ Id: 'on-upload', LambdaFunctionArn: FUNCTION_ARN, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'Prefix', Value: 'uploads/' }] } } }]);
        assert.deepEqual(ok(r[28]!), {});
      });

      it('s3api: put/get/delete-object-tagging, get/put-object-acl (ACLs disabled, then enabled)', async () => {
        const B = `${p}-subresources`;
        file('small.txt', 'tag me');
        let r = await batch([
          ['s3api', 'create-bucket', '--bucket', B],
          ['s3api', 'put-object', '--bucket', B, '--key', 'k', '--body', 'small.txt', '--tagging', 'a=1&b=two'],
          ['s3api', 'get-object-tagging', '--bucket', B, '--key', 'k'],
          ['s3api', 'put-object-tagging', '--bucket', B, '--key', 'k', '--tagging', 'TagSet=[{Key=env,Value=test},{Key=team,Value=cli}]'],
          ['s3api', 'get-object-tagging', '--bucket', B, '--key', 'k'],
          ['s3api', 'get-object', '--bucket', B, '--key', 'k', 'k.out'],
          ['s3api', 'delete-object-tagging', '--bucket', B, '--key', 'k'],
          ['s3api', 'get-object-tagging', '--bucket', B, '--key', 'k'],
          ['s3api', 'get-object-acl', '--bucket', B, '--key', 'k'],
          ['s3api', 'put-object-acl', '--bucket', B, '--key', 'k', '--acl', 'private'],
          ['s3api', 'put-bucket-ownership-controls', '--bucket', B, '--ownership-controls', 'Rules=[{ObjectOwnership=ObjectWriter}]'],
          ['s3api', 'get-object-tagging', '--bucket', B, '--key', 'missing'],
        ]);
        for (const i of [0, 1, 3, 6, 10]) ok(r[i]!);
        assert.deepEqual(ok(r[2]!).TagSet, [{ Key: 'a', Value: '1' }, { Key: 'b', Value: 'two' }]);
        assert.deepEqual(ok(r[4]!).TagSet, [{ Key: 'env', Value: 'test' }, { Key: 'team', Value: 'cli' }]);
        assert.equal(ok(r[5]!).TagCount, 2);
        assert.deepEqual(ok(r[7]!).TagSet, []);
        const acl = ok(r[8]!);
        const owner = acl.Owner.ID as string;
        assert.match(owner, /^[0-9a-f]{64}$/);
        assert.deepEqual(acl.Grants, [{ Grantee: { ID: owner, Type: 'CanonicalUser', ...(acl.Grants[0].Grantee.DisplayName ? { DisplayName: acl.Grants[0].Grantee.DisplayName } : {}) }, Permission: 'FULL_CONTROL' }]);
        fails(r[9]!, 'AccessControlListNotSupported');
        fails(r[11]!, 'NoSuchKey');

        r = await batch([
          ['s3api', 'put-object-acl', '--bucket', B, '--key', 'k', '--grant-full-control', `id=${owner}`, '--grant-read', 'uri=http://acs.amazonaws.com/groups/s3/LogDelivery'],
          ['s3api', 'get-object-acl', '--bucket', B, '--key', 'k'],
          ['s3api', 'put-object-acl', '--bucket', B, '--key', 'k', '--acl', 'public-read'],
          ['s3api', 'put-object-acl', '--bucket', B, '--key', 'k', '--acl', 'private'],
          ['s3api', 'get-object-acl', '--bucket', B, '--key', 'k'],
        ]);
        ok(r[0]!);
        const grants = ok(r[1]!).Grants.map((g: { Grantee: { ID?: string; URI?: string }; Permission: string }) => [g.Grantee.ID ?? g.Grantee.URI, g.Permission]);
        assert.deepEqual(grants, [[owner, 'FULL_CONTROL'], ['http://acs.amazonaws.com/groups/s3/LogDelivery', 'READ']]);
        fails(r[2]!, 'AccessDenied');
        ok(r[3]!);
        assert.deepEqual(ok(r[4]!).Grants.map((g: { Grantee: { ID?: string }; Permission: string }) => [g.Grantee.ID, g.Permission]), [[owner, 'FULL_CONTROL']]);
      });

      it(`aws s3 cp of a ${BIG_BYTES / 1024 / 1024} MiB file: multipart upload, parallel ranged download, MD5 round trip (the real ${cli.bin} binary)`, async () => {
        const B = `${p}-big`;
        const aws = (args: string[]) => run(cli.bin, ['--endpoint-url', server.url, ...args], { env, cwd: bigDir, maxBuffer: 16 * 1024 * 1024 });
        await aws(['s3', 'mb', `s3://${B}`]);
        await aws(['s3', 'cp', 'big.bin', `s3://${B}/big.bin`, '--only-show-errors']);
        const head = JSON.parse((await aws(['s3api', 'head-object', '--bucket', B, '--key', 'big.bin', '--output', 'json'])).stdout);
        assert.equal(head.ContentLength, BIG_BYTES);
        // 8 MiB parts by default: 25 of them.
        assert.match(head.ETag, /^"[0-9a-f]{32}-25"$/);
        const out = join(bigDir, `${p}.back`);
        await aws(['s3', 'cp', `s3://${B}/big.bin`, out, '--only-show-errors']);
        try {
          assert.equal(await md5File(out), bigMd5);
        } finally {
          rmSync(out, { force: true });
        }
        await aws(['s3', 'rb', `s3://${B}`, '--force']);
      });
    });
  }
});

/**
 * S3 durability and resource bounds against the real CLI in a child process:
 *  - kill -9 in the middle of a 1 GB PutObject over an existing key: after a
 *    restart the previous version is intact and nothing is left over (no temp
 *    files, no s3.garbage markers, exactly the blobs committed objects own);
 *  - a finished-but-uncommitted blob of a dead writer is swept at start-up;
 *  - 20 concurrent PutObjects to one key: the object is exactly one of the
 *    bodies, and a versioned bucket keeps all 20;
 *  - a 2 GB object streamed in and out keeps the server's RSS under 300 MB.
 * Write protocol: src/services/s3/store.ts. Storage layout: src/storage/embedded.ts.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html#ConsistencyModel
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statfsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import { INLINE_MAX } from '../src/services/s3/store.js';
import { openEmbeddedStorage } from '../src/storage/embedded.js';
import { ACCOUNT, clientConfig, removeDir, ROOT_KEY, startChildServer, tempDir, type ChildServer } from './harness.js';

const MB = 1024 * 1024;
/** Start-up compiles TypeScript on the fly: slow on a busy machine. */
const START_TIMEOUT_MS = 90_000;
const ARGS = (dataDir: string) => [
  '--data-dir', dataDir, '--account-id', ACCOUNT, '--no-profile', '--log-level', 'warn', '--durability', 'full', '--runtime-pool-size', '0',
  '--root-access-key-id', ROOT_KEY.accessKeyId, '--root-secret-access-key', ROOT_KEY.secretAccessKey,
];

function s3For(server: ChildServer): S3Client {
  return new S3Client({ ...clientConfig(server), requestHandler: { requestTimeout: 0 } });
}

/** `size` bytes of pseudo-random data, produced on demand (never held whole), and their MD5 once read to the end. */
function generated(size: number): { stream: Readable; produced: () => number; md5: () => string } {
  const base = randomBytes(4 * MB);
  const hash = createHash('md5');
  let produced = 0;
  let n = 0;
  const stream = new Readable({
    highWaterMark: 256 * 1024,
    read() {
      if (produced >= size) return void this.push(null);
      const len = Math.min(256 * 1024, size - produced);
      const off = (n++ * 7919 * 64) % (base.length - len);
      const chunk = Buffer.from(base.subarray(off, off + len));
      chunk.writeUInt32BE(n, 0);
      produced += len;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  return { stream, produced: () => produced, md5: () => hash.copy().digest('hex') };
}

async function md5Of(body: AsyncIterable<Uint8Array>): Promise<{ md5: string; size: number }> {
  const h = createHash('md5');
  let size = 0;
  for await (const chunk of body) {
    h.update(chunk);
    size += chunk.length;
  }
  return { md5: h.digest('hex'), size };
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** What the data directory holds, read straight from disk with the server stopped. */
function inspect(dataDir: string): { garbage: string[]; temps: string[]; blobFiles: Set<string>; referenced: Set<string> } {
  const db = new Database(join(dataDir, 'stratus.db'), { readonly: true });
  try {
    const garbage = (db.prepare("SELECT key FROM documents WHERE tbl = 's3.garbage'").all() as Array<{ key: string }>).map((r) => r.key);
    const referenced = new Set<string>();
    for (const row of db.prepare("SELECT value FROM documents WHERE tbl = 's3.versions'").all() as Array<{ value: string }>) {
      for (const c of (JSON.parse(row.value) as { chunks?: Array<{ blob: string }> }).chunks ?? []) referenced.add(createHash('sha256').update(c.blob, 'utf8').digest('hex'));
    }
    const blobs = join(dataDir, 'blobs');
    const temps = existsSync(join(blobs, '.tmp')) ? readdirSync(join(blobs, '.tmp')) : [];
    const blobFiles = new Set<string>();
    for (const a of readdirSync(blobs)) {
      if (a === '.tmp') continue;
      for (const b of readdirSync(join(blobs, a))) for (const f of readdirSync(join(blobs, a, b))) blobFiles.add(f);
    }
    return { garbage, temps, blobFiles, referenced };
  } finally {
    db.close();
  }
}

function assertNoLeftovers(dataDir: string): void {
  const state = inspect(dataDir);
  assert.deepEqual(state.temps, [], 'temp files left in blobs/.tmp');
  assert.deepEqual(state.garbage, [], 's3.garbage markers left');
  assert.deepEqual([...state.blobFiles].sort(), [...state.referenced].sort(), 'blob files differ from the blobs committed versions reference');
}

function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

describe('S3 durability', () => {
  it('kill -9 during a 1 GB PutObject over an existing key: the previous version survives, nothing is left over', async (t) => {
    if (freeBytes(tmpdir()) < 1.5 * 1024 * MB) return t.skip('needs 2.5 GB free in the temp directory');
    const dataDir = tempDir('stratus-s3-kill-');
    t.after(() => removeDir(dataDir));
    const first = await startChildServer(ARGS(dataDir), {}, START_TIMEOUT_MS);
    let killed = false;
    try {
      const s3 = s3For(first);
      await s3.send(new CreateBucketCommand({ Bucket: 'durable' }));
      const previous = randomBytes(8 * MB);
      await s3.send(new PutObjectCommand({ Bucket: 'durable', Key: 'big.bin', Body: previous, ContentLength: previous.length }));

      const big = generated(1024 * MB);
      const upload = s3.send(new PutObjectCommand({ Bucket: 'durable', Key: 'big.bin', Body: big.stream, ContentLength: 1024 * MB })).then(
        () => 'completed',
        () => 'failed',
      );
      // Kill well inside the upload, once the server has a partial temp file on disk.
      const tmpDir = join(dataDir, 'blobs', '.tmp');
      const deadline = Date.now() + 120_000;
      while (big.produced() < 300 * MB || readdirSync(tmpDir).length === 0) {
        assert.ok(Date.now() < deadline, `upload too slow: ${big.produced()} bytes sent`);
        await new Promise((r) => setTimeout(r, 20));
      }
      await first.stop('SIGKILL');
      killed = true;
      assert.equal(await upload, 'failed', 'the upload finished before the kill: the test proves nothing');

      const crashed = inspect(dataDir);
      assert.ok(crashed.temps.length > 0, 'the kill left no partial temp file');
      assert.ok(crashed.garbage.length > 0, 'the kill left no pending garbage marker');

      const second = await startChildServer(ARGS(dataDir), {}, START_TIMEOUT_MS);
      try {
        const got = await s3For(second).send(new GetObjectCommand({ Bucket: 'durable', Key: 'big.bin' }));
        const { md5: gotMd5, size } = await md5Of(got.Body as Readable);
        assert.equal(size, previous.length);
        assert.equal(gotMd5, md5(previous));
        assert.equal(got.ETag, `"${md5(previous)}"`);
      } finally {
        await second.stop();
      }
      assertNoLeftovers(dataDir);
      assert.equal(inspect(dataDir).blobFiles.size, 1, 'one object, one blob');
      const storage = await openEmbeddedStorage({ dataDir });
      try {
        assert.deepEqual(await storage.checkIntegrity(), []);
      } finally {
        await storage.close();
      }
    } finally {
      if (!killed) await first.stop('SIGKILL');
    }
  });

  it('start-up sweeps a blob a dead writer finished but never committed', async (t) => {
    const dataDir = tempDir('stratus-s3-sweep-');
    t.after(() => removeDir(dataDir));
    let server = await startChildServer(ARGS(dataDir), {}, START_TIMEOUT_MS);
    await s3For(server).send(new CreateBucketCommand({ Bucket: 'sweep' }));
    // Larger than INLINE_MAX: the kept object has a blob of its own among the garbage.
    const kept = 'kept'.repeat(INLINE_MAX / 4 + 1);
    await s3For(server).send(new PutObjectCommand({ Bucket: 'sweep', Key: 'kept', Body: kept }));
    await server.stop();

    // A pid that certainly belongs to no live process on this host.
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
    const storage = await openEmbeddedStorage({ dataDir });
    const pending = `s3/sweep/${randomUUID()}`;
    const orphan = `s3/sweep/${randomUUID()}`;
    try {
      await storage.blobs.write(pending, Buffer.from('written, never committed'));
      await storage.documents.put('s3.garbage', pending, { owner: `${hostname()}:${deadPid}`, at: Date.now(), pending: true });
      await storage.blobs.write(orphan, Buffer.from('replaced, not yet deleted'));
      await storage.documents.put('s3.garbage', orphan, { owner: `${hostname()}:${deadPid}`, at: Date.now(), pending: false });
    } finally {
      await storage.close();
    }
    assert.equal(inspect(dataDir).blobFiles.size, 3);

    server = await startChildServer(ARGS(dataDir), {}, START_TIMEOUT_MS);
    try {
      const got = await s3For(server).send(new GetObjectCommand({ Bucket: 'sweep', Key: 'kept' }));
      assert.equal(await got.Body!.transformToString(), kept);
    } finally {
      await server.stop();
    }
    assertNoLeftovers(dataDir);
    assert.equal(inspect(dataDir).blobFiles.size, 1);
  });
});

describe('S3 concurrency and memory', () => {
  const dataDir = tempDir('stratus-s3-conc-');
  let server: ChildServer;
  let s3: S3Client;
  before(async () => {
    server = await startChildServer(ARGS(dataDir), {}, START_TIMEOUT_MS);
    s3 = s3For(server);
  });
  after(async () => {
    await server?.stop();
    removeDir(dataDir);
  });

  it('20 concurrent PutObjects of one key: the object is exactly one body; a versioned bucket keeps all 20', async () => {
    const bodies = Array.from({ length: 20 }, () => randomBytes(MB));
    const sums = bodies.map(md5);
    for (const [bucket, versioned] of [['race-plain', false], ['race-versioned', true]] as const) {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      if (versioned) await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
      const results = await Promise.all(bodies.map((Body) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'contended', Body, ContentLength: Body.length }))));
      assert.deepEqual(results.map((r) => r.ETag), sums.map((s) => `"${s}"`));
      // Read a few times: a torn or mixed object would show as a foreign MD5 or a wrong size.
      for (let i = 0; i < 3; i++) {
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'contended' }));
        const { md5: sum, size } = await md5Of(got.Body as Readable);
        assert.equal(size, MB);
        assert.ok(sums.includes(sum), 'the object is none of the bodies written');
        assert.equal(got.ETag, `"${sum}"`);
      }
      if (versioned) {
        const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
        const versions = listed.Versions ?? [];
        assert.equal(versions.length, 20);
        assert.deepEqual(versions.map((v) => v.ETag).sort(), sums.map((s) => `"${s}"`).sort());
        assert.equal(versions.filter((v) => v.IsLatest).length, 1);
        const latest = versions.find((v) => v.IsLatest)!;
        const current = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'contended' }));
        assert.equal(current.VersionId, latest.VersionId);
        for (const v of versions) {
          const got: GetObjectCommandOutput = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'contended', VersionId: v.VersionId }));
          assert.equal(`"${(await md5Of(got.Body as Readable)).md5}"`, v.ETag);
        }
      }
    }
  });

  it('a 2 GB object streams in and out with the server under 300 MB RSS', async (t) => {
    if (freeBytes(dataDir) < 2.5 * 1024 * MB) return t.skip('needs 2.5 GB free in the temp directory');
    const pid = server.child.pid!;
    const status = () => readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (text: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    if (!existsSync(`/proc/${pid}/status`)) return t.skip('needs /proc');
    const LIMIT_KB = 300 * 1024;
    const baseline = kb(status(), 'VmRSS');
    let peak = 0;
    const samples: number[] = [];
    const sampler = setInterval(() => {
      const rss = kb(status(), 'VmRSS');
      samples.push(rss);
      peak = Math.max(peak, rss);
    }, 100);
    try {
      const size = 2048 * MB;
      await s3.send(new CreateBucketCommand({ Bucket: 'huge' }));
      const data = generated(size);
      const started = Date.now();
      const put = await s3.send(new PutObjectCommand({ Bucket: 'huge', Key: 'two-gb', Body: data.stream, ContentLength: size }));
      const putSecs = (Date.now() - started) / 1000;
      assert.equal(put.ETag, `"${data.md5()}"`);
      const peakIn = peak;
      const got = await s3.send(new GetObjectCommand({ Bucket: 'huge', Key: 'two-gb' }));
      const read = await md5Of(got.Body as Readable);
      const getSecs = (Date.now() - started) / 1000 - putSecs;
      assert.equal(read.size, size);
      assert.equal(read.md5, data.md5());
      const hwm = kb(status(), 'VmHWM');
      t.diagnostic(`RSS before ${Math.round(baseline / 1024)} MB; PUT ${putSecs.toFixed(1)} s, GET ${getSecs.toFixed(1)} s; RSS peak in ${Math.round(peakIn / 1024)} MB, overall ${Math.round(peak / 1024)} MB; VmHWM ${Math.round(hwm / 1024)} MB; ${samples.length} samples`);
      assert.ok(samples.length > 10, 'too few RSS samples');
      assert.ok(peak < LIMIT_KB, `server RSS reached ${Math.round(peak / 1024)} MB`);
      assert.ok(hwm < LIMIT_KB, `server VmHWM reached ${Math.round(hwm / 1024)} MB`);
    } finally {
      clearInterval(sampler);
    }
  });
});

/**
 * S3 throughput, side by side in one run on this machine:
 *  - bandwidth: PutObject and GetObject of 1 MB and 64 MB objects, one request at a
 *    time, through Stratus (the real CLI in a child process, --durability full) against
 *    the disk itself (the same bytes written to a file in the data directory's
 *    filesystem and fsynced, then read back from the page cache) and against a bare
 *    node:http server doing the least an object server must (MD5, write, fsync, rename);
 *  - small objects: 1 KB PutObject and GetObject ops/s at one concurrency against
 *    Stratus (full and normal durability), moto's server and s3rver, with each
 *    server's CPU time per operation.
 * Clients, the same for every server: @aws-sdk/client-s3 v3 with its defaults, as an
 * application uses it (a Buffer body: the SDK signs the payload's SHA-256 and adds a
 * CRC32 header); raw SigV4-signed node:http with UNSIGNED-PAYLOAD for bandwidth (what
 * presigned-URL and curl --aws-sigv4 clients send); and wrk replaying pre-signed
 * requests for small objects, a client cheap enough that the servers' own capacity
 * shows (the SDK costs more CPU per request than Stratus does).
 * Bandwidth figures are the best of BENCH_S3_ROUNDS rounds: other work on a shared
 * machine only ever slows a round down. Servers and clients: s3-servers.ts.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ROOT_KEY, type ChildServer } from '../test/harness.js';
import { percentile } from './functions-client.js';
import { cpuSeconds, drain, rawRequest, RawClient, sdk, withBare, withMoto, withS3rver, withStratus, wrkRun, type Creds } from './s3-servers.js';

const MB = 1024 * 1024;
const ROUNDS = Number(process.env.BENCH_S3_ROUNDS ?? 3);
/** Bytes moved per bandwidth measurement and object size. */
const VOLUME = Number(process.env.BENCH_S3_VOLUME_MB ?? 256) * MB;
const SMALL_SECONDS = Number(process.env.BENCH_S3_SECONDS ?? 8);
const CONCURRENCY = Number(process.env.BENCH_S3_CONCURRENCY ?? 16);
const SMALL_SIZE = 1024;
/** Distinct keys the wrk PUT phase cycles through, and keys its GET phase reads. */
const PUT_KEYS = 4000;
const GET_KEYS = 500;
const SIZES = [1 * MB, 64 * MB];

/** MB/s of `count` sequential operations; best of ROUNDS. */
async function bandwidth(bytesEach: number, count: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let best = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < count; i++) await op(i);
    best = Math.max(best, (bytesEach * count) / MB / ((performance.now() - t0) / 1000));
  }
  return best;
}

async function rawWrite(path: string, data: Buffer): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

const readBuffer = Buffer.allocUnsafe(MB);
async function rawRead(path: string): Promise<number> {
  const fh = await open(path, 'r');
  try {
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(readBuffer, 0, readBuffer.length, null);
      if (bytesRead === 0) return n;
      n += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

interface BandwidthRow {
  size: number;
  count: number;
  diskWrite: number;
  diskRead: number;
  barePut: number;
  bareGet: number;
  sdkPut: number;
  sdkGet: number;
  rawPut: number;
  rawGet: number;
}

async function benchBandwidth(server: ChildServer, dataDir: string): Promise<BandwidthRow[]> {
  const s3 = sdk(server.url, ROOT_KEY, 1);
  const raw = new RawClient(new URL(server.url));
  await s3.send(new CreateBucketCommand({ Bucket: 'bench-bw' }));
  // The bare server writes beside the data directory, on the same filesystem.
  const bareDir = join(dataDir, 'bare');
  await mkdir(bareDir);
  const rows: BandwidthRow[] = [];
  for (const size of SIZES) {
    const count = Math.max(4, Math.round(VOLUME / size));
    const data = randomBytes(size);
    const md5 = createHash('md5').update(data).digest('hex');
    const files = Array.from({ length: count }, (_, i) => join(dataDir, `raw-${size}-${i}.bin`));
    const key = (i: number) => `bw-${size}/${i}`;
    const diskWrite = await bandwidth(size, count, (i) => rawWrite(files[i]!, data));
    const diskRead = await bandwidth(size, count, (i) => rawRead(files[i]!));
    for (const f of files) await rm(f, { force: true });
    const [barePut, bareGet] = await withBare(bareDir, async (url) => {
      const bare = new RawClient(new URL(url));
      const put = await bandwidth(size, count, (i) => bare.put(`/bench-bw/${key(i)}`, data));
      const get = await bandwidth(size, count, async (i) => {
        if ((await bare.get(`/bench-bw/${key(i)}`)) !== size) throw new Error('short GET');
      });
      return [put, get];
    });
    const sdkPut = await bandwidth(size, count, async (i) => {
      const out = await s3.send(new PutObjectCommand({ Bucket: 'bench-bw', Key: key(i), Body: data }));
      if (out.ETag !== `"${md5}"`) throw new Error(`PutObject answered ETag ${out.ETag}`);
    });
    const sdkGet = await bandwidth(size, count, async (i) => {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'bench-bw', Key: key(i) }));
      if ((await drain(got.Body as AsyncIterable<Uint8Array>)) !== size) throw new Error('short GetObject');
    });
    const rawPut = await bandwidth(size, count, (i) => raw.put(`/bench-bw/${key(i)}`, data));
    const rawGet = await bandwidth(size, count, async (i) => {
      if ((await raw.get(`/bench-bw/${key(i)}`)) !== size) throw new Error('short GET');
    });
    rows.push({ size, count, diskWrite, diskRead, barePut, bareGet, sdkPut, sdkGet, rawPut, rawGet });
  }
  s3.destroy();
  return rows;
}

/** MB/s of hashing one buffer: the ceiling MD5 (every PUT's ETag) and SHA-256 (a signed payload) put on one core. */
function hashRate(algorithm: string): number {
  const data = randomBytes(64 * MB);
  const t0 = performance.now();
  for (let i = 0; i < 4; i++) createHash(algorithm).update(data).digest();
  return 256 / ((performance.now() - t0) / 1000);
}

interface SmallResult {
  name: string;
  put: number;
  get: number;
  putP50: number;
  putP99: number;
  getP50: number;
  getP99: number;
  /** Server CPU (user + system, all threads) per operation, ms. */
  putCpu: number;
  getCpu: number;
  errors: number;
}

/** CONCURRENCY workers for SMALL_SECONDS per phase: PUTs of fresh keys, then GETs of those keys. */
async function smallObjects(name: string, url: string, creds: Creds, pid: number): Promise<SmallResult> {
  const s3 = sdk(url, creds, CONCURRENCY);
  const bucket = 'bench-small';
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const body = randomBytes(SMALL_SIZE);
  let errors = 0;
  const run = async (fn: (w: number, i: number) => Promise<unknown>) => {
    // A short warm-up opens the connections before the clock starts.
    await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => fn(w, -1).catch(() => errors++)));
    const latencies: number[] = [];
    const done: number[] = [];
    const until = performance.now() + SMALL_SECONDS * 1000;
    const t0 = performance.now();
    const cpu0 = cpuSeconds(pid);
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, w) => {
        let i = 0;
        while (performance.now() < until) {
          const s = performance.now();
          try {
            await fn(w, i++);
            latencies.push(performance.now() - s);
          } catch {
            errors++;
          }
        }
        done[w] = i;
      }),
    );
    const cpu = ((cpuSeconds(pid) - cpu0) * 1000) / latencies.length;
    return { rate: latencies.length / ((performance.now() - t0) / 1000), latencies, done, cpu };
  };
  const puts = await run((w, i) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: `o/${w}/${i}`, Body: body })));
  const gets = await run(async (w, i) => {
    const n = puts.done[w]!;
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `o/${w}/${n > 0 ? i % n : -1}` }));
    if ((await drain(got.Body as AsyncIterable<Uint8Array>)) !== SMALL_SIZE) throw new Error('short GetObject');
  });
  s3.destroy();
  return {
    name,
    put: puts.rate,
    get: gets.rate,
    putP50: percentile(puts.latencies, 50),
    putP99: percentile(puts.latencies, 99),
    getP50: percentile(gets.latencies, 50),
    getP99: percentile(gets.latencies, 99),
    putCpu: puts.cpu,
    getCpu: gets.cpu,
    errors,
  };
}

/** 1 KB PUTs of PUT_KEYS fresh keys, then GETs of GET_KEYS existing ones, through wrk. */
async function wrkSmall(name: string, url: string, creds: Creds, pid: number): Promise<SmallResult> {
  const u = new URL(url);
  const bucket = 'bench-wrk';
  const s3 = sdk(url, creds, CONCURRENCY);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  // Printable bytes: the Lua script carries the requests as string literals.
  const body = randomBytes(SMALL_SIZE).toString('base64').slice(0, SMALL_SIZE);
  for (let i = 0; i < GET_KEYS; i += CONCURRENCY) {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, GET_KEYS - i) }, (_, j) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: `g/${i + j}`, Body: body }))));
  }
  s3.destroy();
  const puts: string[] = [];
  for (let i = 0; i < PUT_KEYS; i++) puts.push(await rawRequest(u, creds, 'PUT', `/${bucket}/p/${i}`, body));
  const gets: string[] = [];
  for (let i = 0; i < GET_KEYS; i++) gets.push(await rawRequest(u, creds, 'GET', `/${bucket}/g/${i}`));
  const put = await wrkRun(url, puts, pid, { connections: CONCURRENCY, seconds: SMALL_SECONDS });
  const get = await wrkRun(url, gets, pid, { connections: CONCURRENCY, seconds: SMALL_SECONDS });
  return { name, put: put.rps, get: get.rps, putP50: put.p50, putP99: put.p99, getP50: get.p50, getP99: get.p99, putCpu: put.cpu, getCpu: get.cpu, errors: put.errors + get.errors };
}

const f0 = (v: number) => Math.round(v).toString();
const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
const pct = (a: number, b: number) => `${Math.round((100 * a) / b)}%`;
const sizeLabel = (n: number) => (n >= MB ? `${n / MB} MB` : `${n / 1024} KB`);

interface ServerRun {
  name: string;
  wrk: SmallResult;
  sdk: SmallResult;
}

async function bothClients(name: string, url: string, creds: Creds, pid: number): Promise<ServerRun> {
  return { name, wrk: await wrkSmall(name, url, creds, pid), sdk: await smallObjects(name, url, creds, pid) };
}

function smallTable(title: string, runs: ServerRun[], pick: (r: ServerRun) => SmallResult): string[] {
  const moto = pick(runs.find((r) => r.name === 'moto server')!);
  const s3rver = pick(runs.find((r) => r.name === 's3rver')!);
  return [
    title,
    '',
    '| server | PUT ops/s | PUT p50 ms | PUT p99 ms | server CPU ms/PUT | GET ops/s | GET p50 ms | GET p99 ms | server CPU ms/GET | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...runs
      .map(pick)
      .map((r) => `| ${r.name} | ${f0(r.put)} | ${f2(r.putP50)} | ${f2(r.putP99)} | ${f2(r.putCpu)} | ${f0(r.get)} | ${f2(r.getP50)} | ${f2(r.getP99)} | ${f2(r.getCpu)} | ${r.errors} |`),
    '',
    ...runs
      .map(pick)
      .filter((r) => r.name.startsWith('Stratus'))
      .map(
        (r) =>
          `- ${r.name}: PUT ${f2(r.put / moto.put)}× moto, ${f2(r.put / s3rver.put)}× s3rver (CPU per PUT ${f2(moto.putCpu / r.putCpu)}× less than moto); ` +
          `GET ${f2(r.get / moto.get)}× moto, ${f2(r.get / s3rver.get)}× s3rver (CPU per GET ${f2(moto.getCpu / r.getCpu)}× less than moto)`,
      ),
    '',
  ];
}

export async function benchS3(): Promise<string> {
  const loadBefore = loadavg()[0]!;
  const hashes = { md5: hashRate('md5'), sha256: hashRate('sha256') };
  const bw = await withStratus('full', benchBandwidth);
  const runs: ServerRun[] = [];
  runs.push(await withStratus('full', (s) => bothClients('Stratus (--durability full)', s.url, ROOT_KEY, s.child.pid!)));
  runs.push(await withStratus('normal', (s) => bothClients('Stratus (--durability normal)', s.url, ROOT_KEY, s.child.pid!)));
  runs.push(await withMoto((url, pid) => bothClients('moto server', url, { accessKeyId: 'testing', secretAccessKey: 'testing' }, pid)));
  runs.push(await withS3rver((url, pid) => bothClients('s3rver', url, { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, pid)));

  const lines = [
    `${cpus().length} CPUs; 1-minute load average ${loadBefore.toFixed(1)} before the run and ${loadavg()[0]!.toFixed(1)} after it (other work on the machine slows every server alike).`,
    '',
    `### Bandwidth (MB/s, one request at a time, best of ${ROUNDS} rounds of ~${VOLUME / MB} MB each)`,
    '',
    "- disk: each object written to its own file in the data directory's filesystem and fsynced; read back with read(2) into a 1 MiB buffer (page cache warm, as for the servers).",
    '- bare node:http: the least an object server in Node.js does (MD5 for the ETag, temp file, fsync, rename; GET streams the file), no auth: the ceiling for Stratus here.',
    '- Stratus raw: signed node:http with UNSIGNED-PAYLOAD (presigned-URL and curl --aws-sigv4 clients); Stratus SDK: @aws-sdk/client-s3 v3 defaults (a Buffer body: payload SHA-256 signed, which the server verifies, plus a CRC32 header). --durability full.',
    `- one core hashes MD5 at ${f0(hashes.md5)} MB/s and SHA-256 at ${f0(hashes.sha256)} MB/s on this machine.`,
    '',
    '| object | op | n | disk | bare node:http | Stratus raw | Stratus SDK | raw / disk | raw / bare |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...bw.flatMap((r) => [
      `| ${sizeLabel(r.size)} | PUT | ${r.count} | ${f0(r.diskWrite)} | ${f0(r.barePut)} | ${f0(r.rawPut)} | ${f0(r.sdkPut)} | ${pct(r.rawPut, r.diskWrite)} | ${pct(r.rawPut, r.barePut)} |`,
      `| ${sizeLabel(r.size)} | GET | ${r.count} | ${f0(r.diskRead)} | ${f0(r.bareGet)} | ${f0(r.rawGet)} | ${f0(r.sdkGet)} | ${pct(r.rawGet, r.diskRead)} | ${pct(r.rawGet, r.bareGet)} |`,
    ]),
    '',
    ...smallTable(
      `### Small objects, wrk (${SMALL_SIZE} B; wrk -t1 -c${CONCURRENCY}, ${SMALL_SECONDS} s per phase, cycling through ${PUT_KEYS} pre-signed PUTs of fresh keys / ${GET_KEYS} GETs)`,
      runs,
      (r) => r.wrk,
    ),
    ...smallTable(`### Small objects, @aws-sdk/client-s3 v3 (${SMALL_SIZE} B, ${CONCURRENCY} concurrent requests from one Node.js process, ${SMALL_SECONDS} s per phase)`, runs, (r) => r.sdk),
  ];
  return lines.join('\n');
}

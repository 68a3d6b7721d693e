/**
 * The edge's cost: signed sts:GetCallerIdentity requests per second against
 * Stratus, against a bare node:http server that answers the same bytes, and
 * against moto's server, with the same load generator (wrk, in its own
 * process; Debian package `wrk`). Stratus and the bare server run side by
 * side and are measured in alternating rounds (Stratus, bare, Stratus,
 * bare...) after an unmeasured warm-up of each (so both run optimised code),
 * so a machine whose load drifts during the run weighs on both alike; each
 * side's figure is its median round.
 *
 * A SigV4 signature has no nonce, so one signed request can be replayed for
 * the whole measurement (it stays within the 15-minute skew window); every
 * replay is fully verified by Stratus.
 *
 * BENCH_PIN=1 pins wrk to the last CPU and each server (all its threads) to
 * the others, the same for every target.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { freePort, NodeSha256, removeDir, ROOT_KEY, startChildServer, tempDir } from '../test/harness.js';
import { wrk } from './functions-client.js';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const THREADS = Number(process.env.BENCH_THREADS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const PIN = process.env.BENCH_PIN === '1' && availableParallelism() > 1;
const WRK_CPUS = PIN ? String(availableParallelism() - 1) : undefined;
const SERVER_CPUS = PIN ? (availableParallelism() === 2 ? '0' : `0-${availableParallelism() - 2}`) : undefined;
const BODY = 'Action=GetCallerIdentity&Version=2011-06-15';

interface Result {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

async function signedHeaders(url: string): Promise<Record<string, string>> {
  const u = new URL(url);
  const signer = new SignatureV4({ service: 'sts', region: 'us-east-1', credentials: ROOT_KEY, sha256: NodeSha256 });
  const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: '/', headers: { host: u.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: BODY });
  return signed.headers as Record<string, string>;
}

/**
 * wrk (C, its own process) against one server. wrk copes with servers that
 * close each connection (moto's werkzeug does), which Node load generators
 * handle badly, so all three servers meet the same, fair client.
 */
async function load(name: string, url: string, headers: Record<string, string>): Promise<Result> {
  const r = await wrk(url, '/', headers, BODY, { threads: THREADS, connections: CONNECTIONS, seconds: DURATION, cpus: WRK_CPUS });
  return { name, rps: r.rps, p50: r.p50, p99: r.p99, non2xx: r.errors };
}

/** The round with the median req/s, its errors replaced by all rounds' total. */
function median(rounds: Result[]): Result {
  const sorted = [...rounds].sort((a, b) => a.rps - b.rps);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return { ...mid, non2xx: rounds.reduce((n, r) => n + r.non2xx, 0) };
}

function pin(child: ChildProcess): void {
  if (SERVER_CPUS && child.pid) execFileSync('taskset', ['-a', '-p', '-c', SERVER_CPUS, String(child.pid)], { stdio: 'ignore' });
}

/** CPU time (clock ticks) a process has used, or undefined where /proc cannot tell. */
function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

function liveChildren(pid: number): number {
  try {
    let n = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) n += readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).length;
    return n;
  } catch {
    return 0;
  }
}

/**
 * Waits until start-up work (runtime probes, linking host SDKs for functions)
 * is over: no child processes and under 5 % of a CPU for a second, at least
 * 2 s after start, at most 60 s. Without /proc, a fixed 4 s.
 */
async function settle(pid: number): Promise<void> {
  const started = Date.now();
  const first = cpuTicks(pid);
  if (first === undefined) return sleep(4000);
  let previous: number = first;
  let quiet = 0;
  while (Date.now() - started < 60_000) {
    await sleep(500);
    const now: number = cpuTicks(pid) ?? previous;
    const busy = now - previous;
    previous = now;
    // Clock ticks are 10 ms: at most 2 in 500 ms is under 5 %.
    quiet = busy <= 2 && liveChildren(pid) === 0 ? quiet + 1 : 0;
    if (quiet >= 2 && Date.now() - started >= 2000) return;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(url: string, init?: RequestInit): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await fetch(url, init).then((r) => r.status < 500, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}

function stop(child: ChildProcess): void {
  if (child.exitCode === null) child.kill('SIGKILL');
}

export async function benchEdge(): Promise<string> {
  const dataDir = tempDir();
  // The edge alone: no pre-spawned function runtimes competing for the cores.
  const stratus = await startChildServer(['--data-dir', dataDir, '--no-profile', '--log-level', 'error', '--runtime-pool-size', '0', '--root-access-key-id', ROOT_KEY.accessKeyId, '--root-secret-access-key', ROOT_KEY.secretAccessKey]);
  const barePort = await freePort();
  const bareDir = tempDir();
  let bare: ChildProcess | undefined;
  const stratusRounds: Result[] = [];
  const bareRounds: Result[] = [];
  try {
    pin(stratus.child);
    await settle(stratus.child.pid!);
    const headers = await signedHeaders(stratus.url);
    const sample = await fetch(stratus.url, { method: 'POST', headers, body: BODY });
    const sampleBody = await sample.text();
    if (sample.status !== 200) throw new Error(`Stratus answered ${sample.status}: ${sampleBody}`);

    // The same bytes from a server that does nothing else.
    const bareFile = join(bareDir, 'bare.cjs');
    writeFileSync(bareFile, `
      const body = Buffer.from(${JSON.stringify(sampleBody)});
      require('node:http').createServer({ keepAlive: true }, (req, res) => {
        req.resume();
        req.on('end', () => { res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': 'c6104cbe-af31-11e0-8154-cbc7ccf896c7', 'content-length': body.length }); res.end(body); });
      }).listen(${barePort}, '127.0.0.1');`);
    bare = spawn(process.execPath, [bareFile], { stdio: 'ignore' });
    pin(bare);
    await waitFor(`http://127.0.0.1:${barePort}/`);
    const bareHeaders = await signedHeaders(`http://127.0.0.1:${barePort}`);

    // Unmeasured warm-up: both servers reach their optimised code before the first round counts.
    await wrk(stratus.url, '/', headers, BODY, { threads: THREADS, connections: CONNECTIONS, seconds: WARMUP, cpus: WRK_CPUS });
    await wrk(`http://127.0.0.1:${barePort}`, '/', bareHeaders, BODY, { threads: THREADS, connections: CONNECTIONS, seconds: WARMUP, cpus: WRK_CPUS });
    for (let round = 0; round < ROUNDS; round++) {
      stratusRounds.push(await load('stratus', stratus.url, headers));
      bareRounds.push(await load('bare node:http', `http://127.0.0.1:${barePort}`, bareHeaders));
    }
  } finally {
    if (bare) stop(bare);
    await stratus.stop();
    removeDir(dataDir);
    removeDir(bareDir);
  }

  const results = [median(stratusRounds), median(bareRounds)];
  const motoPort = await freePort();
  const moto = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(motoPort)], { stdio: 'ignore' });
  try {
    pin(moto);
    await waitFor(`http://127.0.0.1:${motoPort}/moto-api/`);
    results.push(await load('moto server', `http://127.0.0.1:${motoPort}`, await signedHeaders(`http://127.0.0.1:${motoPort}`)));
  } finally {
    stop(moto);
  }

  const s = results[0]!;
  const pinned = PIN ? `, wrk pinned to CPU ${WRK_CPUS} and each server to CPU ${SERVER_CPUS}` : '';
  const lines = [
    `Signed sts:GetCallerIdentity, wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}s against each server; Stratus and bare node:http alternate for ${ROUNDS} rounds after a ${WARMUP} s warm-up each (median round shown), moto once${pinned}`,
    '',
    '| server | req/s | p50 ms | p99 ms | non-2xx |',
    '|---|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.name} | ${Math.round(r.rps)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.non2xx} |`),
    '',
    ...results.slice(1).map((r) => `- Stratus / ${r.name}: ${(s.rps / r.rps).toFixed(2)}×`),
    `- Stratus / bare node:http, round by round: ${stratusRounds.map((r, i) => `${Math.round(r.rps)}/${Math.round(bareRounds[i]!.rps)} = ${(r.rps / bareRounds[i]!.rps).toFixed(2)}`).join(', ')}`,
  ];
  return lines.join('\n');
}

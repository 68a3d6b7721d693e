/**
 * The edge's cost: signed sts:GetCallerIdentity requests per second against
 * Stratus, against a bare node:http server that answers the same bytes, and
 * against moto's server, measured one after another in the same run with the
 * same load generator (wrk, in its own process; Debian package `wrk`).
 *
 * A SigV4 signature has no nonce, so one signed request can be replayed for
 * the whole measurement (it stays within the 15-minute skew window); every
 * replay is fully verified by Stratus.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { freePort, NodeSha256, removeDir, ROOT_KEY, startChildServer, tempDir } from '../test/harness.js';
import { wrk } from './functions-client.js';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const THREADS = Number(process.env.BENCH_THREADS ?? 1);
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
  const r = await wrk(url, '/', headers, BODY, { threads: THREADS, connections: CONNECTIONS, seconds: DURATION });
  return { name, rps: r.rps, p50: r.p50, p99: r.p99, non2xx: r.errors };
}

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
  const results: Result[] = [];

  const dataDir = tempDir();
  // The edge alone: no pre-spawned function runtimes competing for the two cores.
  const stratus = await startChildServer(['--data-dir', dataDir, '--no-profile', '--log-level', 'error', '--runtime-pool-size', '0', '--root-access-key-id', ROOT_KEY.accessKeyId, '--root-secret-access-key', ROOT_KEY.secretAccessKey]);
  // Let start-up work (runtime probes, linking host SDKs for functions) finish first.
  await new Promise((r) => setTimeout(r, 4000));
  const headers = await signedHeaders(stratus.url);
  const sample = await fetch(stratus.url, { method: 'POST', headers, body: BODY });
  const sampleBody = await sample.text();
  if (sample.status !== 200) throw new Error(`Stratus answered ${sample.status}: ${sampleBody}`);
  results.push(await load('stratus', stratus.url, headers));
  await stratus.stop();
  removeDir(dataDir);

  // The same bytes from a server that does nothing else.
  const barePort = await freePort();
  const bareFile = join(tempDir(), 'bare.cjs');
  writeFileSync(bareFile, `
    const body = Buffer.from(${JSON.stringify(sampleBody)});
    require('node:http').createServer({ keepAlive: true }, (req, res) => {
      req.resume();
      req.on('end', () => { res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': 'c6104cbe-af31-11e0-8154-cbc7ccf896c7', 'content-length': body.length }); res.end(body); });
    }).listen(${barePort}, '127.0.0.1');`);
  const bare = spawn(process.execPath, [bareFile], { stdio: 'ignore' });
  await waitFor(`http://127.0.0.1:${barePort}/`);
  results.push(await load('bare node:http', `http://127.0.0.1:${barePort}`, await signedHeaders(`http://127.0.0.1:${barePort}`)));
  stop(bare);

  const motoPort = await freePort();
  const moto = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(motoPort)], { stdio: 'ignore' });
  try {
    await waitFor(`http://127.0.0.1:${motoPort}/moto-api/`);
    results.push(await load('moto server', `http://127.0.0.1:${motoPort}`, await signedHeaders(`http://127.0.0.1:${motoPort}`)));
  } finally {
    stop(moto);
  }

  const s = results[0]!;
  const lines = [
    `Signed sts:GetCallerIdentity, wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}s against each server in turn`,
    '',
    '| server | req/s | p50 ms | p99 ms | non-2xx |',
    '|---|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.name} | ${Math.round(r.rps)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.non2xx} |`),
    '',
    ...results.slice(1).map((r) => `- Stratus / ${r.name}: ${(s.rps / r.rps).toFixed(2)}×`),
  ];
  return lines.join('\n');
}

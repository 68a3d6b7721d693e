/**
 * The edge's cost: signed sts:GetCallerIdentity requests per second against
 * Stratus, against a bare node:http server that answers the same bytes, and
 * against moto's server, measured one after another in the same run with the
 * same load generator (autocannon, in its own process).
 *
 * A SigV4 signature has no nonce, so one signed request can be replayed for
 * the whole measurement (it stays within the 15-minute skew window); every
 * replay is fully verified by Stratus.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { freePort, NodeSha256, REPO, removeDir, ROOT_KEY, startChildServer, tempDir } from '../test/harness.js';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
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

/** Runs autocannon in a child process so the load generator never shares an event loop with a server. */
async function load(name: string, url: string, headers: Record<string, string>): Promise<Result> {
  const script = `
    const autocannon = require('autocannon');
    autocannon(${JSON.stringify({ url, method: 'POST', headers, body: BODY, connections: CONNECTIONS, duration: DURATION })}, (err, r) => {
      if (err) { console.error(err); process.exit(1); }
      console.log(JSON.stringify({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx + r.errors }));
    });`;
  const child = spawn(process.execPath, ['-e', script], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await once(child, 'exit');
  return { name, ...(JSON.parse(out.trim().split('\n').pop()!) as Omit<Result, 'name'>) };
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
  const stratus = await startChildServer(['--data-dir', dataDir, '--no-profile', '--log-level', 'error', '--root-access-key-id', ROOT_KEY.accessKeyId, '--root-secret-access-key', ROOT_KEY.secretAccessKey]);
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
    `Signed sts:GetCallerIdentity, ${CONNECTIONS} connections, ${DURATION}s each, autocannon in its own process`,
    '',
    '| server | req/s | p50 ms | p99 ms | non-2xx |',
    '|---|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.non2xx} |`),
    '',
    ...results.slice(1).map((r) => `- Stratus / ${r.name}: ${(s.rps / r.rps).toFixed(2)}×`),
  ];
  return lines.join('\n');
}

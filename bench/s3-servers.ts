/**
 * The servers and clients of bench/s3.ts: Stratus (the real CLI), moto's server, s3rver
 * and a bare node:http object server, each in its own process; raw SigV4 requests over
 * node:http and through wrk; per-process CPU time from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { freePort, NodeSha256, removeDir, REPO, ROOT_KEY, startChildServer, tempDir, type ChildServer } from '../test/harness.js';

export type Creds = { accessKeyId: string; secretAccessKey: string };

export function sdk(url: string, creds: Creds, sockets: number): S3Client {
  return new S3Client({
    endpoint: url,
    region: 'us-east-1',
    credentials: creds,
    forcePathStyle: true,
    maxAttempts: 1,
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: sockets }), requestTimeout: 0 },
  });
}

export async function drain(body: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const chunk of body) n += chunk.length;
  return n;
}

/** Raw SigV4 over node:http with UNSIGNED-PAYLOAD: the client does no hashing of the body. */
export class RawClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: ROOT_KEY, sha256: NodeSha256 });
  constructor(private readonly url: URL) {}

  private async send(method: string, path: string, body?: Buffer): Promise<number> {
    const headers: Record<string, string> = { host: this.url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
    if (body) headers['content-length'] = String(body.length);
    const signed = await this.signer.sign({ method, protocol: 'http:', hostname: this.url.hostname, port: Number(this.url.port), path, headers });
    return new Promise((resolve, reject) => {
      const req = request({ host: this.url.hostname, port: this.url.port, method, path, headers: signed.headers, agent: this.agent }, (res) => {
        let n = 0;
        res.on('data', (c: Buffer) => (n += c.length));
        res.on('error', reject);
        res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`${method} ${path}: ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  put(path: string, body: Buffer): Promise<number> {
    return this.send('PUT', path, body);
  }
  get(path: string): Promise<number> {
    return this.send('GET', path);
  }
}

/**
 * The least a Node.js HTTP object server must do, as a ceiling for Stratus on this
 * machine: PUT streams the body through MD5 (the ETag) into a temp file, fsyncs and
 * renames it; GET streams the file back. No auth, no metadata, no checksums.
 */
const BARE_SERVER = `
const { createServer } = require('node:http');
const { createHash } = require('node:crypto');
const { createReadStream } = require('node:fs');
const { open, rename, stat } = require('node:fs/promises');
const { join } = require('node:path');
const [dir, port] = process.argv.slice(2);
let n = 0;
createServer({ keepAlive: true }, async (req, res) => {
  const file = join(dir, encodeURIComponent(req.url));
  try {
    if (req.method === 'PUT') {
      const tmp = file + '.' + n++;
      const fh = await open(tmp, 'w');
      const md5 = createHash('md5');
      for await (const chunk of req) {
        md5.update(chunk);
        await fh.write(chunk);
      }
      await fh.sync();
      await fh.close();
      await rename(tmp, file);
      res.writeHead(200, { etag: '"' + md5.digest('hex') + '"', 'content-length': 0 }).end();
    } else {
      const { size } = await stat(file);
      res.writeHead(200, { 'content-length': size });
      createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(res);
    }
  } catch (err) {
    res.writeHead(err.code === 'ENOENT' ? 404 : 500).end(String(err));
  }
}).listen(Number(port), '127.0.0.1');
`;

export async function withBare<T>(dir: string, fn: (url: string) => Promise<T>): Promise<T> {
  const port = await freePort();
  const script = join(dir, 'bare-s3.cjs');
  writeFileSync(script, BARE_SERVER);
  const child = spawn(process.execPath, [script, dir, String(port)], { stdio: 'ignore' });
  try {
    await waitFor(`http://127.0.0.1:${port}/`);
    return await fn(`http://127.0.0.1:${port}`);
  } finally {
    await stop(child);
  }
}

/** CPU seconds a process has used (user + system), from /proc; NaN where there is no /proc. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

export interface WrkRun {
  rps: number;
  /** Server CPU per request, ms. */
  cpu: number;
  p50: number;
  p99: number;
  errors: number;
}

/** A SigV4-signed request as raw HTTP/1.1 text, with the payload's SHA-256 signed as the SDKs do. */
export async function rawRequest(url: URL, creds: Creds, method: string, path: string, body = ''): Promise<string> {
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: creds, sha256: NodeSha256 });
  const headers: Record<string, string> = { host: url.host, 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex') };
  if (method === 'PUT') {
    headers['content-length'] = String(Buffer.byteLength(body));
    headers['content-type'] = 'application/octet-stream';
  }
  const signed = await signer.sign({ method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, headers, body });
  const lines = [`${method} ${path} HTTP/1.1`, ...Object.entries(signed.headers).map(([k, v]) => `${k}: ${v}`)];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/**
 * wrk (C, its own process, one thread) cycling through pre-signed requests: a client
 * that costs next to nothing, so the servers' own capacity shows. Every 2xx counts; any
 * other status or socket error is an error.
 */
export async function wrkRun(url: string, requests: string[], pid: number, opts: { connections: number; seconds: number }): Promise<WrkRun> {
  const dir = tempDir('stratus-bench-s3-wrk-');
  const script = join(dir, 'requests.lua');
  const lua = [
    'local reqs = {',
    ...requests.map((r) => `${JSON.stringify(r)},`),
    '}',
    'local i = 0',
    'request = function()',
    '  i = i + 1',
    '  if i > #reqs then i = 1 end',
    '  return reqs[i]',
    'end',
    `done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d\\n", summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end`,
  ];
  writeFileSync(script, lua.join('\n'));
  const child = spawn('wrk', ['-t', '1', '-c', String(opts.connections), '-d', `${opts.seconds}s`, '--timeout', '10s', '-s', script, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const cpu0 = cpuSeconds(pid);
  await once(child, 'exit');
  const cpu1 = cpuSeconds(pid);
  removeDir(dir);
  const m = /RESULT (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(out);
  if (!m) throw new Error(`wrk printed no result:\n${out}`);
  const [count, durationUs, p50Us, p99Us, errors] = m.slice(1).map(Number) as [number, number, number, number, number];
  return { rps: count / (durationUs / 1e6), cpu: ((cpu1 - cpu0) * 1000) / count, p50: p50Us / 1000, p99: p99Us / 1000, errors };
}

export async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await fetch(url).then((r) => r.status < 500, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGKILL');
  return exited;
}

const stratusArgs = (dataDir: string, durability: string) => ['--data-dir', dataDir, '--no-profile', '--log-level', 'error', '--runtime-pool-size', '0', '--durability', durability, '--root-access-key-id', ROOT_KEY.accessKeyId, '--root-secret-access-key', ROOT_KEY.secretAccessKey];

export async function withStratus<T>(durability: string, fn: (server: ChildServer, dataDir: string) => Promise<T>): Promise<T> {
  const dataDir = tempDir('stratus-bench-s3-');
  const server = await startChildServer(stratusArgs(dataDir, durability));
  // Let start-up work (runtime probes, linking host SDKs for functions) finish first, as bench/edge.ts does.
  await new Promise((r) => setTimeout(r, 5000));
  try {
    return await fn(server, dataDir);
  } finally {
    await server.stop();
    removeDir(dataDir);
  }
}

export async function withMoto<T>(fn: (url: string, pid: number) => Promise<T>): Promise<T> {
  const port = await freePort();
  const moto = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  try {
    await waitFor(`http://127.0.0.1:${port}/moto-api/`);
    return await fn(`http://127.0.0.1:${port}`, moto.pid!);
  } finally {
    await stop(moto);
  }
}

/** s3rver in its own process, like the other two servers (in-process it would share the client's event loop). */
export async function withS3rver<T>(fn: (url: string, pid: number) => Promise<T>): Promise<T> {
  const port = await freePort();
  const dir = tempDir('s3rver-bench-');
  const script = `const S3rver = require('s3rver'); new S3rver({ port: ${port}, address: '127.0.0.1', directory: ${JSON.stringify(dir)}, silent: true }).run();`;
  const child = spawn(process.execPath, ['-e', script], { cwd: REPO, stdio: 'ignore' });
  try {
    await waitFor(`http://127.0.0.1:${port}/`);
    return await fn(`http://127.0.0.1:${port}`, child.pid!);
  } finally {
    await stop(child);
    removeDir(dir);
  }
}

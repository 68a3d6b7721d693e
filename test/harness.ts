/**
 * Starts real Stratus servers for end-to-end tests: in-process for speed, or
 * as a child process (the real CLI) when a test needs to kill it or read its
 * output. Each gets its own temporary data directory and root keys.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/core/config.js';
import { startStratus, type RunningStratus, type StratusOverrides } from '../src/server/index.js';

export const ROOT_KEY = { accessKeyId: 'AKIASTRATUSROOTTEST1', secretAccessKey: 'stratus-root-secret-for-tests-0000000000' };
export const ACCOUNT = '123456789012';
export const REPO = new URL('..', import.meta.url).pathname;

export function tempDir(prefix = 'stratus-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TestServer {
  url: string;
  port: number;
  dataDir: string;
  root: { accessKeyId: string; secretAccessKey: string };
  stratus: RunningStratus;
  close(): Promise<void>;
}

/** An in-process Stratus on a free port with fixed root keys. */
export async function startTestServer(args: string[] = [], overrides: StratusOverrides = {}): Promise<TestServer> {
  const dataDir = tempDir();
  const { config } = loadConfig(
    ['--port', '0', '--data-dir', dataDir, '--account-id', ACCOUNT, '--no-profile', '--log-level', 'silent', '--durability', 'normal', '--root-access-key-id', ROOT_KEY.accessKeyId, '--root-secret-access-key', ROOT_KEY.secretAccessKey, ...args],
    {},
  );
  const stratus = await startStratus(config, undefined, overrides);
  return {
    url: stratus.url,
    port: stratus.port,
    dataDir,
    root: ROOT_KEY,
    stratus,
    async close() {
      await stratus.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** SDK v3 client options for a server, with the given keys (root by default). */
export function clientConfig(server: { url: string }, creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = ROOT_KEY) {
  return { endpoint: server.url, region: 'us-east-1', credentials: creds, forcePathStyle: true, maxAttempts: 1 } as const;
}

export interface ChildServer {
  url: string;
  port: number;
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The real CLI in a child process (`stratus start ...`), resolved once /_stratus/health answers 200. */
export async function startChildServer(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 20_000): Promise<ChildServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/bin.ts'), 'start', '--port', String(port), ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`stratus exited early (${child.exitCode}):\n${out}`);
    const ok = await fetch(`${url}/_stratus/health`).then((r) => r.status === 200, () => false);
    if (ok && out.includes('listening on')) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`stratus did not become ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    port,
    child,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** POST /_stratus/reset signed as the account root. */
export async function resetServer(server: { url: string }, creds: { accessKeyId: string; secretAccessKey: string } = ROOT_KEY): Promise<Response> {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const url = new URL('/_stratus/reset', server.url);
  const signer = new SignatureV4({ service: 'sts', region: 'us-east-1', credentials: creds, sha256: NodeSha256 });
  const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, headers: { host: url.host }, body: '' });
  return fetch(url, { method: 'POST', headers: signed.headers as Record<string, string>, body: '' });
}

/** A node:crypto-backed hash for @smithy/signature-v4 (it takes a constructor; an HMAC when given a secret). */
export class NodeSha256 {
  private readonly hash: import('node:crypto').Hash | import('node:crypto').Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret ? createHmac('sha256', toBytes(secret)) : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {}
}

function toBytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

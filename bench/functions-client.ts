/**
 * The client side of the function benchmarks: a Lambda Invoke
 * (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html) as raw SigV4-signed HTTP over
 * one keep-alive node:http connection, signed once per function and replayed (a SigV4 signature
 * has no nonce), so the client adds a loopback round trip and nothing else; the REPORT line of
 * the log tail (`X-Amz-Log-Result`) gives the engine's own Duration and Init Duration. Also the
 * set-up through the SDK (role, CreateFunction; not measured), a wrk runner that replays the same
 * signed request, and percentile helpers.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, GetFunctionConfigurationCommand, LambdaClient, type Runtime } from '@aws-sdk/client-lambda';
import { NodeSha256, removeDir, ROOT_KEY, tempDir } from '../test/harness.js';

export const EVENT = '{}';

export interface Invocation {
  status: number;
  /** Client-observed round trip, ms. */
  rttMs: number;
  /** REPORT Duration, when the log tail was asked for. */
  durationMs?: number;
  /** REPORT Init Duration (cold starts only). */
  initMs?: number;
  functionError?: string;
  body: string;
}

/** A pre-signed Invoke of one function, replayable until the signature's 15-minute window closes. */
export interface SignedInvoke {
  path: string;
  headers: Record<string, string>;
}

export async function signInvoke(baseUrl: string, name: string, tail: boolean): Promise<SignedInvoke> {
  const u = new URL(baseUrl);
  const path = `/2015-03-31/functions/${encodeURIComponent(name)}/invocations`;
  const headers: Record<string, string> = { host: u.host, 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' };
  if (tail) headers['x-amz-log-type'] = 'Tail';
  const signer = new SignatureV4({ service: 'lambda', region: 'us-east-1', credentials: ROOT_KEY, sha256: NodeSha256 });
  const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path, headers, body: EVENT });
  return { path, headers: signed.headers as Record<string, string> };
}

/** Sends signed invokes over keep-alive connections to one server. */
export class InvokeClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string, maxSockets = 64) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  invoke(signed: SignedInvoke): Promise<Invocation> {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = request({ host: this.host, port: this.port, method: 'POST', path: signed.path, headers: signed.headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const rttMs = performance.now() - t0;
          const out: Invocation = { status: res.statusCode ?? 0, rttMs, body: Buffer.concat(chunks).toString('utf8') };
          const tail = res.headers['x-amz-log-result'];
          if (typeof tail === 'string') {
            const log = Buffer.from(tail, 'base64').toString('utf8');
            const report = /REPORT RequestId:[^\n]*/.exec(log)?.[0] ?? '';
            const d = /\tDuration: ([\d.]+) ms/.exec(report);
            const i = /Init Duration: ([\d.]+) ms/.exec(report);
            if (d) out.durationMs = Number(d[1]);
            if (i) out.initMs = Number(i[1]);
          }
          const fe = res.headers['x-amz-function-error'];
          if (typeof fe === 'string') out.functionError = fe;
          resolve(out);
        });
      });
      req.on('error', reject);
      req.end(EVENT);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** An invocation that must have succeeded (a benchmark over failures measures nothing). */
export function ok(inv: Invocation, what: string): Invocation {
  if (inv.status !== 200 || inv.functionError) throw new Error(`${what}: HTTP ${inv.status} ${inv.functionError ?? ''} ${inv.body.slice(0, 300)}`);
  return inv;
}

export const ROLE_NAME = 'bench-fn-role';

/** SDK clients for set-up, and the execution role every benchmark function uses. */
export async function setUpAccount(baseUrl: string, accountId: string): Promise<{ lambda: LambdaClient; role: string }> {
  const cfg = { endpoint: baseUrl, region: 'us-east-1', credentials: ROOT_KEY, maxAttempts: 1 };
  const iam = new IAMClient(cfg);
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  await iam.send(new CreateRoleCommand({ RoleName: ROLE_NAME, AssumeRolePolicyDocument: trust }));
  iam.destroy();
  return { lambda: new LambdaClient(cfg), role: `arn:aws:iam::${accountId}:role/${ROLE_NAME}` };
}

/** Creates a function and waits until it is Active. */
export async function createFunction(lambda: LambdaClient, role: string, name: string, runtime: Runtime, zip: Buffer, handler: string): Promise<void> {
  await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: runtime, Handler: handler, Role: role, Code: { ZipFile: zip } }));
  for (let i = 0; i < 400; i++) {
    const c = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    if (c.State === 'Active') return;
    if (c.State === 'Failed') throw new Error(`${name} failed: ${c.StateReason}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${name} never became Active`);
}

/** Runs `fn` over `items` with at most `width` at a time. */
export async function inBatches<T, R>(items: T[], width: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[at]!;
}

export const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : '–');

export interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/**
 * wrk (its own process) replaying one signed POST; errors count non-2xx and socket errors.
 * `cpus` pins wrk to those CPUs (taskset's list syntax, e.g. "1").
 */
export async function wrk(url: string, path: string, headers: Record<string, string>, body: string, opts: { threads: number; connections: number; seconds: number; cpus?: string }): Promise<WrkResult> {
  const dir = tempDir('stratus-bench-');
  const script = join(dir, 'post.lua');
  const lua = [
    `wrk.method = "POST"`,
    `wrk.path = ${JSON.stringify(path)}`,
    `wrk.body = ${JSON.stringify(body)}`,
    ...Object.entries(headers)
      .filter(([k]) => k !== 'host')
      .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`),
    `done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d\\n", summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end`,
  ];
  writeFileSync(script, lua.join('\n'));
  const args = ['-t', String(opts.threads), '-c', String(opts.connections), '-d', `${opts.seconds}s`, '-s', script, url];
  const child = opts.cpus ? spawn('taskset', ['-c', opts.cpus, 'wrk', ...args], { stdio: ['ignore', 'pipe', 'inherit'] }) : spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await once(child, 'exit');
  removeDir(dir);
  const m = /RESULT (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(out);
  if (!m) throw new Error(`wrk printed no result:\n${out}`);
  const [requests, durationUs, p50Us, p99Us, errors] = m.slice(1).map(Number) as [number, number, number, number, number];
  return { rps: requests / (durationUs / 1e6), p50: p50Us / 1000, p99: p99Us / 1000, errors };
}

export const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

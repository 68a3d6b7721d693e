/**
 * An HTTP API in front of a warm no-op Node.js function, measured side by side in one run with
 * the same load generator (wrk, its own process) and the same request (`POST /` with `{}`):
 * Stratus (a child process, the CLI) at `<apiId>.execute-api.localhost:<port>`, a bare node:http
 * server answering `ok` (the floor: what any Node HTTP server costs), and the same handler behind
 * serverless-offline's `httpApi` event. The API is made by quick create (CreateApi with a Target:
 * a `$default` route, its Lambda proxy integration with payload format 2.0 and an auto-deployed
 * `$default` stage), and AddPermission lets apigateway.amazonaws.com invoke the function.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html#CreateApi
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { join } from 'node:path';
import { ApiGatewayV2Client, CreateApiCommand } from '@aws-sdk/client-apigatewayv2';
import { AddPermissionCommand } from '@aws-sdk/client-lambda';
import { makeZip } from '../test/clients/zip.js';
import { ACCOUNT, freePort, REPO, removeDir, ROOT_KEY, startChildServer, tempDir } from '../test/harness.js';
import { createFunction, ms, setUpAccount, wrk, type WrkResult } from './functions-client.js';
import { offlineUnavailable } from './functions-offline.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 4);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BODY = '{}';
const HANDLER = "export const handler = async () => ({ statusCode: 200, body: 'ok' });\n";

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
}

interface Row {
  name: string;
  result?: WrkResult;
  note?: string;
}

/** One request through plain node:http, to check a target answers 200 `ok` before it is loaded. */
function probe(t: Target): Promise<{ status: number; body: string }> {
  const u = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: Number(u.port), method: 'POST', path: '/', setHost: !t.headers.Host, headers: { 'content-type': 'application/json', ...t.headers } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(BODY);
  });
}

const run = (t: Target, seconds: number) => wrk(t.url, '/', { 'content-type': 'application/json', ...t.headers }, BODY, { threads: 1, connections: CONNECTIONS, seconds });

/** The round with the median req/s; its errors are all rounds' total. */
function median(rounds: WrkResult[]): WrkResult {
  const sorted = [...rounds].sort((a, b) => a.rps - b.rps);
  return { ...sorted[Math.floor((sorted.length - 1) / 2)]!, errors: rounds.reduce((n, r) => n + r.errors, 0) };
}

/** serverless-offline with the handler behind a catch-all `httpApi` event; resolves with its HTTP URL. */
async function startOfflineHttp(): Promise<{ url: string; version: string; stop(): Promise<void> }> {
  const dir = tempDir('stratus-bench-sls-http-');
  mkdirSync(join(dir, '.serverless'), { recursive: true });
  writeFileSync(
    join(dir, 'serverless.yml'),
    ['service: bench', "frameworkVersion: '3'", 'provider:', '  name: aws', '  runtime: nodejs20.x', '  region: us-east-1', 'functions:', '  noop:', '    handler: handler.handler', '    events:', "      - httpApi: '*'", 'plugins:', '  - serverless-offline', ''].join('\n'),
  );
  writeFileSync(join(dir, 'package.json'), '{"type":"module","private":true}');
  writeFileSync(join(dir, 'handler.js'), HANDLER);
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  const httpPort = await freePort();
  const lambdaPort = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(REPO, 'node_modules', 'serverless', 'bin', 'serverless.js'), 'offline', '--host', '127.0.0.1', '--httpPort', String(httpPort), '--lambdaPort', String(lambdaPort), '--noPrependStageInUrl'], {
    cwd: dir,
    // No network here: no telemetry, no update checks.
    env: { PATH: process.env.PATH, HOME: dir, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', SLS_DEPRECATION_DISABLE: '*', SLS_INTERACTIVE_SETUP_DISABLE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    removeDir(dir);
  };
  const deadline = Date.now() + 60_000;
  const ready = new RegExp(`Server ready: http://[^\\s]*:${httpPort}`);
  while (!ready.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`serverless offline did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const version = (pkg: string) => (JSON.parse(readFileSync(join(REPO, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  return { url: `http://127.0.0.1:${httpPort}`, version: `serverless ${version('serverless')}, serverless-offline ${version('serverless-offline')}`, stop };
}

export async function benchHttpApi(): Promise<string> {
  const dataDir = tempDir();
  const server = await startChildServer(['--data-dir', dataDir, '--no-profile', '--log-level', 'error', '--account-id', ACCOUNT, '--root-access-key-id', ROOT_KEY.accessKeyId, '--root-secret-access-key', ROOT_KEY.secretAccessKey]);
  const bare = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
  const barePort = (bare.address() as { port: number }).port;
  let offline: Awaited<ReturnType<typeof startOfflineHttp>> | undefined;
  const rows: Row[] = [];
  try {
    const { lambda, role } = await setUpAccount(server.url, ACCOUNT);
    await createFunction(lambda, role, 'http-noop', 'nodejs20.x', makeZip({ 'index.mjs': HANDLER }), 'index.handler');
    const apigw = new ApiGatewayV2Client({ endpoint: server.url, region: 'us-east-1', credentials: ROOT_KEY, maxAttempts: 1 });
    const fnArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:http-noop`;
    const api = await apigw.send(new CreateApiCommand({ Name: 'bench', ProtocolType: 'HTTP', Target: fnArn }));
    await lambda.send(new AddPermissionCommand({ FunctionName: 'http-noop', StatementId: 'apigw', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com', SourceArn: `arn:aws:execute-api:us-east-1:${ACCOUNT}:${api.ApiId}/*` }));
    apigw.destroy();
    lambda.destroy();

    const port = new URL(server.url).port;
    const targets: Target[] = [
      { name: 'Stratus HTTP API → Lambda', url: server.url, headers: { Host: `${api.ApiId}.execute-api.localhost:${port}` } },
      { name: 'bare node:http', url: `http://127.0.0.1:${barePort}`, headers: {} },
    ];
    const why = offlineUnavailable();
    if (why) rows.push({ name: 'serverless-offline httpApi', note: why });
    else {
      try {
        offline = await startOfflineHttp();
        targets.push({ name: `serverless-offline httpApi (${offline.version})`, url: offline.url, headers: {} });
      } catch (err) {
        rows.push({ name: 'serverless-offline httpApi', note: (err as Error).message.split('\n').slice(0, 3).join(' ') });
      }
    }
    for (const t of targets) {
      const p = await probe(t);
      if (p.status !== 200 || p.body !== 'ok') throw new Error(`${t.name} answered ${p.status} ${p.body.slice(0, 200)}`);
      // Warm: one environment per connection for Stratus, optimised code everywhere.
      await run(t, WARMUP_SECONDS);
    }
    // Alternating rounds, so drift in the machine's load weighs on every target alike.
    const results = new Map<string, WrkResult[]>(targets.map((t) => [t.name, []]));
    for (let round = 0; round < ROUNDS; round++) for (const t of targets) results.get(t.name)!.push(await run(t, SECONDS));
    rows.unshift(...targets.map((t) => ({ name: t.name, result: median(results.get(t.name)!) })));
  } finally {
    await offline?.stop();
    await new Promise((r) => bare.close(r));
    await server.stop();
    removeDir(dataDir);
  }

  const lines = [
    `\`POST /\` with \`{}\`, \`wrk -t1 -c${CONNECTIONS} -d${SECONDS}s\`, ${ROUNDS} alternating rounds after a ${WARMUP_SECONDS} s warm-up of each target; each row is its median round (errors: all rounds). Stratus: a quick-created HTTP API (\`$default\` route, payload format 2.0) to a warm no-op Node.js 20 function returning \`{ statusCode: 200, body: 'ok' }\`, addressed by Host \`<apiId>.execute-api.localhost\`.`,
    '',
    '| server | req/s | p50 ms | p99 ms | errors |',
    '|---|---:|---:|---:|---:|',
    ...rows.map((r) => (r.result ? `| ${r.name} | ${Math.round(r.result.rps)} | ${ms(r.result.p50)} | ${ms(r.result.p99)} | ${r.result.errors} |` : `| ${r.name} | – | – | – | not run: ${r.note} |`)),
    '',
  ];
  const [s, b, o] = rows;
  if (s?.result && b?.result) {
    const share = s.result.rps / b.result.rps;
    const added = s.result.p50 - b.result.p50;
    lines.push(`- Stratus / bare node:http throughput: ${(share * 100).toFixed(0)}% (goal ≥ 50%: ${share >= 0.5 ? 'met' : 'not met'})`);
    lines.push(`- Added p50 latency over bare node:http: ${ms(added)} ms (goal ≤ 1 ms: ${added <= 1 ? 'met' : 'not met'})`);
  }
  if (s?.result && o?.result) {
    const x = s.result.rps / o.result.rps;
    lines.push(`- Stratus / serverless-offline throughput: ${x.toFixed(2)}× (goal ≥ 5×: ${x >= 5 ? 'met' : 'not met'})`);
  }
  return lines.join('\n');
}

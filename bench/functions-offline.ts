/**
 * serverless-offline (npm `serverless@3` + `serverless-offline@13`, devDependencies) as the peer
 * for the function benchmarks: a minimal `serverless.yml` (provider aws, nodejs20.x, one
 * function) in a temporary directory, started with `serverless offline`, whose Lambda Invoke
 * endpoint (`POST /2015-03-31/functions/<service>-<stage>-<fn>/invocations`, the API of
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html) gets the same client as Stratus.
 * It ignores signatures, so the signed request is simply replayed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, REPO, removeDir, tempDir } from '../test/harness.js';

export interface OfflineServer {
  url: string;
  /** The function name its Invoke endpoint knows: `<service>-<stage>-<function>`. */
  functionName: string;
  version: string;
  stop(): Promise<void>;
}

const SERVERLESS_BIN = join(REPO, 'node_modules', 'serverless', 'bin', 'serverless.js');

/** Why serverless-offline cannot run here, or undefined when it is installed. */
export function offlineUnavailable(): string | undefined {
  if (!existsSync(SERVERLESS_BIN)) return 'serverless@3 is not installed (npm i -D serverless@3 serverless-offline@13)';
  if (!existsSync(join(REPO, 'node_modules', 'serverless-offline', 'package.json'))) return 'serverless-offline is not installed';
  return undefined;
}

/** Starts `serverless offline` on free ports with `handlerSource` as an ES module handler. */
export async function startOffline(handlerSource: string): Promise<OfflineServer> {
  const dir = tempDir('stratus-bench-sls-');
  mkdirSync(join(dir, '.serverless'), { recursive: true });
  writeFileSync(
    join(dir, 'serverless.yml'),
    ['service: bench', "frameworkVersion: '3'", 'provider:', '  name: aws', '  runtime: nodejs20.x', '  region: us-east-1', 'functions:', '  noop:', '    handler: handler.handler', 'plugins:', '  - serverless-offline', ''].join('\n'),
  );
  writeFileSync(join(dir, 'package.json'), '{"type":"module","private":true}');
  writeFileSync(join(dir, 'handler.js'), handlerSource);
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  const httpPort = await freePort();
  const lambdaPort = await freePort();
  const child: ChildProcess = spawn(process.execPath, [SERVERLESS_BIN, 'offline', '--host', '127.0.0.1', '--httpPort', String(httpPort), '--lambdaPort', String(lambdaPort), '--noPrependStageInUrl'], {
    cwd: dir,
    // Telemetry and update checks would try the network, which these machines do not have.
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
  const listening = new RegExp(`listening on http://[^\\s]*:${lambdaPort}`);
  while (!listening.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`serverless offline did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const version = (pkg: string) => (JSON.parse(readFileSync(join(REPO, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  return { url: `http://127.0.0.1:${lambdaPort}`, functionName: 'bench-dev-noop', version: `serverless ${version('serverless')}, serverless-offline ${version('serverless-offline')}`, stop };
}

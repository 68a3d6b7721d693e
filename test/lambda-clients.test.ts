/**
 * Every client does every step: the AWS CLI v1 and v2, SDK v3 and boto3 each
 * create a Node CommonJS, a Node ESM and a Python function from zips, invoke
 * them, then update one function's code and configuration and invoke it again.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, InvokeCommand, LambdaClient, UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand, waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2 } from '@aws-sdk/client-lambda';
import { ACCOUNT, clientConfig, REPO, startTestServer, tempDir, type TestServer } from './harness.js';
import { makeZip } from './clients/zip.js';

const run = promisify(execFile);
const ROLE = `arn:aws:iam::${ACCOUNT}:role/matrix-role`;

function functionsFor(prefix: string) {
  return [
    { name: `${prefix}-cjs`, runtime: 'nodejs20.x', handler: 'index.handler', zip: makeZip({ 'index.js': `exports.handler = async (e) => ({ kind: 'cjs', x: e.x, mode: process.env.MODE ?? 'initial' });` }) },
    { name: `${prefix}-esm`, runtime: 'nodejs20.x', handler: 'index.handler', zip: makeZip({ 'index.mjs': `export const handler = async (e) => ({ kind: 'esm', x: e.x });` }) },
    { name: `${prefix}-py`, runtime: 'python3.12', handler: 'app.handler', zip: makeZip({ 'app.py': `def handler(event, context):\n    return {'kind': 'python', 'x': event['x']}\n` }) },
  ];
}
const UPDATED_CODE = makeZip({ 'index.js': `exports.handler = async (e) => ({ kind: 'cjs-v2', x: e.x, mode: process.env.MODE ?? 'initial' });` });

function assertResults(prefix: string, out: Record<string, unknown>) {
  assert.deepEqual(out[`${prefix}-cjs`], { kind: 'cjs', x: 1, mode: 'initial' });
  assert.deepEqual(out[`${prefix}-esm`], { kind: 'esm', x: 1 });
  assert.deepEqual(out[`${prefix}-py`], { kind: 'python', x: 1 });
  assert.deepEqual(out.updated, { kind: 'cjs-v2', x: 1, mode: 'updated' });
}

describe('every client, every runtime', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await new IAMClient(clientConfig(server)).send(new CreateRoleCommand({ RoleName: 'matrix-role', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }));
  });
  after(async () => server.close());

  it('CreateFunction/Invoke/UpdateFunctionCode/UpdateFunctionConfiguration: SDK v3, Node CJS + ESM + Python', async () => {
    const lambda = new LambdaClient(clientConfig(server));
    const out: Record<string, unknown> = {};
    const call = async (name: string) => JSON.parse(Buffer.from((await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"x":1}') }))).Payload ?? []).toString());
    for (const f of functionsFor('sdk')) {
      await lambda.send(new CreateFunctionCommand({ FunctionName: f.name, Runtime: f.runtime as never, Handler: f.handler, Role: ROLE, Code: { ZipFile: f.zip } }));
      await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: f.name });
      out[f.name] = await call(f.name);
    }
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'sdk-cjs', ZipFile: UPDATED_CODE }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: 'sdk-cjs' });
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'sdk-cjs', Environment: { Variables: { MODE: 'updated' } } }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: 'sdk-cjs' });
    out.updated = await call('sdk-cjs');
    assertResults('sdk', out);
  });

  it('CreateFunction/Invoke/UpdateFunctionCode/UpdateFunctionConfiguration: boto3, Node CJS + ESM + Python', async () => {
    const spec = { role: ROLE, functions: functionsFor('boto').map((f) => ({ ...f, zip: f.zip.toString('base64') })), update: { name: 'boto-cjs', zip: UPDATED_CODE.toString('base64') } };
    const child = execFile('python3', [join(REPO, 'test/clients/lambda_matrix.py')], { env: { ...process.env, URL: server.url, AK: server.root.accessKeyId, SK: server.root.secretAccessKey } });
    child.stdin!.end(JSON.stringify(spec));
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    assert.equal(await new Promise((r) => child.on('exit', r)), 0, stderr);
    assertResults('boto', JSON.parse(stdout));
  });

  for (const cli of [
    { label: 'the pip AWS CLI v1', prefix: 'v1', bin: 'aws', base: () => [] as string[], payload: [] as string[], skip: false as string | false },
    { label: '/usr/bin/aws (Debian AWS CLI v2)', prefix: 'v2', bin: '/usr/bin/aws', base: () => ['--endpoint-url', server.url], payload: ['--cli-binary-format', 'raw-in-base64-out'], skip: existsSync('/usr/bin/aws') ? (false as const) : '/usr/bin/aws is not installed (.ci/run installs it)' },
  ]) {
    it(`CreateFunction/Invoke/UpdateFunctionCode/UpdateFunctionConfiguration: ${cli.label}, Node CJS + ESM + Python`, { skip: cli.skip }, async () => {
      const dir = tempDir();
      const env = { PATH: cli.bin === 'aws' ? process.env.PATH : '/usr/bin:/bin', HOME: dir, AWS_ACCESS_KEY_ID: server.root.accessKeyId, AWS_SECRET_ACCESS_KEY: server.root.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_ENDPOINT_URL: server.url, AWS_PAGER: '' };
      const aws = (args: string[]) => run(cli.bin, [...cli.base(), ...args, '--output', 'json'], { env, cwd: dir });
      const invoke = async (name: string) => {
        await aws(['lambda', 'invoke', '--function-name', name, ...cli.payload, '--payload', '{"x":1}', `${name}.out`]);
        const { readFileSync } = await import('node:fs');
        return JSON.parse(readFileSync(join(dir, `${name}.out`), 'utf8'));
      };
      const out: Record<string, unknown> = {};
      for (const f of functionsFor(cli.prefix)) {
        writeFileSync(join(dir, `${f.name}.zip`), f.zip);
        await aws(['lambda', 'create-function', '--function-name', f.name, '--runtime', f.runtime, '--handler', f.handler, '--role', ROLE, '--zip-file', `fileb://${f.name}.zip`]);
        await aws(['lambda', 'wait', 'function-active-v2', '--function-name', f.name]);
        out[f.name] = await invoke(f.name);
      }
      writeFileSync(join(dir, 'v2.zip'), UPDATED_CODE);
      await aws(['lambda', 'update-function-code', '--function-name', `${cli.prefix}-cjs`, '--zip-file', 'fileb://v2.zip']);
      await aws(['lambda', 'wait', 'function-updated-v2', '--function-name', `${cli.prefix}-cjs`]);
      await aws(['lambda', 'update-function-configuration', '--function-name', `${cli.prefix}-cjs`, '--environment', 'Variables={MODE=updated}']);
      await aws(['lambda', 'wait', 'function-updated-v2', '--function-name', `${cli.prefix}-cjs`]);
      out.updated = await invoke(`${cli.prefix}-cjs`);
      assertResults(cli.prefix, out);
    });
  }
});

/**
 * Functions end to end, as the acceptance asks: Node (CommonJS and
 * ESM) and Python functions created from zips with SDK v3, the AWS CLI v1 and
 * v2 and boto3; invoked, updated, versioned and aliased; their START/END/
 * REPORT lines read back through `aws logs`; a custom runtime in bash
 * against the documented Runtime API; and handlers whose SDK (boto3) reaches
 * Stratus as the execution role with no code change.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { ACCOUNT, clientConfig, startTestServer, tempDir, type TestServer } from './harness.js';
import { makeZip } from './clients/zip.js';

const run = promisify(execFile);
const ROLE = `arn:aws:iam::${ACCOUNT}:role/fn-role`;
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

const decode = (p: Uint8Array | undefined) => JSON.parse(Buffer.from(p ?? []).toString('utf8'));

describe('functions end to end', () => {
  let server: TestServer;
  let lambda: LambdaClient;
  let cliEnv: NodeJS.ProcessEnv;
  before(async () => {
    server = await startTestServer();
    lambda = new LambdaClient(clientConfig(server));
    const iam = new IAMClient(clientConfig(server));
    await iam.send(new CreateRoleCommand({ RoleName: 'fn-role', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'fn-role', PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }));
    cliEnv = { PATH: process.env.PATH, HOME: tempDir(), AWS_ACCESS_KEY_ID: server.root.accessKeyId, AWS_SECRET_ACCESS_KEY: server.root.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_ENDPOINT_URL: server.url, AWS_PAGER: '' };
  });
  after(async () => server.close());

  async function create(name: string, runtime: string, handler: string, files: Parameters<typeof makeZip>[0], extra: Record<string, unknown> = {}) {
    await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: runtime as never, Handler: handler, Role: ROLE, Code: { ZipFile: makeZip(files) }, ...extra }));
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: name });
  }

  it('CreateFunction/Invoke/UpdateFunctionCode/UpdateFunctionConfiguration: a Node CommonJS function with SDK v3', async () => {
    await create('node-cjs', 'nodejs20.x', 'index.handler', { 'index.js': `exports.handler = async (event, context) => ({ echo: event, name: context.functionName, greeting: process.env.GREETING ?? 'none' });` });
    const first = await lambda.send(new InvokeCommand({ FunctionName: 'node-cjs', Payload: Buffer.from(JSON.stringify({ a: 1 })) }));
    assert.equal(first.StatusCode, 200);
    assert.equal(first.FunctionError, undefined);
    assert.deepEqual(decode(first.Payload), { echo: { a: 1 }, name: 'node-cjs', greeting: 'none' });

    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'node-cjs', Environment: { Variables: { GREETING: 'bonjour' } } }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: 'node-cjs' });
    assert.equal(decode((await lambda.send(new InvokeCommand({ FunctionName: 'node-cjs', Payload: Buffer.from('{}') }))).Payload).greeting, 'bonjour');

    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'node-cjs', ZipFile: makeZip({ 'index.js': `exports.handler = async () => 'v2';` }) }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: 'node-cjs' });
    assert.equal(decode((await lambda.send(new InvokeCommand({ FunctionName: 'node-cjs' }))).Payload), 'v2');
  });

  it('CreateFunction/Invoke: a Node ESM function with the AWS CLI v1', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'fn.zip'), makeZip({ 'app.mjs': `export const handler = async (event) => ({ esm: true, got: event.x });` }));
    const aws = (args: string[]) => run('aws', [...args, '--output', 'json'], { env: cliEnv, cwd: dir });
    await aws(['lambda', 'create-function', '--function-name', 'node-esm', '--runtime', 'nodejs22.x', '--handler', 'app.handler', '--role', ROLE, '--zip-file', 'fileb://fn.zip']);
    await aws(['lambda', 'wait', 'function-active-v2', '--function-name', 'node-esm']);
    const { stdout } = await aws(['lambda', 'invoke', '--function-name', 'node-esm', '--payload', '{"x":42}', 'out.json']);
    assert.equal(JSON.parse(stdout).StatusCode, 200);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')), { esm: true, got: 42 });
  });

  it('CreateFunction/Invoke: a Python function with boto3, whose own boto3 reaches Stratus as the execution role', async () => {
    const code = `import boto3\ndef handler(event, context):\n    who = boto3.client('sts').get_caller_identity()\n    return {'arn': who['Arn'], 'name': context.function_name, 'remaining': context.get_remaining_time_in_millis() > 0}\n`;
    const script = `
import base64, boto3, json, os, sys
c = boto3.client('lambda', endpoint_url=os.environ['URL'], region_name='us-east-1', aws_access_key_id=os.environ['AK'], aws_secret_access_key=os.environ['SK'])
c.create_function(FunctionName='py-fn', Runtime='python3.11', Handler='main.handler', Role=os.environ['ROLE'], Code={'ZipFile': base64.b64decode(sys.stdin.read())})
c.get_waiter('function_active_v2').wait(FunctionName='py-fn')
r = c.invoke(FunctionName='py-fn', Payload=b'{}')
print(json.dumps({'status': r['StatusCode'], 'error': r.get('FunctionError'), 'payload': json.loads(r['Payload'].read())}))
`;
    const child = execFile('python3', ['-c', script], { env: { ...process.env, URL: server.url, AK: server.root.accessKeyId, SK: server.root.secretAccessKey, ROLE } });
    child.stdin!.end(makeZip({ 'main.py': code }).toString('base64'));
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const exitCode = await new Promise((r) => child.on('exit', r));
    assert.equal(exitCode, 0, err);
    const result = JSON.parse(out);
    assert.equal(result.status, 200);
    assert.equal(result.error, null, JSON.stringify(result.payload));
    assert.equal(result.payload.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/fn-role/py-fn`);
    assert.equal(result.payload.name, 'py-fn');
    assert.equal(result.payload.remaining, true);
  });

  it('Invoke: a handler on the legacy aws-sdk v2 reaches Stratus, not AWS, as the execution role', async () => {
    await create('sdk-v2', 'nodejs20.x', 'index.handler', {
      'index.js': `const AWS = require('aws-sdk');\nexports.handler = async () => (await new AWS.STS().getCallerIdentity().promise()).Arn;`,
    }, { Timeout: 20 });
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'sdk-v2' }));
    assert.equal(r.FunctionError, undefined, Buffer.from(r.Payload ?? []).toString());
    assert.equal(decode(r.Payload), `arn:aws:sts::${ACCOUNT}:assumed-role/fn-role/sdk-v2`);
  });

  it('CreateFunction/Invoke: the same with /usr/bin/aws (Debian AWS CLI v2)', { skip: existsSync('/usr/bin/aws') ? false : '/usr/bin/aws is not installed (.ci/run installs it)' }, async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'fn.zip'), makeZip({ 'index.js': `exports.handler = (event, context, callback) => callback(null, { callback: true });` }));
    const env = { ...cliEnv, PATH: '/usr/bin:/bin' };
    const aws = (args: string[]) => run('/usr/bin/aws', ['--endpoint-url', server.url, ...args, '--output', 'json'], { env, cwd: dir });
    await aws(['lambda', 'create-function', '--function-name', 'cli-v2', '--runtime', 'nodejs20.x', '--handler', 'index.handler', '--role', ROLE, '--zip-file', 'fileb://fn.zip']);
    await aws(['lambda', 'wait', 'function-active-v2', '--function-name', 'cli-v2']);
    await aws(['lambda', 'invoke', '--function-name', 'cli-v2', '--cli-binary-format', 'raw-in-base64-out', '--payload', '{}', 'out.json']);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')), { callback: true });
  });

  it('Logs: START, END and REPORT lines in Lambda\'s format, read with `aws logs filter-log-events`', async () => {
    await create('logger', 'nodejs20.x', 'index.handler', { 'index.js': `exports.handler = async () => { console.log('hello from the function'); return 1; };` });
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'logger', LogType: 'Tail' }));
    const tail = Buffer.from(r.LogResult ?? '', 'base64').toString('utf8');
    assert.match(tail, /REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d{2} ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB/);
    let messages: string[] = [];
    for (let i = 0; i < 50 && !messages.some((m) => m.startsWith('REPORT')); i++) {
      const { stdout } = await run('aws', ['logs', 'filter-log-events', '--log-group-name', '/aws/lambda/logger', '--output', 'json'], { env: cliEnv });
      messages = (JSON.parse(stdout).events as { message: string }[]).map((e) => e.message);
      if (!messages.some((m) => m.startsWith('REPORT'))) await new Promise((res) => setTimeout(res, 100));
    }
    const id = /^START RequestId: ([0-9a-f-]{36}) Version: \$LATEST/.exec(messages.find((m) => m.startsWith('START')) ?? '')?.[1];
    assert.ok(id, messages.join('\n'));
    assert.ok(messages.some((m) => m.includes('hello from the function')), messages.join('\n'));
    assert.ok(messages.some((m) => m.startsWith(`END RequestId: ${id}`)));
    assert.ok(messages.some((m) => new RegExp(`^REPORT RequestId: ${id}\\tDuration: \\d+\\.\\d{2} ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d{2} ms`).test(m)), messages.join('\n'));
  });

  it('PublishVersion/CreateAlias: an alias runs the version it points at', async () => {
    await create('versioned', 'nodejs20.x', 'index.handler', { 'index.js': `exports.handler = async () => 'one';` });
    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: 'versioned' }));
    assert.equal(v1.Version, '1');
    await lambda.send(new CreateAliasCommand({ FunctionName: 'versioned', Name: 'live', FunctionVersion: '1' }));
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'versioned', ZipFile: makeZip({ 'index.js': `exports.handler = async () => 'two';` }) }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: 'versioned' });
    const live = await lambda.send(new InvokeCommand({ FunctionName: 'versioned', Qualifier: 'live' }));
    assert.equal(decode(live.Payload), 'one');
    assert.equal(live.ExecutedVersion, '1');
    const latest = await lambda.send(new InvokeCommand({ FunctionName: 'versioned' }));
    assert.equal(decode(latest.Payload), 'two');
    assert.equal(latest.ExecutedVersion, '$LATEST');
    assert.equal((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'versioned', Qualifier: '1' }))).Version, '1');
  });

  it('provided.al2023: a bash bootstrap written against the documented Runtime API serves invocations', async () => {
    const bootstrap = `#!/bin/bash
set -euo pipefail
API="http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  EVENT=$(curl -sS -LD "$HEADERS" "$API/invocation/next")
  ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  curl -sS -X POST "$API/invocation/$ID/response" -d "{\\"bash\\":true,\\"event\\":$EVENT}" > /dev/null
done
`;
    await create('bash-runtime', 'provided.al2023', 'unused.handler', { bootstrap: { content: bootstrap, mode: 0o755 } });
    for (const n of [1, 2]) {
      const r = await lambda.send(new InvokeCommand({ FunctionName: 'bash-runtime', Payload: Buffer.from(JSON.stringify({ n })) }));
      assert.equal(r.FunctionError, undefined, Buffer.from(r.Payload ?? []).toString());
      assert.deepEqual(decode(r.Payload), { bash: true, event: { n } });
    }
  });
});

/**
 * `stratus invoke` and `stratus logs` against a real server: the result, the
 * log tail and the function's log lines, read with the same credentials
 * discovery as the AWS CLI (here AWS_* variables).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { ACCOUNT, clientConfig, REPO, startTestServer, tempDir, type TestServer } from './harness.js';
import { makeZip } from './clients/zip.js';

const run = promisify(execFile);
const CLI = ['--import', 'tsx', join(REPO, 'src/cli/bin.ts')];

describe('stratus invoke and logs', () => {
  let server: TestServer;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    server = await startTestServer();
    const iam = new IAMClient(clientConfig(server));
    await iam.send(new CreateRoleCommand({ RoleName: 'cli-role', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'cli-role', PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }));
    const lambda = new LambdaClient(clientConfig(server));
    const code = `exports.handler = async (e) => { console.log('shouting', e.word); if (e.fail) throw new Error('asked to fail'); return { upper: String(e.word).toUpperCase() }; };`;
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'shout', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: `arn:aws:iam::${ACCOUNT}:role/cli-role`, Code: { ZipFile: makeZip({ 'index.js': code }) } }));
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: 'shout' });
    env = { PATH: process.env.PATH, HOME: tempDir(), AWS_ACCESS_KEY_ID: server.root.accessKeyId, AWS_SECRET_ACCESS_KEY: server.root.secretAccessKey, AWS_ENDPOINT_URL: server.url };
  });
  after(async () => server.close());

  it('invoke: prints the log tail, a success mark and the result', async () => {
    const { stdout } = await run(process.execPath, [...CLI, 'invoke', 'shout', '--payload', '{"word":"hello"}'], { env, cwd: REPO });
    assert.match(stdout, /shouting hello/);
    assert.match(stdout, /REPORT RequestId: /);
    assert.match(stdout, /✓ 200/);
    assert.match(stdout, /"upper": "HELLO"/);
  });

  it('invoke: a function error exits 1 and shows the error', async () => {
    await assert.rejects(run(process.execPath, [...CLI, 'invoke', 'shout', '--payload', '{"fail":true}'], { env, cwd: REPO }), (e: { code: number; stdout: string }) => {
      assert.equal(e.code, 1);
      assert.match(e.stdout, /Unhandled error/);
      assert.match(e.stdout, /asked to fail/);
      return true;
    });
  });

  it('logs: prints the function\'s START, output and REPORT lines', async () => {
    const { stdout } = await run(process.execPath, [...CLI, 'logs', 'shout', '--since', '1h'], { env, cwd: REPO });
    assert.match(stdout, /START RequestId: [0-9a-f-]{36} Version: \$LATEST/);
    assert.match(stdout, /shouting hello/);
    assert.match(stdout, /REPORT RequestId: /);
  });

  it('invoke: an unknown function is reported with Lambda\'s error', async () => {
    await assert.rejects(run(process.execPath, [...CLI, 'invoke', 'nope'], { env, cwd: REPO }), (e: { code: number; stdout: string }) => {
      assert.equal(e.code, 1);
      assert.match(e.stdout, /ResourceNotFoundException: Function not found/);
      return true;
    });
  });
});

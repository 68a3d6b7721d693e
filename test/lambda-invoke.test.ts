/**
 * Lambda's Invoke and resource policies end to end: what the API hands the
 * function engine (spec, qualifiers, client context, log tail) and returns
 * (status, headers, payload), its limits, DryRun, and a function policy that
 * lets a user with no identity policy invoke — checked with a stand-in
 * engine; then a real Node.js function through the real engine with the
 * SDK v3, the AWS CLI v1 (`--zip-file fileb://`) and boto3.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  AddPermissionCommand, CreateAliasCommand, CreateFunctionCommand, GetPolicyCommand, InvokeCommand, LambdaClient, PublishVersionCommand, RemovePermissionCommand,
  UpdateFunctionConfigurationCommand, waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { ACCOUNT, clientConfig, REPO, startTestServer, tempDir, removeDir, type TestServer } from './harness.js';
import { EchoEngine, nodeZip, startLambdaServer, trustPolicy } from './clients/lambda.js';

const run = promisify(execFile);
const ROLE = `arn:aws:iam::${ACCOUNT}:role/fn-role`;
const ARN = (name: string, q?: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}${q ? `:${q}` : ''}`;
const json = (p: Uint8Array | undefined) => JSON.parse(Buffer.from(p ?? []).toString('utf8')) as Record<string, unknown>;
type AwsError = Error & { $metadata: { httpStatusCode: number } };

async function setUp(server: TestServer): Promise<{ lambda: LambdaClient; iam: IAMClient }> {
  const iam = new IAMClient(clientConfig(server));
  await iam.send(new CreateRoleCommand({ RoleName: 'fn-role', AssumeRolePolicyDocument: trustPolicy('lambda.amazonaws.com') }));
  return { lambda: new LambdaClient(clientConfig(server)), iam };
}

async function createActive(lambda: LambdaClient, name: string, zip = nodeZip()): Promise<void> {
  await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zip } }));
  await new Promise((r) => setTimeout(r, 80));
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 20, minDelay: 1, maxDelay: 1 }, { FunctionName: name });
}

describe('lambda invoke (stand-in engine)', () => {
  let server: TestServer;
  let lambda: LambdaClient;
  let iam: IAMClient;
  const engine = new EchoEngine();

  before(async () => {
    server = await startLambdaServer(engine);
    ({ lambda, iam } = await setUp(server));
    await createActive(lambda, 'echo');
  });
  after(async () => server.close());

  it('Invoke: RequestResponse returns 200 with the payload, ExecutedVersion and the log tail', async () => {
    const clientContext = Buffer.from(JSON.stringify({ custom: { k: 'v' } })).toString('base64');
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"hello":"world"}'), LogType: 'Tail', ClientContext: clientContext }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.ExecutedVersion, '$LATEST');
    assert.equal(out.FunctionError, undefined);
    assert.deepEqual(json(out.Payload).echo, { hello: 'world' });
    assert.match(Buffer.from(out.LogResult!, 'base64').toString(), /^START RequestId: [0-9a-f-]{36}/);
    const req = engine.requests.at(-1)!;
    assert.equal(req.clientContext, clientContext);
    assert.equal(req.tailLog, true);
    assert.equal(req.invocationType, 'RequestResponse');
    assert.equal(req.invokedArn, ARN('echo'));
    assert.deepEqual([req.fn.functionArn, req.fn.version, req.fn.runtime, req.fn.handler, req.fn.memoryMb, req.fn.timeoutSeconds, req.fn.roleArn, req.fn.logGroup], [ARN('echo'), '$LATEST', 'nodejs20.x', 'index.handler', 128, 3, ROLE, '/aws/lambda/echo']);
    assert.match(req.fn.codeBlobKey, /^lambda\//);
  });

  it('Invoke: an empty payload is the event {}; a function error sets X-Amz-Function-Error', async () => {
    assert.deepEqual(json((await lambda.send(new InvokeCommand({ FunctionName: 'echo' }))).Payload).echo, {});
    const failed = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"fail":true}') }));
    assert.equal(failed.StatusCode, 200);
    assert.equal(failed.FunctionError, 'Unhandled');
    assert.equal(json(failed.Payload).errorMessage, 'asked to fail');
  });

  it('Invoke: versions and aliases resolve; the invoked ARN keeps the qualifier', async () => {
    await lambda.send(new PublishVersionCommand({ FunctionName: 'echo' }));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'echo', Environment: { Variables: { STAGE: 'two' } } }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 20, minDelay: 1, maxDelay: 1 }, { FunctionName: 'echo' });
    await lambda.send(new CreateAliasCommand({ FunctionName: 'echo', Name: 'live', FunctionVersion: '1' }));
    const viaAlias = await lambda.send(new InvokeCommand({ FunctionName: 'echo:live' }));
    assert.equal(viaAlias.ExecutedVersion, '1');
    assert.equal(engine.requests.at(-1)!.invokedArn, ARN('echo', 'live'));
    const latest = await lambda.send(new InvokeCommand({ FunctionName: 'echo' }));
    assert.deepEqual(json(latest.Payload).env, { STAGE: 'two' });
    assert.equal((await lambda.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: '1' }))).ExecutedVersion, '1');
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: '5' })), (e: AwsError) => e.name === 'ResourceNotFoundException' && e.message === `Function not found: ${ARN('echo', '5')}`);
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'ghost' })), (e: AwsError) => e.$metadata.httpStatusCode === 404 && e.message === `Function not found: ${ARN('ghost')}`);
  });

  it('Invoke: payload limits, malformed JSON, DryRun and Event (202)', async () => {
    const calls = engine.requests.length;
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.alloc(6 * 1024 * 1024 + 1, 0x20) })), (e: AwsError) => {
      assert.equal(e.name, 'RequestEntityTooLargeException');
      assert.equal(e.$metadata.httpStatusCode, 413);
      assert.equal(e.message, 'Request must be smaller than 6291456 bytes for the InvokeFunction operation');
      return true;
    });
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: Buffer.alloc(1024 * 1024 + 10, 0x20) })), (e: AwsError) => {
      assert.equal(e.$metadata.httpStatusCode, 413);
      assert.equal(e.message, '1048586 byte payload is too large for the Event invocation type (limit 1048576 bytes)');
      return true;
    });
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{not json') })), (e: AwsError) => e.name === 'InvalidRequestContentException' && e.$metadata.httpStatusCode === 400);
    const dry = await lambda.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun' }));
    assert.equal(dry.StatusCode, 204);
    assert.equal(engine.requests.length, calls, 'none of these reached the engine');
    // Event is queued and answered 202 with an empty body (test/lambda-async.test.ts covers the queue).
    const queued = await lambda.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: Buffer.from('{}') }));
    assert.equal(queued.StatusCode, 202);
    assert.equal(Buffer.from(queued.Payload ?? []).length, 0);
  });

  it('AddPermission/GetPolicy/RemovePermission: the function policy lets a user without identity policies invoke', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'bob' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'bob' }))).AccessKey!;
    const bob = new LambdaClient(clientConfig(server, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }));
    const denied = (e: AwsError) => {
      assert.equal(e.name, 'AccessDeniedException');
      assert.equal(e.$metadata.httpStatusCode, 403);
      assert.match(e.message, new RegExp(`user/bob is not authorized to perform: lambda:InvokeFunction on resource: ${ARN('echo').replace(/[$]/g, '\\$')}`));
      return true;
    };
    await assert.rejects(bob.send(new InvokeCommand({ FunctionName: 'echo' })), denied);
    await assert.rejects(lambda.send(new GetPolicyCommand({ FunctionName: 'echo' })), (e: AwsError) => e.name === 'ResourceNotFoundException' && e.message === 'The resource you requested does not exist.');

    const bobArn = `arn:aws:iam::${ACCOUNT}:user/bob`;
    const added = await lambda.send(new AddPermissionCommand({ FunctionName: 'echo', StatementId: 'bob-invokes', Action: 'lambda:InvokeFunction', Principal: bobArn }));
    assert.deepEqual(JSON.parse(added.Statement!), { Sid: 'bob-invokes', Effect: 'Allow', Principal: { AWS: bobArn }, Action: 'lambda:InvokeFunction', Resource: ARN('echo') });
    await lambda.send(new AddPermissionCommand({ FunctionName: 'echo', StatementId: 's3', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceArn: 'arn:aws:s3:::bucket', SourceAccount: ACCOUNT }));
    await assert.rejects(
      lambda.send(new AddPermissionCommand({ FunctionName: 'echo', StatementId: 's3', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com' })),
      (e: AwsError) => e.name === 'ResourceConflictException' && e.message === 'The statement id (s3) provided already exists. Please provide a new statement id, or remove the existing statement.',
    );
    await assert.rejects(
      lambda.send(new AddPermissionCommand({ FunctionName: 'echo', StatementId: 'x', Action: 'lambda:InvokeFunction', Principal: 'invalid.nonaws.com' })),
      (e: AwsError) => e.name === 'InvalidParameterValueException' && e.message === 'The provided principal was invalid. Please check the principal and try again.',
    );
    const policy = await lambda.send(new GetPolicyCommand({ FunctionName: 'echo' }));
    const doc = JSON.parse(policy.Policy!) as { Version: string; Id: string; Statement: { Sid: string; Principal: unknown; Condition?: unknown }[] };
    assert.deepEqual([doc.Version, doc.Id, doc.Statement.map((s) => s.Sid)], ['2012-10-17', 'default', ['bob-invokes', 's3']]);
    assert.deepEqual(doc.Statement[1]!.Condition, { StringEquals: { 'AWS:SourceAccount': ACCOUNT }, ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::bucket' } });
    assert.match(policy.RevisionId!, /^[0-9a-f-]{36}$/);

    assert.equal((await bob.send(new InvokeCommand({ FunctionName: 'echo' }))).StatusCode, 200);
    // The unqualified function's policy does not cover its aliases, which have their own.
    await assert.rejects(bob.send(new InvokeCommand({ FunctionName: 'echo:live' })), (e: AwsError) => e.$metadata.httpStatusCode === 403);

    await assert.rejects(lambda.send(new RemovePermissionCommand({ FunctionName: 'echo', StatementId: 'bob-invokes', RevisionId: 'stale' })), (e: AwsError) => e.name === 'PreconditionFailedException');
    await lambda.send(new RemovePermissionCommand({ FunctionName: 'echo', StatementId: 'bob-invokes', RevisionId: policy.RevisionId }));
    await assert.rejects(lambda.send(new RemovePermissionCommand({ FunctionName: 'echo', StatementId: 'bob-invokes' })), (e: AwsError) => e.message === 'Statement bob-invokes is not found in resource policy.');
    await assert.rejects(bob.send(new InvokeCommand({ FunctionName: 'echo' })), denied);
  });
});

describe('lambda invoke (real engine)', () => {
  let server: TestServer;
  let lambda: LambdaClient;
  const handler = 'export const handler = async (event, context) => ({ statusCode: 200, sum: (event.a ?? 0) + (event.b ?? 0), name: context.functionName });';

  before(async () => {
    server = await startTestServer();
    ({ lambda } = await setUp(server));
  });
  after(async () => server.close());

  it('Invoke: a real Node.js function returns JSON', async () => {
    await createActive(lambda, 'adder', nodeZip(handler));
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'adder', Payload: Buffer.from(JSON.stringify({ a: 2, b: 3 })) }));
    assert.equal(out.StatusCode, 200, Buffer.from(out.Payload ?? []).toString());
    assert.equal(out.FunctionError, undefined, Buffer.from(out.Payload ?? []).toString());
    assert.deepEqual(json(out.Payload), { statusCode: 200, sum: 5, name: 'adder' });
    assert.equal(out.ExecutedVersion, '$LATEST');
  });

  it('CreateFunction/Invoke: the AWS CLI v1 with --zip-file fileb://', async () => {
    const dir = tempDir();
    try {
      const zipPath = join(dir, 'fn.zip');
      writeFileSync(zipPath, nodeZip(handler));
      mkdirSync(join(dir, 'home'));
      const env = { PATH: process.env.PATH, HOME: join(dir, 'home'), AWS_ACCESS_KEY_ID: server.root.accessKeyId, AWS_SECRET_ACCESS_KEY: server.root.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1' };
      const aws = (...args: string[]) => run('aws', ['--endpoint-url', server.url, '--output', 'json', 'lambda', ...args], { env });
      const created = JSON.parse((await aws('create-function', '--function-name', 'cli-fn', '--runtime', 'nodejs20.x', '--handler', 'index.handler', '--role', ROLE, '--zip-file', `fileb://${zipPath}`)).stdout) as { FunctionArn: string; State: string };
      assert.deepEqual([created.FunctionArn, created.State], [ARN('cli-fn'), 'Pending']);
      await aws('wait', 'function-active-v2', '--function-name', 'cli-fn');
      const outFile = join(dir, 'out.json');
      const invoked = JSON.parse((await aws('invoke', '--function-name', 'cli-fn', '--payload', '{"a":40,"b":2}', outFile)).stdout) as { StatusCode: number; ExecutedVersion: string };
      assert.deepEqual([invoked.StatusCode, invoked.ExecutedVersion], [200, '$LATEST']);
      assert.deepEqual(JSON.parse(readFileSync(outFile, 'utf8')), { statusCode: 200, sum: 42, name: 'cli-fn' });
    } finally {
      removeDir(dir);
    }
  });

  it('CreateFunction/GetFunction/Invoke: boto3', async () => {
    const { stdout } = await run('python3', [join(REPO, 'test/clients/lambda_boto3.py')], {
      env: { ...process.env, STRATUS_URL: server.url, ROOT_AK: server.root.accessKeyId, ROOT_SK: server.root.secretAccessKey, ROLE_ARN: ROLE },
    });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    assert.deepEqual(out, { created: 'Pending', active: 'Active', sha_matches: true, status: 200, payload: { statusCode: 200, sum: 7, name: 'boto-fn' }, missing: 'ResourceNotFoundException' });
  });
});

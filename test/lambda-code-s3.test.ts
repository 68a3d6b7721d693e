/**
 * Deployment packages from S3 (Code.S3Bucket/S3Key/S3ObjectVersion), as SAM,
 * `aws cloudformation package` and most deploy tools upload them: Lambda reads
 * the object with the caller's own credentials, and S3's refusals come back as
 * InvalidParameterValueException with S3's code inside the message, as on AWS.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, GetFunctionCommand, InvokeCommand, LambdaClient, UpdateFunctionCodeCommand, waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2 } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ACCOUNT, clientConfig, startTestServer, tempDir, type TestServer } from './harness.js';
import { makeZip } from './clients/zip.js';

const run = promisify(execFile);
const ROLE = `arn:aws:iam::${ACCOUNT}:role/code-s3-exec`;
const BUCKET = 'deploy-artifacts';
const handler = (answer: string) => makeZip({ 'index.js': `exports.handler = async () => ${JSON.stringify(answer)};` });
const sha256 = async (buf: Buffer) => (await import('node:crypto')).createHash('sha256').update(buf).digest('base64');

describe('Lambda code from S3', () => {
  let server: TestServer;
  let lambda: LambdaClient;
  let s3: S3Client;
  let dev: LambdaClient;
  before(async () => {
    server = await startTestServer();
    const iam = new IAMClient(clientConfig(server));
    await iam.send(new CreateRoleCommand({ RoleName: 'code-s3-exec', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }));
    // A deployer allowed everything in Lambda (and to pass the role) but no s3:GetObject.
    await iam.send(new CreateUserCommand({ UserName: 'deployer' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'deployer', PolicyName: 'lambda', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['lambda:*', 'iam:PassRole'], Resource: '*' }] }) }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'deployer' }))).AccessKey!;
    iam.destroy();
    dev = new LambdaClient(clientConfig(server, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }));
    lambda = new LambdaClient(clientConfig(server));
    s3 = new S3Client({ ...clientConfig(server), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });
  after(async () => {
    for (const c of [lambda, s3, dev]) c?.destroy();
    await server?.close();
  });

  it('CreateFunction and UpdateFunctionCode (SDK v3) take S3Bucket/S3Key and S3ObjectVersion; the function runs that code', async () => {
    const v1 = handler('one');
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'fn/one.zip', Body: v1 }));
    const created = await lambda.send(new CreateFunctionCommand({ FunctionName: 'from-s3', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { S3Bucket: BUCKET, S3Key: 'fn/one.zip' } }));
    assert.equal(created.CodeSha256, await sha256(v1));
    assert.equal(created.CodeSize, v1.length);
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 20 }, { FunctionName: 'from-s3' });
    const invoke = async () => Buffer.from((await lambda.send(new InvokeCommand({ FunctionName: 'from-s3' }))).Payload ?? []).toString();
    assert.equal(await invoke(), '"one"');

    // A versioned bucket: the older version is the one asked for.
    await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
    const two = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'fn/code.zip', Body: handler('two') }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'fn/code.zip', Body: handler('three') }));
    const updated = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'from-s3', S3Bucket: BUCKET, S3Key: 'fn/code.zip', S3ObjectVersion: two.VersionId }));
    assert.equal(updated.CodeSha256, await sha256(handler('two')));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 20 }, { FunctionName: 'from-s3' });
    assert.equal(await invoke(), '"two"');
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'from-s3', S3Bucket: BUCKET, S3Key: 'fn/code.zip' }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 20 }, { FunctionName: 'from-s3' });
    assert.equal(await invoke(), '"three"');
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'from-s3' }));
    assert.equal(got.Code?.RepositoryType, 'S3');
    assert.equal(Buffer.from(await (await fetch(got.Code!.Location!)).arrayBuffer()).equals(handler('three')), true, 'GetFunction hands back the package it runs');
  });

  it('the AWS CLI deploys with --code S3Bucket=…,S3Key=…', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cli.zip', Body: handler('cli') }));
    const env = { PATH: process.env.PATH, HOME: tempDir(), AWS_ACCESS_KEY_ID: server.root.accessKeyId, AWS_SECRET_ACCESS_KEY: server.root.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_ENDPOINT_URL: server.url, AWS_PAGER: '' };
    const { stdout } = await run('aws', ['lambda', 'create-function', '--function-name', 'from-cli', '--runtime', 'nodejs20.x', '--handler', 'index.handler', '--role', ROLE, '--code', `S3Bucket=${BUCKET},S3Key=cli.zip`, '--output', 'json'], { env });
    assert.equal(JSON.parse(stdout).CodeSha256, await sha256(handler('cli')));
  });

  it("S3's refusals: NoSuchKey, NoSuchBucket and a caller without s3:GetObject, in Lambda's words", async () => {
    const create = (client: LambdaClient, name: string, S3Bucket: string, S3Key: string) =>
      client.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { S3Bucket, S3Key } }));
    const refused = async (p: Promise<unknown>, message: string) =>
      assert.rejects(p, (e: Error & { $metadata: { httpStatusCode: number } }) => {
        assert.equal(e.name, 'InvalidParameterValueException');
        assert.equal(e.$metadata.httpStatusCode, 400);
        assert.equal(e.message, message);
        return true;
      });
    await refused(create(lambda, 'no-key', BUCKET, 'missing.zip'), 'Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.');
    await refused(create(lambda, 'no-bucket', 'no-such-bucket-here', 'x.zip'), 'Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist');
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'private.zip', Body: handler('private') }));
    await refused(create(dev, 'denied', BUCKET, 'private.zip'), `Your access has been denied by S3, please make sure your request credentials have permission to GetObject for ${BUCKET}/private.zip. S3 Error Code: AccessDenied. S3 Error Message: Access Denied`);
    await assert.rejects(lambda.send(new GetFunctionCommand({ FunctionName: 'denied' })), { name: 'ResourceNotFoundException' });
    await refused(lambda.send(new CreateFunctionCommand({ FunctionName: 'half', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { S3Bucket: BUCKET } })), 'Please provide a source for function code.');
  });
});

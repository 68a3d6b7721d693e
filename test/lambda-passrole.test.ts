/**
 * Giving a function an execution role passes that role to Lambda: the caller
 * needs iam:PassRole on it (with iam:PassedToService lambda.amazonaws.com),
 * or CreateFunction and UpdateFunctionConfiguration are refused, as on AWS.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ACCOUNT, clientConfig, startTestServer, type TestServer } from './harness.js';
import { makeZip } from './clients/zip.js';

const ROLE = `arn:aws:iam::${ACCOUNT}:role/exec`;

describe('iam:PassRole', () => {
  let server: TestServer;
  let iam: IAMClient;
  let dev: LambdaClient;
  before(async () => {
    server = await startTestServer();
    iam = new IAMClient(clientConfig(server));
    await iam.send(new CreateRoleCommand({ RoleName: 'exec', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }));
    await iam.send(new CreateUserCommand({ UserName: 'dev' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'dev', PolicyName: 'lambda', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'lambda:*', Resource: '*' }] }) }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'dev' }))).AccessKey!;
    dev = new LambdaClient(clientConfig(server, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }));
  });
  after(async () => server.close());

  const create = (name: string) => dev.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: makeZip({ 'index.js': 'exports.handler = async () => 1;' }) } }));

  it('CreateFunction: without iam:PassRole on the role the caller gets AccessDeniedException', async () => {
    await assert.rejects(create('denied'), (e: Error & { $metadata: { httpStatusCode: number } }) => {
      assert.equal(e.name, 'AccessDeniedException');
      assert.equal(e.$metadata.httpStatusCode, 403);
      assert.match(e.message, new RegExp(`^User: arn:aws:iam::${ACCOUNT}:user/dev is not authorized to perform: iam:PassRole on resource: ${ROLE}`));
      return true;
    });
  });

  it('CreateFunction: iam:PassRole limited to Lambda by iam:PassedToService lets the function be created', async () => {
    await iam.send(new PutUserPolicyCommand({
      UserName: 'dev',
      PolicyName: 'pass',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: ROLE, Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } }] }),
    }));
    const out = await create('allowed');
    assert.equal(out.Role, ROLE);
  });
});

/**
 * The seed's IAM set-up ("24-Hour Video" notes and the contact-form
 * tutorial), walked through with each real client: SDK v3, boto3, the pip
 * AWS CLI v1 with the `stratus` profile, and Debian's AWS CLI v2. Each walk
 * ends by proving enforcement with the new user's own keys.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { AttachRolePolicyCommand, CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, GetRoleCommand, GetUserPolicyCommand, IAMClient, ListAttachedRolePoliciesCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { writeAwsProfile } from '../src/cli/aws-profile.js';
import { ACCOUNT, clientConfig, REPO, resetServer, startTestServer, tempDir, type TestServer } from './harness.js';

const run = promisify(execFile);

const UPLOAD_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['lambda:GetFunction', 'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration'], Resource: '*' }],
};
const TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const DENIED_MESSAGE = `User: arn:aws:iam::${ACCOUNT}:user/lambda_upload is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${ACCOUNT}:user/intruder because no identity-based policy allows the iam:CreateUser action`;

interface Walk {
  attached: string[];
  inline: unknown;
  trust: unknown;
  denied: { code: string; message: string; status: number } | null;
  identity: string;
}

function assertWalk(w: Walk) {
  assert.deepEqual(w.attached, ['AmazonSESFullAccess', 'CloudWatchFullAccess']);
  assert.deepEqual(typeof w.inline === 'string' ? JSON.parse(decodeURIComponent(w.inline)) : w.inline, UPLOAD_POLICY);
  assert.deepEqual(typeof w.trust === 'string' ? JSON.parse(decodeURIComponent(w.trust)) : w.trust, TRUST);
  assert.ok(w.denied, 'lambda_upload must not be able to create users');
  assert.equal(w.denied.code, 'AccessDenied');
  assert.equal(w.denied.status, 403);
  assert.equal(w.denied.message, DENIED_MESSAGE);
  assert.equal(w.identity, `arn:aws:iam::${ACCOUNT}:user/lambda_upload`);
}

/** The same walk through an AWS CLI binary; `base` holds the flags that point it at Stratus. */
async function cliWalk(bin: string, base: string[], env: NodeJS.ProcessEnv, userBase: string[], userEnv: (ak: string, sk: string) => NodeJS.ProcessEnv): Promise<Walk> {
  const aws = async (args: string[], e = env) => {
    const { stdout } = await run(bin, [...(e === env ? base : userBase), ...args, '--output', 'json'], { env: e });
    return stdout.trim() ? JSON.parse(stdout) : {};
  };
  await aws(['iam', 'create-user', '--user-name', 'lambda_upload']);
  const key = (await aws(['iam', 'create-access-key', '--user-name', 'lambda_upload'])).AccessKey;
  await aws(['iam', 'put-user-policy', '--user-name', 'lambda_upload', '--policy-name', 'lambda-upload-policy', '--policy-document', JSON.stringify(UPLOAD_POLICY)]);
  await aws(['iam', 'create-role', '--role-name', 'ContactFormRole', '--assume-role-policy-document', JSON.stringify(TRUST)]);
  for (const name of ['AmazonSESFullAccess', 'CloudWatchFullAccess']) {
    await aws(['iam', 'attach-role-policy', '--role-name', 'ContactFormRole', '--policy-arn', `arn:aws:iam::aws:policy/${name}`]);
  }
  const attached = (await aws(['iam', 'list-attached-role-policies', '--role-name', 'ContactFormRole'])).AttachedPolicies.map((p: { PolicyName: string }) => p.PolicyName).sort();
  const inline = (await aws(['iam', 'get-user-policy', '--user-name', 'lambda_upload', '--policy-name', 'lambda-upload-policy'])).PolicyDocument;
  const trust = (await aws(['iam', 'get-role', '--role-name', 'ContactFormRole'])).Role.AssumeRolePolicyDocument;
  const uenv = userEnv(key.AccessKeyId, key.SecretAccessKey);
  let denied: Walk['denied'] = null;
  try {
    await aws(['iam', 'create-user', '--user-name', 'intruder'], uenv);
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr);
    const m = /An error occurred \((\w+)\) when calling the CreateUser operation: (.*)/.exec(stderr);
    assert.ok(m, stderr);
    denied = { code: m[1]!, message: m[2]!.trim(), status: 403 };
  }
  const identity = (await aws(['sts', 'get-caller-identity'], uenv)).Arn;
  return { attached, inline, trust, denied, identity };
}

describe('seed IAM walk-through', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server.close());

  it('CreateUser/PutUserPolicy/CreateRole/AttachRolePolicy: the seed steps with SDK v3, then enforcement', async () => {
    assert.equal((await resetServer(server)).status, 200);
    const iam = new IAMClient(clientConfig(server));
    await iam.send(new CreateUserCommand({ UserName: 'lambda_upload' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'lambda_upload' }))).AccessKey!;
    await iam.send(new PutUserPolicyCommand({ UserName: 'lambda_upload', PolicyName: 'lambda-upload-policy', PolicyDocument: JSON.stringify(UPLOAD_POLICY) }));
    await iam.send(new CreateRoleCommand({ RoleName: 'ContactFormRole', AssumeRolePolicyDocument: JSON.stringify(TRUST) }));
    for (const name of ['AmazonSESFullAccess', 'CloudWatchFullAccess']) {
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'ContactFormRole', PolicyArn: `arn:aws:iam::aws:policy/${name}` }));
    }
    const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'ContactFormRole' }))).AttachedPolicies!.map((p) => p.PolicyName!).sort();
    const inline = (await iam.send(new GetUserPolicyCommand({ UserName: 'lambda_upload', PolicyName: 'lambda-upload-policy' }))).PolicyDocument;
    const trust = (await iam.send(new GetRoleCommand({ RoleName: 'ContactFormRole' }))).Role!.AssumeRolePolicyDocument;

    const userCreds = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    let denied: Walk['denied'] = null;
    try {
      await new IAMClient(clientConfig(server, userCreds)).send(new CreateUserCommand({ UserName: 'intruder' }));
    } catch (err) {
      const e = err as { name: string; message: string; $metadata: { httpStatusCode: number } };
      denied = { code: e.name, message: e.message, status: e.$metadata.httpStatusCode };
    }
    const identity = (await new STSClient(clientConfig(server, userCreds)).send(new GetCallerIdentityCommand({}))).Arn!;
    assertWalk({ attached, inline, trust, denied, identity });
  });

  it('CreateUser/PutUserPolicy/CreateRole/AttachRolePolicy: the seed steps with boto3, then enforcement', async () => {
    assert.equal((await resetServer(server)).status, 200);
    const { stdout } = await run('python3', [join(REPO, 'test/clients/seed_iam.py')], {
      env: { ...process.env, STRATUS_URL: server.url, ROOT_AK: server.root.accessKeyId, ROOT_SK: server.root.secretAccessKey },
    });
    assertWalk(JSON.parse(stdout) as Walk);
  });

  it('CreateUser/PutUserPolicy/CreateRole/AttachRolePolicy: the seed steps with `aws --profile stratus` (pip AWS CLI v1), then enforcement', async () => {
    assert.equal((await resetServer(server)).status, 200);
    const dir = tempDir();
    const awsDir = join(dir, '.aws');
    mkdirSync(awsDir);
    await writeAwsProfile({ dir: awsDir, name: 'stratus', accessKeyId: server.root.accessKeyId, secretAccessKey: server.root.secretAccessKey, region: 'us-east-1', endpointUrl: server.url });
    const env = { PATH: process.env.PATH, HOME: dir, AWS_CONFIG_FILE: join(awsDir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(awsDir, 'credentials') };
    const walk = await cliWalk('aws', ['--profile', 'stratus'], env, [], (ak, sk) => ({ PATH: process.env.PATH, HOME: dir, AWS_ACCESS_KEY_ID: ak, AWS_SECRET_ACCESS_KEY: sk, AWS_DEFAULT_REGION: 'us-east-1', AWS_ENDPOINT_URL: server.url }));
    assertWalk(walk);
  });

  it('CreateUser/PutUserPolicy/CreateRole/AttachRolePolicy: the seed steps with /usr/bin/aws (Debian AWS CLI v2), then enforcement', { skip: existsSync('/usr/bin/aws') ? false : '/usr/bin/aws is not installed (.ci/run installs it)' }, async () => {
    assert.equal((await resetServer(server)).status, 200);
    const dir = tempDir();
    const env = (ak: string, sk: string) => ({ PATH: '/usr/bin:/bin', HOME: dir, AWS_ACCESS_KEY_ID: ak, AWS_SECRET_ACCESS_KEY: sk, AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' });
    // Debian's v2.9 predates endpoint_url in profiles, so it gets --endpoint-url.
    const walk = await cliWalk('/usr/bin/aws', ['--endpoint-url', server.url], env(server.root.accessKeyId, server.root.secretAccessKey), ['--endpoint-url', server.url], env);
    assertWalk(walk);
  });
});

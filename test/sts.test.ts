/**
 * STS end to end with the real SDK: AssumeRole checks the trust policy and
 * the caller's own permissions, hands out expiring credentials that carry
 * the role's permissions, and a session policy narrows them further.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AttachRolePolicyCommand, CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, ListUsersCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { ACCOUNT, clientConfig, startTestServer, type TestServer } from './harness.js';

const trust = (principal: Record<string, string>) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }] });

describe('sts', () => {
  let server: TestServer;
  let iam: IAMClient;
  let alice: { accessKeyId: string; secretAccessKey: string };
  before(async () => {
    server = await startTestServer();
    iam = new IAMClient(clientConfig(server));
    await iam.send(new CreateUserCommand({ UserName: 'alice' }));
    const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }))).AccessKey!;
    alice = { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
    // Trusted by the account: alice also needs sts:AssumeRole in her own policy.
    await iam.send(new CreateRoleCommand({ RoleName: 'Reader', AssumeRolePolicyDocument: trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` }) }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'Reader', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    // Trusted by name: no identity policy needed.
    await iam.send(new CreateRoleCommand({ RoleName: 'NamedReader', AssumeRolePolicyDocument: trust({ AWS: `arn:aws:iam::${ACCOUNT}:user/bob` }) }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'NamedReader', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    // Trusted only by Lambda.
    await iam.send(new CreateRoleCommand({ RoleName: 'LambdaOnly', AssumeRolePolicyDocument: trust({ Service: 'lambda.amazonaws.com' }) }));
  });
  after(async () => server.close());

  it('AssumeRole: a role trusted by the account needs the caller\'s own sts:AssumeRole permission', async () => {
    const sts = new STSClient(clientConfig(server, alice));
    await assert.rejects(sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/Reader`, RoleSessionName: 'try' })), (e: Error) => {
      assert.equal(e.name, 'AccessDenied');
      assert.equal(e.message, `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${ACCOUNT}:role/Reader`);
      return true;
    });
    await iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'assume', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${ACCOUNT}:role/*` }] }) }));
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/Reader`, RoleSessionName: 'reading', DurationSeconds: 900 }));
    assert.equal(out.AssumedRoleUser!.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/Reader/reading`);
    assert.match(out.AssumedRoleUser!.AssumedRoleId!, /^AROA[A-Z0-9]+:reading$/);
    assert.match(out.Credentials!.AccessKeyId!, /^ASIA/);
    const ttl = out.Credentials!.Expiration!.getTime() - Date.now();
    assert.ok(ttl > 890_000 && ttl <= 900_000, `expires in ${ttl} ms`);

    const session = { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
    const who = await new STSClient(clientConfig(server, session)).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/Reader/reading`);
    const roleIam = new IAMClient(clientConfig(server, session));
    assert.ok((await roleIam.send(new ListUsersCommand({}))).Users!.some((u) => u.UserName === 'alice'));
    await assert.rejects(roleIam.send(new CreateUserCommand({ UserName: 'nope' })), (e: Error) => {
      assert.equal(e.name, 'AccessDenied');
      assert.match(e.message, new RegExp(`^User: arn:aws:sts::${ACCOUNT}:assumed-role/Reader/reading is not authorized to perform: iam:CreateUser`));
      return true;
    });
  });

  it('AssumeRole: a trust policy naming the user needs no identity policy', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'bob' }));
    const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'bob' }))).AccessKey!;
    const bob = { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
    const out = await new STSClient(clientConfig(server, bob)).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/NamedReader`, RoleSessionName: 'by-name' }));
    assert.match(out.Credentials!.AccessKeyId!, /^ASIA/);
  });

  it('AssumeRole: a role that only trusts lambda.amazonaws.com is refused to users, even root', async () => {
    await assert.rejects(new STSClient(clientConfig(server)).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/LambdaOnly`, RoleSessionName: 'ss' })), { name: 'AccessDenied' });
  });

  it('AssumeRole: a session policy intersects with the role\'s permissions', async () => {
    const out = await new STSClient(clientConfig(server, alice)).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/Reader`,
        RoleSessionName: 'narrow',
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:GetUser', 'iam:CreateUser'], Resource: '*' }] }),
      }),
    );
    assert.ok(out.PackedPolicySize! > 0);
    const session = { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
    const roleIam = new IAMClient(clientConfig(server, session));
    // Allowed by the role but not by the session policy.
    await assert.rejects(roleIam.send(new ListUsersCommand({})), (e: Error) => {
      assert.equal(e.name, 'AccessDenied');
      assert.match(e.message, /because no session policy allows the iam:ListUsers action/);
      return true;
    });
    // Allowed by the session policy but not by the role.
    await assert.rejects(roleIam.send(new CreateUserCommand({ UserName: 'x' })), { name: 'AccessDenied' });
  });

  it('AssumeRole: DurationSeconds beyond the role\'s MaxSessionDuration is a ValidationError', async () => {
    await assert.rejects(new STSClient(clientConfig(server, alice)).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/Reader`, RoleSessionName: 'ss', DurationSeconds: 7200 })), (e: Error & { $metadata: { httpStatusCode: number } }) => {
      assert.equal(e.name, 'ValidationError');
      assert.equal(e.$metadata.httpStatusCode, 400);
      return true;
    });
  });

  it('GetSessionToken: a user gets temporary credentials that act as the user', async () => {
    const out = await new STSClient(clientConfig(server, alice)).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const session = { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
    assert.equal((await new STSClient(clientConfig(server, session)).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${ACCOUNT}:user/alice`);
    // Without MFA such credentials may not call IAM, nor STS beyond AssumeRole and GetCallerIdentity.
    await assert.rejects(new IAMClient(clientConfig(server, session)).send(new ListUsersCommand({})), { name: 'InvalidClientTokenId' });
    await assert.rejects(new STSClient(clientConfig(server, session)).send(new GetSessionTokenCommand({})), { name: 'AccessDenied' });
  });
});

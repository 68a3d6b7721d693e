/**
 * IAM's outputs and errors as the real AWS SDK v3 client reads them, through
 * the query protocol codec in-process (no gateway, so no authorization: every
 * call runs as the account root). End-to-end tests with a server live in test/.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AddUserToGroupCommand,
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteUserCommand,
  GetAccountSummaryCommand,
  GetGroupCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListEntitiesForPolicyCommand,
  paginateListUsers,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { notImplemented } from '../../core/errors.js';
import { loadModel } from '../../protocol/model.js';
import { clientConfig, codecHandler } from '../../protocol/testing.js';
import { context, harness, LAMBDA_TRUST_POLICY, LAMBDA_UPLOAD_POLICY } from './test-helpers.js';

function sdk() {
  const h = harness();
  const handler = codecHandler(loadModel('iam'), (operation, input) => {
    const spec = h.service.operations[operation];
    if (!spec) throw notImplemented('iam', operation);
    return spec.handler(input, context());
  });
  return { ...h, iam: new IAMClient(clientConfig(handler)) };
}

describe('IAM through the AWS SDK v3 client', () => {
  it('CreateUser/CreateAccessKey/PutUserPolicy/CreateRole/AttachRolePolicy: the seed steps parse as AWS answers', async () => {
    const { iam, directory } = sdk();
    const { User } = await iam.send(new CreateUserCommand({ UserName: 'lambda_upload' }));
    assert.ok(User?.CreateDate instanceof Date);
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'lambda_upload' }));
    assert.equal(AccessKey?.Status, 'Active');
    assert.equal((await directory.findAccessKey(AccessKey!.AccessKeyId!))?.secretAccessKey, AccessKey?.SecretAccessKey);
    await iam.send(new PutUserPolicyCommand({ UserName: 'lambda_upload', PolicyName: 'lambda-upload-policy', PolicyDocument: LAMBDA_UPLOAD_POLICY }));
    const inline = await iam.send(new GetUserPolicyCommand({ UserName: 'lambda_upload', PolicyName: 'lambda-upload-policy' }));
    assert.deepEqual(JSON.parse(decodeURIComponent(inline.PolicyDocument!)), JSON.parse(LAMBDA_UPLOAD_POLICY));

    await iam.send(new CreateRoleCommand({ RoleName: 'ContactFormRole', AssumeRolePolicyDocument: LAMBDA_TRUST_POLICY }));
    for (const name of ['AmazonSESFullAccess', 'CloudWatchFullAccess']) {
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'ContactFormRole', PolicyArn: `arn:aws:iam::aws:policy/${name}` }));
    }
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'ContactFormRole' }));
    assert.deepEqual(attached.AttachedPolicies?.map((p) => p.PolicyName), ['AmazonSESFullAccess', 'CloudWatchFullAccess']);
    assert.equal(attached.IsTruncated, false);
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: 'ContactFormRole' }));
    assert.equal(decodeURIComponent(Role!.AssumeRolePolicyDocument!), LAMBDA_TRUST_POLICY);
    assert.equal(Role?.MaxSessionDuration, 3600);
  });

  it('errors: code, message and status reach the client as AWS sends them', async () => {
    const { iam } = sdk();
    await assert.rejects(iam.send(new GetUserCommand({ UserName: 'nobody' })), (err: { name: string; message: string; $metadata: { httpStatusCode: number } }) => {
      assert.equal(err.name, 'NoSuchEntityException');
      assert.equal(err.message, 'The user with name nobody cannot be found.');
      assert.equal(err.$metadata.httpStatusCode, 404);
      return true;
    });
    await iam.send(new CreateUserCommand({ UserName: 'u' }));
    await iam.send(new CreateAccessKeyCommand({ UserName: 'u' }));
    await assert.rejects(iam.send(new DeleteUserCommand({ UserName: 'u' })), (err: { name: string; $metadata: { httpStatusCode: number } }) => {
      assert.equal(err.name, 'DeleteConflictException');
      assert.equal(err.$metadata.httpStatusCode, 409);
      return true;
    });
    await assert.rejects(iam.send(new CreateUserCommand({ UserName: 'U' })), { name: 'EntityAlreadyExistsException', message: 'User with name U already exists.' });
    await assert.rejects(iam.send(new CreateUserCommand({ UserName: 'has space' })), (err: { name: string; $metadata: { httpStatusCode: number } }) => {
      assert.equal(err.name, 'ValidationError');
      assert.equal(err.$metadata.httpStatusCode, 400);
      return true;
    });
  });

  it('paginateListUsers: the SDK paginator follows Marker to the end', async () => {
    const { iam } = sdk();
    for (let i = 0; i < 7; i++) await iam.send(new CreateUserCommand({ UserName: `user${i}` }));
    const names: string[] = [];
    for await (const page of paginateListUsers({ client: iam, pageSize: 3 }, {})) names.push(...(page.Users ?? []).map((u) => u.UserName!));
    assert.deepEqual(names, ['user0', 'user1', 'user2', 'user3', 'user4', 'user5', 'user6']);
  });

  it('GetGroup/GetAccountSummary/ListEntitiesForPolicy/GetPolicyVersion: nested lists, maps and documents', async () => {
    const { iam } = sdk();
    await iam.send(new CreateUserCommand({ UserName: 'u', Tags: [{ Key: 'k', Value: 'v' }] }));
    await iam.send(new CreateGroupCommand({ GroupName: 'g' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'g', UserName: 'u' }));
    const group = await iam.send(new GetGroupCommand({ GroupName: 'g' }));
    assert.deepEqual(group.Users?.map((u) => u.UserName), ['u']);
    assert.deepEqual((await iam.send(new GetUserCommand({ UserName: 'u' }))).User?.Tags, [{ Key: 'k', Value: 'v' }]);

    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'P', PolicyDocument: LAMBDA_UPLOAD_POLICY }));
    await iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: LAMBDA_TRUST_POLICY }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'r', PolicyArn: Policy!.Arn }));
    const entities = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: Policy!.Arn }));
    assert.deepEqual(entities.PolicyRoles?.map((r) => r.RoleName), ['r']);
    const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: Policy!.Arn, VersionId: 'v1' }));
    assert.equal(decodeURIComponent(version.PolicyVersion!.Document!), LAMBDA_UPLOAD_POLICY);
    assert.equal(version.PolicyVersion?.IsDefaultVersion, true);

    const { SummaryMap } = await iam.send(new GetAccountSummaryCommand({}));
    assert.equal(SummaryMap?.Users, 1);
    assert.equal(SummaryMap?.Groups, 1);
    assert.equal(SummaryMap?.Roles, 1);
    assert.equal(SummaryMap?.Policies, 1);
    assert.equal(SummaryMap?.AccessKeysPerUserQuota, 2);
  });
});

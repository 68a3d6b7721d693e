import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCOUNT, allow, harness, rejectsWith } from './test-helpers.js';

describe('IAM users', () => {
  it('CreateUser: returns the user with an AIDA id and a path-qualified ARN', async () => {
    const { call } = harness();
    const { User } = await call('CreateUser', { UserName: 'lambda_upload', Path: '/deploy/', Tags: [{ Key: 'team', Value: 'video' }] });
    assert.equal(User.UserName, 'lambda_upload');
    assert.equal(User.Path, '/deploy/');
    assert.equal(User.Arn, `arn:aws:iam::${ACCOUNT}:user/deploy/lambda_upload`);
    assert.match(User.UserId, /^AIDA[A-Z2-7]{17}$/);
    assert.ok(User.CreateDate instanceof Date);
    assert.deepEqual(User.Tags, [{ Key: 'team', Value: 'video' }]);
  });

  it('CreateUser: names are unique without regard to case', async () => {
    const { call } = harness();
    await call('CreateUser', { UserName: 'Alice' });
    await rejectsWith(call('CreateUser', { UserName: 'alice' }), 'EntityAlreadyExists', 'User with name alice already exists.');
  });

  it('CreateUser: 50 concurrent creations of one name give one success and 49 EntityAlreadyExists', async () => {
    const { call } = harness();
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => call('CreateUser', { UserName: 'racer' })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const codes = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code: string }).code] : []));
    assert.deepEqual(new Set(codes), new Set(['EntityAlreadyExists']));
    assert.equal(codes.length, 49);
  });

  it('CreateUser: invalid names and paths answer ValidationError in AWS wording', async () => {
    const { call } = harness();
    await rejectsWith(
      call('CreateUser', { UserName: 'bad name' }),
      'ValidationError',
      "1 validation error detected: Value 'bad name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    );
    await rejectsWith(call('CreateUser', { UserName: 'x'.repeat(65) }), 'ValidationError', /at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64$/);
    await rejectsWith(call('CreateUser', { UserName: 'ok', Path: 'nope' }), 'ValidationError', /Value 'nope' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    await rejectsWith(call('CreateUser', {}), 'ValidationError', "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null");
    await rejectsWith(call('CreateUser', { UserName: 'a b', Path: 'x' }), 'ValidationError', /^2 validation errors detected: .*; /);
  });

  it('CreateUser: a permissions boundary must name an existing managed policy', async () => {
    const { call } = harness();
    const arn = `arn:aws:iam::${ACCOUNT}:policy/missing`;
    await rejectsWith(call('CreateUser', { UserName: 'b', PermissionsBoundary: arn }), 'NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
    const { User } = await call('CreateUser', { UserName: 'b', PermissionsBoundary: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    assert.deepEqual(User.PermissionsBoundary, { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
  });

  it('GetUser: by name, and without a name the calling user itself', async () => {
    const { call, directory } = harness();
    await call('CreateUser', { UserName: 'lambda_upload' });
    const { User } = await call('GetUser', { UserName: 'LAMBDA_UPLOAD' });
    assert.equal(User.UserName, 'lambda_upload');
    const { AccessKey } = await call('CreateAccessKey', { UserName: 'lambda_upload' });
    const creds = await directory.findAccessKey(AccessKey.AccessKeyId);
    const self = await call('GetUser', {}, creds!.principal);
    assert.equal(self.User.Arn, User.Arn);
    const root = await call('GetUser', {});
    assert.equal(root.User.Arn, `arn:aws:iam::${ACCOUNT}:root`);
    await rejectsWith(call('GetUser', { UserName: 'nobody' }), 'NoSuchEntity', 'The user with name nobody cannot be found.');
  });

  it('ListUsers: filters by PathPrefix and pages with Marker/MaxItems', async () => {
    const { call } = harness();
    for (const name of ['carol', 'alice', 'bob', 'dave']) await call('CreateUser', { UserName: name, Path: name === 'dave' ? '/ops/' : '/' });
    const first = await call('ListUsers', { MaxItems: 2 });
    assert.deepEqual(first.Users.map((u: { UserName: string }) => u.UserName), ['alice', 'bob']);
    assert.equal(first.IsTruncated, true);
    const second = await call('ListUsers', { MaxItems: 2, Marker: first.Marker });
    assert.deepEqual(second.Users.map((u: { UserName: string }) => u.UserName), ['carol', 'dave']);
    assert.equal(second.IsTruncated, false);
    assert.equal(second.Marker, undefined);
    const ops = await call('ListUsers', { PathPrefix: '/ops/' });
    assert.deepEqual(ops.Users.map((u: { UserName: string }) => u.UserName), ['dave']);
    assert.equal(ops.Users[0].Tags, undefined);
  });

  it('UpdateUser: renames and moves the user, its group membership, attachments and keys following', async () => {
    const { call, directory } = harness();
    await call('CreateUser', { UserName: 'old' });
    await call('CreateGroup', { GroupName: 'devs' });
    await call('AddUserToGroup', { GroupName: 'devs', UserName: 'old' });
    await call('AttachUserPolicy', { UserName: 'old', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    const { AccessKey } = await call('CreateAccessKey', { UserName: 'old' });
    await call('UpdateUser', { UserName: 'old', NewUserName: 'New', NewPath: '/team/' });
    await rejectsWith(call('GetUser', { UserName: 'old' }), 'NoSuchEntity');
    const { User } = await call('GetUser', { UserName: 'new' });
    assert.equal(User.Arn, `arn:aws:iam::${ACCOUNT}:user/team/New`);
    const group = await call('GetGroup', { GroupName: 'devs' });
    assert.deepEqual(group.Users.map((u: { UserName: string }) => u.UserName), ['New']);
    const entities = await call('ListEntitiesForPolicy', { PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    assert.deepEqual(entities.PolicyUsers.map((u: { UserName: string }) => u.UserName), ['New']);
    const creds = await directory.findAccessKey(AccessKey.AccessKeyId);
    assert.equal(creds?.principal.arn, User.Arn);
    assert.equal(creds?.principal.name, 'New');
  });

  it('UpdateUser: refuses a new name taken by another user', async () => {
    const { call } = harness();
    await call('CreateUser', { UserName: 'a' });
    await call('CreateUser', { UserName: 'b' });
    await rejectsWith(call('UpdateUser', { UserName: 'a', NewUserName: 'B' }), 'EntityAlreadyExists', 'User with name B already exists.');
  });

  it('DeleteUser: refuses while keys, inline policies, attached policies or groups remain', async () => {
    const { call } = harness();
    await call('CreateUser', { UserName: 'u' });
    await call('CreateGroup', { GroupName: 'g' });
    const { AccessKey } = await call('CreateAccessKey', { UserName: 'u' });
    await call('PutUserPolicy', { UserName: 'u', PolicyName: 'p', PolicyDocument: allow('s3:GetObject') });
    await call('AttachUserPolicy', { UserName: 'u', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    await call('AddUserToGroup', { GroupName: 'g', UserName: 'u' });

    await rejectsWith(call('DeleteUser', { UserName: 'u' }), 'DeleteConflict', 'Cannot delete entity, must delete access keys first.');
    await call('DeleteAccessKey', { UserName: 'u', AccessKeyId: AccessKey.AccessKeyId });
    await rejectsWith(call('DeleteUser', { UserName: 'u' }), 'DeleteConflict', 'Cannot delete entity, must delete policies first.');
    await call('DeleteUserPolicy', { UserName: 'u', PolicyName: 'p' });
    await rejectsWith(call('DeleteUser', { UserName: 'u' }), 'DeleteConflict', 'Cannot delete entity, must detach all policies first.');
    await call('DetachUserPolicy', { UserName: 'u', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    await rejectsWith(call('DeleteUser', { UserName: 'u' }), 'DeleteConflict', 'Cannot delete entity, must remove users from group first.');
    await call('RemoveUserFromGroup', { GroupName: 'g', UserName: 'u' });
    await call('DeleteUser', { UserName: 'u' });
    await rejectsWith(call('DeleteUser', { UserName: 'u' }), 'NoSuchEntity', 'The user with name u cannot be found.');
  });

  it('TagUser/UntagUser/ListUserTags: tag keys are case-insensitive and duplicates are refused', async () => {
    const { call } = harness();
    await call('CreateUser', { UserName: 'u', Tags: [{ Key: 'Env', Value: 'dev' }] });
    await call('TagUser', { UserName: 'u', Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'a' }] });
    let { Tags } = await call('ListUserTags', { UserName: 'u' });
    assert.deepEqual(Tags, [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'a' }]);
    await rejectsWith(call('TagUser', { UserName: 'u', Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] }), 'InvalidInput', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    await call('UntagUser', { UserName: 'u', TagKeys: ['ENV'] });
    ({ Tags } = await call('ListUserTags', { UserName: 'u' }));
    assert.deepEqual(Tags, [{ Key: 'team', Value: 'a' }]);
  });

  it('PutUserPermissionsBoundary/DeleteUserPermissionsBoundary: set, replace and remove the boundary', async () => {
    const { call } = harness();
    await call('CreateUser', { UserName: 'u' });
    await call('PutUserPermissionsBoundary', { UserName: 'u', PermissionsBoundary: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    let policy = await call('GetPolicy', { PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    assert.equal(policy.Policy.PermissionsBoundaryUsageCount, 1);
    await call('DeleteUserPermissionsBoundary', { UserName: 'u' });
    policy = await call('GetPolicy', { PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    assert.equal(policy.Policy.PermissionsBoundaryUsageCount, 0);
    assert.equal((await call('GetUser', { UserName: 'u' })).User.PermissionsBoundary, undefined);
  });

  it('resources: user actions act on the user ARN with its path; ListUsers on "*"', async () => {
    const { call, resources } = harness();
    await call('CreateUser', { UserName: 'u', Path: '/p/' });
    assert.deepEqual(await resources('CreateUser', { UserName: 'n', Path: '/x/' }), [`arn:aws:iam::${ACCOUNT}:user/x/n`]);
    assert.deepEqual(await resources('DeleteUser', { UserName: 'U' }), [`arn:aws:iam::${ACCOUNT}:user/p/u`]);
    assert.deepEqual(await resources('GetUser', { UserName: 'ghost' }), [`arn:aws:iam::${ACCOUNT}:user/ghost`]);
    assert.deepEqual(await resources('ListUsers', {}), ['*']);
    assert.deepEqual(await resources('UpdateUser', { UserName: 'u', NewUserName: 'v' }), [`arn:aws:iam::${ACCOUNT}:user/p/u`, `arn:aws:iam::${ACCOUNT}:user/p/v`]);
  });

  it('resources: a malformed request answers ValidationError before authorization', async () => {
    const { resources } = harness();
    await rejectsWith(resources('CreateUser', { UserName: 'bad name' }), 'ValidationError', /at 'userName'/);
    await rejectsWith(resources('DeleteUser', {}), 'ValidationError', /Value null at 'userName'/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCOUNT, allow, harness, rejectsWith } from './test-helpers.js';

describe('IAM groups', () => {
  it('CreateGroup: AGPA id, path-qualified ARN, names unique without regard to case', async () => {
    const { call } = harness();
    const { Group } = await call('CreateGroup', { GroupName: 'Developers', Path: '/eng/' });
    assert.match(Group.GroupId, /^AGPA/);
    assert.equal(Group.Arn, `arn:aws:iam::${ACCOUNT}:group/eng/Developers`);
    await rejectsWith(call('CreateGroup', { GroupName: 'developers' }), 'EntityAlreadyExists', 'Group with name developers already exists.');
  });

  it('AddUserToGroup: membership shows on both sides and adding twice is a no-op', async () => {
    const { call } = harness();
    await call('CreateGroup', { GroupName: 'g' });
    await call('CreateUser', { UserName: 'u1' });
    await call('CreateUser', { UserName: 'u2' });
    await call('AddUserToGroup', { GroupName: 'g', UserName: 'u1' });
    await call('AddUserToGroup', { GroupName: 'G', UserName: 'U1' });
    await call('AddUserToGroup', { GroupName: 'g', UserName: 'u2' });
    const got = await call('GetGroup', { GroupName: 'g' });
    assert.deepEqual(got.Users.map((u: { UserName: string }) => u.UserName), ['u1', 'u2']);
    const paged = await call('GetGroup', { GroupName: 'g', MaxItems: 1 });
    assert.equal(paged.IsTruncated, true);
    const rest = await call('GetGroup', { GroupName: 'g', Marker: paged.Marker });
    assert.deepEqual(rest.Users.map((u: { UserName: string }) => u.UserName), ['u2']);
    const { Groups } = await call('ListGroupsForUser', { UserName: 'u1' });
    assert.deepEqual(Groups.map((g: { GroupName: string }) => g.GroupName), ['g']);
  });

  it('AddUserToGroup: unknown group or user answers NoSuchEntity', async () => {
    const { call } = harness();
    await call('CreateUser', { UserName: 'u' });
    await rejectsWith(call('AddUserToGroup', { GroupName: 'nope', UserName: 'u' }), 'NoSuchEntity', 'The group with name nope cannot be found.');
    await call('CreateGroup', { GroupName: 'g' });
    await rejectsWith(call('AddUserToGroup', { GroupName: 'g', UserName: 'ghost' }), 'NoSuchEntity', 'The user with name ghost cannot be found.');
  });

  it('AddUserToGroup: a user can be in at most 10 groups', async () => {
    const { call } = harness();
    await call('CreateUser', { UserName: 'u' });
    for (let i = 0; i < 11; i++) await call('CreateGroup', { GroupName: `g${i}` });
    for (let i = 0; i < 10; i++) await call('AddUserToGroup', { GroupName: `g${i}`, UserName: 'u' });
    await rejectsWith(call('AddUserToGroup', { GroupName: 'g10', UserName: 'u' }), 'LimitExceeded', 'Cannot exceed quota for GroupsPerUser: 10');
  });

  it('RemoveUserFromGroup: a non-member answers NoSuchEntity', async () => {
    const { call } = harness();
    await call('CreateGroup', { GroupName: 'g' });
    await call('CreateUser', { UserName: 'u' });
    await rejectsWith(call('RemoveUserFromGroup', { GroupName: 'g', UserName: 'u' }), 'NoSuchEntity', 'The user with name u cannot be found.');
  });

  it('DeleteGroup: refuses while members, inline or attached policies remain', async () => {
    const { call } = harness();
    await call('CreateGroup', { GroupName: 'g' });
    await call('CreateUser', { UserName: 'u' });
    await call('AddUserToGroup', { GroupName: 'g', UserName: 'u' });
    await call('PutGroupPolicy', { GroupName: 'g', PolicyName: 'p', PolicyDocument: allow('s3:*') });
    await call('AttachGroupPolicy', { GroupName: 'g', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    await rejectsWith(call('DeleteGroup', { GroupName: 'g' }), 'DeleteConflict', 'Cannot delete entity, must remove users from group first.');
    await call('RemoveUserFromGroup', { GroupName: 'g', UserName: 'u' });
    await rejectsWith(call('DeleteGroup', { GroupName: 'g' }), 'DeleteConflict', 'Cannot delete entity, must delete policies first.');
    await call('DeleteGroupPolicy', { GroupName: 'g', PolicyName: 'p' });
    await rejectsWith(call('DeleteGroup', { GroupName: 'g' }), 'DeleteConflict', 'Cannot delete entity, must detach all policies first.');
    await call('DetachGroupPolicy', { GroupName: 'g', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    await call('DeleteGroup', { GroupName: 'g' });
    assert.deepEqual((await call('ListGroups', {})).Groups, []);
  });

  it('AddUserToGroup: racing DeleteUser never leaves a group listing a deleted user', async () => {
    for (let round = 0; round < 20; round++) {
      const { call } = harness();
      await call('CreateGroup', { GroupName: 'g' });
      await call('CreateUser', { UserName: 'u' });
      await Promise.allSettled([call('AddUserToGroup', { GroupName: 'g', UserName: 'u' }), call('DeleteUser', { UserName: 'u' })]);
      const members = (await call('GetGroup', { GroupName: 'g' })).Users;
      const exists = await call('GetUser', { UserName: 'u' }).then(
        () => true,
        () => false,
      );
      if (!exists) assert.deepEqual(members, []);
      else assert.deepEqual((await call('ListGroupsForUser', { UserName: 'u' })).Groups.length, members.length);
    }
  });
});

describe('IAM access keys', () => {
  it('CreateAccessKey: returns the secret once, Active; at most two per user', async () => {
    const { call } = harness();
    await call('CreateUser', { UserName: 'lambda_upload' });
    const { AccessKey } = await call('CreateAccessKey', { UserName: 'lambda_upload' });
    assert.match(AccessKey.AccessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(AccessKey.SecretAccessKey.length, 40);
    assert.equal(AccessKey.Status, 'Active');
    await call('CreateAccessKey', { UserName: 'lambda_upload' });
    await rejectsWith(call('CreateAccessKey', { UserName: 'lambda_upload' }), 'LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2');
    const { AccessKeyMetadata } = await call('ListAccessKeys', { UserName: 'lambda_upload' });
    assert.equal(AccessKeyMetadata.length, 2);
    assert.equal(AccessKeyMetadata[0].SecretAccessKey, undefined);
  });

  it('CreateAccessKey: without UserName, for the calling user; non-users must name one', async () => {
    const { call, directory } = harness();
    await call('CreateUser', { UserName: 'me' });
    const first = await call('CreateAccessKey', { UserName: 'me' });
    const me = (await directory.findAccessKey(first.AccessKey.AccessKeyId))!.principal;
    const second = await call('CreateAccessKey', {}, me);
    assert.equal(second.AccessKey.UserName, 'me');
    const role = { type: 'assumed-role' as const, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/R/s`, accountId: ACCOUNT, userId: 'AROAEXAMPLE:s', roleArn: `arn:aws:iam::${ACCOUNT}:role/R` };
    await rejectsWith(call('CreateAccessKey', {}, role), 'ValidationError', 'Must specify userName when calling with non-User credentials');
  });

  it('UpdateAccessKey: Inactive keys still resolve, marked inactive', async () => {
    const { call, directory } = harness();
    await call('CreateUser', { UserName: 'u' });
    const { AccessKey } = await call('CreateAccessKey', { UserName: 'u' });
    await call('UpdateAccessKey', { UserName: 'u', AccessKeyId: AccessKey.AccessKeyId, Status: 'Inactive' });
    assert.equal((await directory.findAccessKey(AccessKey.AccessKeyId))?.active, false);
    const { AccessKeyMetadata } = await call('ListAccessKeys', { UserName: 'u' });
    assert.equal(AccessKeyMetadata[0].Status, 'Inactive');
    await rejectsWith(call('UpdateAccessKey', { UserName: 'u', AccessKeyId: 'AKIAAAAAAAAAAAAAAAAA', Status: 'Active' }), 'NoSuchEntity', 'The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found.');
    await rejectsWith(call('UpdateAccessKey', { UserName: 'u', AccessKeyId: AccessKey.AccessKeyId, Status: 'On' }), 'ValidationError', /Member must satisfy enum value set: \[Active, Inactive, Expired\]/);
  });

  it('DeleteAccessKey: the key stops resolving', async () => {
    const { call, directory } = harness();
    await call('CreateUser', { UserName: 'u' });
    const { AccessKey } = await call('CreateAccessKey', { UserName: 'u' });
    await call('DeleteAccessKey', { UserName: 'u', AccessKeyId: AccessKey.AccessKeyId });
    assert.equal(await directory.findAccessKey(AccessKey.AccessKeyId), undefined);
    assert.deepEqual((await call('ListAccessKeys', { UserName: 'u' })).AccessKeyMetadata, []);
  });

  it('GetAccessKeyLastUsed: N/A until used, then the recorded service and region', async () => {
    const { call, directory, resources } = harness();
    await call('CreateUser', { UserName: 'u' });
    const { AccessKey } = await call('CreateAccessKey', { UserName: 'u' });
    let got = await call('GetAccessKeyLastUsed', { AccessKeyId: AccessKey.AccessKeyId });
    assert.deepEqual(got, { UserName: 'u', AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' } });
    await directory.users.recordAccessKeyUse(AccessKey.AccessKeyId, 'lambda', 'us-east-1', new Date('2026-01-02T03:04:05Z'));
    got = await call('GetAccessKeyLastUsed', { AccessKeyId: AccessKey.AccessKeyId });
    assert.deepEqual(got.AccessKeyLastUsed, { LastUsedDate: new Date('2026-01-02T03:04:05Z'), ServiceName: 'lambda', Region: 'us-east-1' });
    assert.deepEqual(await resources('GetAccessKeyLastUsed', { AccessKeyId: AccessKey.AccessKeyId }), [`arn:aws:iam::${ACCOUNT}:user/u`]);
  });
});

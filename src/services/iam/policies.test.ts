import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCOUNT, allow, harness, LAMBDA_TRUST_POLICY, rejectsWith } from './test-helpers.js';

const ARN = `arn:aws:iam::${ACCOUNT}:policy/app/ReadBucket`;

describe('IAM managed policies', () => {
  it('CreatePolicy: v1 is the default, the ARN carries the path, names are unique per account', async () => {
    const { call } = harness();
    const { Policy } = await call('CreatePolicy', { PolicyName: 'ReadBucket', Path: '/app/', PolicyDocument: allow('s3:GetObject'), Description: 'reads' });
    assert.equal(Policy.Arn, ARN);
    assert.equal(Policy.DefaultVersionId, 'v1');
    assert.equal(Policy.AttachmentCount, 0);
    assert.equal(Policy.IsAttachable, true);
    assert.match(Policy.PolicyId, /^ANPA/);
    await rejectsWith(call('CreatePolicy', { PolicyName: 'readbucket', PolicyDocument: allow('s3:GetObject') }), 'EntityAlreadyExists', 'A policy called readbucket already exists. Duplicate names are not allowed.');
  });

  it('CreatePolicy: malformed documents answer MalformedPolicyDocument', async () => {
    const { call } = harness();
    await rejectsWith(call('CreatePolicy', { PolicyName: 'p', PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}' }), 'MalformedPolicyDocument', 'Policy statement must contain resources.');
    await rejectsWith(call('CreatePolicy', { PolicyName: 'p', PolicyDocument: 'nope' }), 'MalformedPolicyDocument');
  });

  it('GetPolicy: AWS-managed policies resolve from the catalogue', async () => {
    const { call } = harness();
    const { Policy } = await call('GetPolicy', { PolicyArn: 'arn:aws:iam::aws:policy/AmazonSESFullAccess' });
    assert.equal(Policy.PolicyName, 'AmazonSESFullAccess');
    assert.equal(Policy.Path, '/');
    assert.ok(Policy.CreateDate instanceof Date);
    const v = await call('GetPolicyVersion', { PolicyArn: Policy.Arn, VersionId: Policy.DefaultVersionId });
    assert.equal(v.PolicyVersion.IsDefaultVersion, true);
    assert.match(decodeURIComponent(v.PolicyVersion.Document), /"ses:\*"/);
    await rejectsWith(call('GetPolicy', { PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/nope` }), 'NoSuchEntity', `Policy arn:aws:iam::${ACCOUNT}:policy/nope was not found.`);
  });

  it('CreatePolicyVersion: at most five versions; SetAsDefault switches the default', async () => {
    const { call } = harness();
    await call('CreatePolicy', { PolicyName: 'ReadBucket', Path: '/app/', PolicyDocument: allow('s3:GetObject') });
    for (let i = 2; i <= 5; i++) {
      const { PolicyVersion } = await call('CreatePolicyVersion', { PolicyArn: ARN, PolicyDocument: allow(`s3:Get${i}`), SetAsDefault: i === 3 });
      assert.equal(PolicyVersion.VersionId, `v${i}`);
      assert.equal(PolicyVersion.Document, undefined);
    }
    await rejectsWith(
      call('CreatePolicyVersion', { PolicyArn: ARN, PolicyDocument: allow('s3:Get6') }),
      'LimitExceeded',
      'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
    );
    assert.equal((await call('GetPolicy', { PolicyArn: ARN })).Policy.DefaultVersionId, 'v3');
    const { Versions } = await call('ListPolicyVersions', { PolicyArn: ARN });
    assert.deepEqual(
      Versions.map((v: { VersionId: string; IsDefaultVersion: boolean }) => [v.VersionId, v.IsDefaultVersion]),
      [['v5', false], ['v4', false], ['v3', true], ['v2', false], ['v1', false]],
    );
    await rejectsWith(call('DeletePolicyVersion', { PolicyArn: ARN, VersionId: 'v3' }), 'DeleteConflict', 'Cannot delete the default version of a policy.');
    await call('DeletePolicyVersion', { PolicyArn: ARN, VersionId: 'v1' });
    // Version ids are never reused.
    assert.equal((await call('CreatePolicyVersion', { PolicyArn: ARN, PolicyDocument: allow('s3:Get6') })).PolicyVersion.VersionId, 'v6');
    await call('SetDefaultPolicyVersion', { PolicyArn: ARN, VersionId: 'v6' });
    const got = await call('GetPolicyVersion', { PolicyArn: ARN, VersionId: 'v6' });
    assert.equal(decodeURIComponent(got.PolicyVersion.Document), allow('s3:Get6'));
    await rejectsWith(call('GetPolicyVersion', { PolicyArn: ARN, VersionId: 'v1' }), 'NoSuchEntity', `Policy ${ARN} version v1 does not exist or is not attachable.`);
  });

  it('DeletePolicy: refuses while attached or while non-default versions remain', async () => {
    const { call } = harness();
    await call('CreatePolicy', { PolicyName: 'ReadBucket', Path: '/app/', PolicyDocument: allow('s3:GetObject') });
    await call('CreateUser', { UserName: 'u' });
    await call('AttachUserPolicy', { UserName: 'u', PolicyArn: ARN });
    assert.equal((await call('GetPolicy', { PolicyArn: ARN })).Policy.AttachmentCount, 1);
    await rejectsWith(call('DeletePolicy', { PolicyArn: ARN }), 'DeleteConflict', 'Cannot delete a policy attached to entities.');
    await call('DetachUserPolicy', { UserName: 'u', PolicyArn: ARN });
    await call('CreatePolicyVersion', { PolicyArn: ARN, PolicyDocument: allow('s3:PutObject') });
    await rejectsWith(call('DeletePolicy', { PolicyArn: ARN }), 'DeleteConflict', /^This policy has more than one version/);
    await call('DeletePolicyVersion', { PolicyArn: ARN, VersionId: 'v2' });
    await call('DeletePolicy', { PolicyArn: ARN });
    await rejectsWith(call('GetPolicy', { PolicyArn: ARN }), 'NoSuchEntity');
  });

  it('DeletePolicy: racing AttachUserPolicy never leaves an attachment to a deleted policy', async () => {
    for (let round = 0; round < 20; round++) {
      const { call } = harness();
      await call('CreatePolicy', { PolicyName: 'ReadBucket', Path: '/app/', PolicyDocument: allow('s3:GetObject') });
      await call('CreateUser', { UserName: 'u' });
      await Promise.allSettled([call('AttachUserPolicy', { UserName: 'u', PolicyArn: ARN }), call('DeletePolicy', { PolicyArn: ARN })]);
      const attached = (await call('ListAttachedUserPolicies', { UserName: 'u' })).AttachedPolicies;
      const exists = await call('GetPolicy', { PolicyArn: ARN }).then(
        () => true,
        () => false,
      );
      assert.equal(attached.length === 1, exists);
    }
  });

  it('CreatePolicyVersion/DeletePolicy: AWS-managed and other accounts\' policies cannot be changed', async () => {
    const { call } = harness();
    const aws = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    await rejectsWith(call('CreatePolicyVersion', { PolicyArn: aws, PolicyDocument: allow('s3:*') }), 'NoSuchEntity', `Policy ${aws} was not found.`);
    await rejectsWith(call('DeletePolicy', { PolicyArn: aws }), 'NoSuchEntity');
    await call('CreatePolicy', { PolicyName: 'Mine', PolicyDocument: allow('s3:*') });
    await rejectsWith(call('GetPolicy', { PolicyArn: 'arn:aws:iam::999999999999:policy/Mine' }), 'NoSuchEntity');
  });

  it('DetachUserPolicy: a policy not attached answers NoSuchEntity', async () => {
    const { call } = harness();
    await call('CreateUser', { UserName: 'u' });
    await rejectsWith(call('DetachUserPolicy', { UserName: 'u', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }), 'NoSuchEntity', 'Policy arn:aws:iam::aws:policy/ReadOnlyAccess was not found.');
  });

  it('ListPolicies: Scope, OnlyAttached, PathPrefix and pagination', async () => {
    const { call } = harness();
    await call('CreatePolicy', { PolicyName: 'ReadBucket', Path: '/app/', PolicyDocument: allow('s3:GetObject') });
    await call('CreatePolicy', { PolicyName: 'Other', PolicyDocument: allow('s3:GetObject') });
    await call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: LAMBDA_TRUST_POLICY });
    await call('AttachRolePolicy', { RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/CloudWatchFullAccess' });

    const local = await call('ListPolicies', { Scope: 'Local' });
    assert.deepEqual(local.Policies.map((p: { PolicyName: string }) => p.PolicyName), ['Other', 'ReadBucket']);
    assert.equal(local.Policies[0].Description, undefined);
    const aws = await call('ListPolicies', { Scope: 'AWS', MaxItems: 1000 });
    assert.ok(aws.Policies.length > 5);
    assert.ok(aws.Policies.every((p: { Arn: string }) => p.Arn.startsWith('arn:aws:iam::aws:policy/')));
    const attached = await call('ListPolicies', { OnlyAttached: true });
    assert.deepEqual(attached.Policies.map((p: { PolicyName: string; AttachmentCount: number }) => [p.PolicyName, p.AttachmentCount]), [['CloudWatchFullAccess', 1]]);
    const app = await call('ListPolicies', { PathPrefix: '/app/' });
    assert.deepEqual(app.Policies.map((p: { PolicyName: string }) => p.PolicyName), ['ReadBucket']);

    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await call('ListPolicies', { MaxItems: 5, ...(marker ? { Marker: marker } : {}) });
      assert.ok(page.Policies.length <= 5);
      seen.push(...page.Policies.map((p: { Arn: string }) => p.Arn));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    assert.equal(seen.length, aws.Policies.length + 2);
    assert.equal(new Set(seen).size, seen.length);
  });

  it('ListEntitiesForPolicy: groups, users and roles using a policy, filterable', async () => {
    const { call } = harness();
    const arn = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    await call('CreateUser', { UserName: 'u', Path: '/a/' });
    await call('CreateGroup', { GroupName: 'g' });
    await call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: LAMBDA_TRUST_POLICY, PermissionsBoundary: arn });
    await call('AttachUserPolicy', { UserName: 'u', PolicyArn: arn });
    await call('AttachGroupPolicy', { GroupName: 'g', PolicyArn: arn });
    const all = await call('ListEntitiesForPolicy', { PolicyArn: arn });
    assert.deepEqual(all.PolicyGroups.map((g: { GroupName: string }) => g.GroupName), ['g']);
    assert.deepEqual(all.PolicyUsers.map((u: { UserName: string }) => u.UserName), ['u']);
    assert.deepEqual(all.PolicyRoles.map((r: { RoleName: string }) => r.RoleName), ['r']);
    assert.match(all.PolicyUsers[0].UserId, /^AIDA/);
    const asPolicy = await call('ListEntitiesForPolicy', { PolicyArn: arn, PolicyUsageFilter: 'PermissionsPolicy' });
    assert.deepEqual(asPolicy.PolicyRoles, []);
    const users = await call('ListEntitiesForPolicy', { PolicyArn: arn, EntityFilter: 'User', PathPrefix: '/a/' });
    assert.deepEqual([users.PolicyGroups.length, users.PolicyUsers.length, users.PolicyRoles.length], [0, 1, 0]);
    const policy = (await call('GetPolicy', { PolicyArn: arn })).Policy;
    assert.deepEqual([policy.AttachmentCount, policy.PermissionsBoundaryUsageCount], [2, 1]);
  });

  it('resources: policy actions act on the policy ARN; CreatePolicy on the one to be created', async () => {
    const { resources } = harness();
    assert.deepEqual(await resources('CreatePolicy', { PolicyName: 'P', Path: '/x/', PolicyDocument: '{}' }), [`arn:aws:iam::${ACCOUNT}:policy/x/P`]);
    assert.deepEqual(await resources('GetPolicyVersion', { PolicyArn: ARN, VersionId: 'v1' }), [ARN]);
    assert.deepEqual(await resources('ListPolicies', {}), ['*']);
  });
});
